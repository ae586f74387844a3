import CDeflateLevel
import Foundation
import Testing
@testable import XLSX

/// A constant-memory sheet's rows are read from the file they were filled into when the
/// workbook closes (Sources/CDeflateLevel/RowsInPlace.c), not copied into a second file first;
/// and rows that did not reach that file, or cannot be read back from it, fail the close.
@Suite struct RowsInPlaceTests {
    /// Sheets with a head and foot around their rows (column widths, panes, a filter, links,
    /// a drop-down), a sheet without rows, and rows several read buffers long.
    static func workbook(_ path: String) throws -> (Workbook, [Worksheet]) {
        let workbook = try Workbook(path: path, constantMemory: true)
        try workbook.setProperties(DocumentProperties(title: "行", created: 1_646_092_800))
        var sheets: [Worksheet] = []
        for (n, name) in ["明细", "links", "empty", "short"].enumerated() {
            let sheet = try workbook.addWorksheet(name)
            sheets.append(sheet)
            guard name != "empty" else { continue }
            try sheet.setColumn(0, width: 18)
            sheet.freezePanes(rows: 1, columns: 0)
            let rows = name == "short" ? 3 : 9_000 + 1_000 * n
            for r in 0..<rows {
                try sheet.write(r, 0, "第\(r)行 <sheetData></sheetData> & \(name)")
                try sheet.write(r, 1, number: Double(r) / 100)
                if name == "links" { try sheet.write(r, 2, link: "internal:'明细'!A\(r + 1)", text: "→ \(r + 1)") }
            }
            try sheet.autofilter(firstRow: 0, firstColumn: 0, lastRow: rows - 1, lastColumn: 1)
            try sheet.dropDown(column: 3, firstRow: 1, lastRow: rows - 1, values: ["是", "否"])
        }
        return (workbook, sheets)
    }

    @Test func rowsReadInPlaceGiveTheSameFileAsTheCopy() throws {
        let dir = Fixture.makeTempDir()
        let (copied, _) = try Self.workbook(dir + "/copied.xlsx")
        try copied.close(rowsInPlace: false)
        let before = fundrecon_sheets_read_in_place()
        let (inPlace, _) = try Self.workbook(dir + "/in-place.xlsx")
        try inPlace.close(rowsInPlace: true)
        // Three sheets have rows (other tests may close workbooks meanwhile).
        #expect(fundrecon_sheets_read_in_place() - before >= 3)

        let a = try Data(contentsOf: URL(fileURLWithPath: dir + "/copied.xlsx"))
        let b = try Data(contentsOf: URL(fileURLWithPath: dir + "/in-place.xlsx"))
        #expect(a.count > 50_000 && a == b, "\(a.count) bytes copied, \(b.count) in place")
        let file = try XLSXFile(dir + "/in-place.xlsx")
        let links = try file.part(try #require(file.sheets.first { $0.name == "links" }?.part))
        #expect(links.components(separatedBy: "<row ").count - 1 == 10_000)
        #expect(links.contains("第9999行 &lt;sheetData&gt;&lt;/sheetData&gt; &amp; links"))
        #expect(links.hasSuffix("</worksheet>"))
    }

    /// Points a sheet's rows file at /dev/null opened the other way round: reads (or writes)
    /// through it fail with EBADF from then on.
    static func spoil(_ sheet: Worksheet, reads: Bool) throws {
        let rows = try #require(sheet.handle.pointee.optimize_tmpfile)
        let null = open("/dev/null", reads ? O_WRONLY : O_RDONLY)
        #expect(null >= 0)
        #expect(dup2(null, fileno(rows)) >= 0)
        close(null)
    }

    static func expectRowsLost(_ workbook: Workbook, inPlace: Bool) {
        #expect {
            try workbook.close(rowsInPlace: inPlace)
        } throws: { error in
            "\(error)".contains("a sheet's rows could not be kept in the temporary directory: Bad file descriptor")
        }
    }

    @Test func rowsThatCannotBeReadBackFailTheClose() throws {
        let (workbook, sheets) = try Self.workbook(Fixture.makeTempDir() + "/unread.xlsx")
        try Self.spoil(sheets[1], reads: true)
        Self.expectRowsLost(workbook, inPlace: true)
    }

    @Test func rowsThatNeverReachedTheirFileFailTheCloseEitherWay() throws {
        for inPlace in [false, true] {
            let (workbook, sheets) = try Self.workbook(Fixture.makeTempDir() + "/unwritten.xlsx")
            // The rows still in the stdio buffer are written at the close, and fail there.
            try Self.spoil(sheets[0], reads: false)
            Self.expectRowsLost(workbook, inPlace: inPlace)
        }
    }
}
