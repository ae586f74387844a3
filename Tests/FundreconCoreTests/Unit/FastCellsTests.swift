import CDeflateLevel
import Foundation
import Testing
@testable import XLSX

/// Cells, rows and end tags written by Sources/CDeflateLevel/FastCells.c, not by
/// libxlsxwriter's fprintf: the same file, byte for byte, for every shape of cell it writes.
@Suite struct FastCellsTests {
    /// Texts with blanks at either end (kept with xml:space), characters XML escapes, control
    /// characters, long texts past the writer's buffer; numbers of every size and sign, with
    /// and without a style; formulas with and without characters XML escapes.
    static func write(_ path: String, directly: Bool) throws {
        let workbook = try Workbook(path: path, constantMemory: true, cellsWrittenDirectly: directly)
        try workbook.setProperties(DocumentProperties(title: "单元格", created: 1_646_092_800))
        let sheet = try workbook.addWorksheet("cells")
        let money = CellStyle(numberFormat: "#,##0.0000##")
        let texts = [" 前有空格", "后有空格 ", "\t制表", "a<b & c>\"d\"", "控制\u{1}字符", String(repeating: "长文本&", count: 300), "x"]
        let numbers: [Double] = [0, -0.0, 1, -1, 0.5, 44197, 724_712.807941, 0.1 + 0.2, 1e-5, 9_999_999_999_999.995,
                                 1e15, 123_456_789_012_345_678, .pi, -2.5e-3]
        try sheet.setRow(0, height: 45)  // a row with more to say than its number
        var r = 0
        for text in texts {
            try sheet.write(r, 0, text)
            try sheet.write(r, 1, text, money)
            r += 1
        }
        for (i, number) in numbers.enumerated() {
            try sheet.write(r, 0, number: number)
            try sheet.write(r, 1, number: number, money)
            try sheet.write(r, 2, number: Double(i) / 7)
            try sheet.write(r, 3, formula: "=B\(r + 1)-A\(r + 1)", cached: number - Double(i), money)
            try sheet.write(r, 4, formula: "=IF(A\(r + 1)<0,\"<&>\",C\(r + 1))", cached: Double(i) / 3)
            r += 1
        }
        // Formulas with a text for their result, blanks with and without a format of their own
        // or of their column, and cells named past Z, ZZ and the last column and row.
        try sheet.setColumn(7, width: 12, money)
        for (i, text) in ["&开头", "结尾>", "&<>"].enumerated() {
            try sheet.write(r, 0, formula: "=\"\(text)\"", cachedText: text)
            try sheet.blank(r, 1)
            try sheet.blank(r, 2, money)
            try sheet.blank(r, 7)
            try sheet.write(r, 5 + i, text)
            r += 1
        }
        for (row, col) in [(r, 25), (r, 26), (r, 701), (r + 1, 702), (r + 2, 16_383), (1_048_575, 0), (1_048_575, 16_383)] {
            try sheet.write(row, col, number: Double(col))
        }
        try workbook.close()
    }

    @Test func cellsWrittenDirectlyAreLibxlsxwritersBytes() throws {
        let dir = Fixture.makeTempDir()
        try Self.write(dir + "/own.xlsx", directly: false)
        let before = fundrecon_cells_written_here()
        try Self.write(dir + "/direct.xlsx", directly: true)
        #expect(fundrecon_cells_written_here() - before >= 84)
        let bytes = try [dir + "/own.xlsx", dir + "/direct.xlsx"].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        #expect(bytes[0].count > 2_000 && bytes[0] == bytes[1])
        let direct = try XLSXFile(dir + "/direct.xlsx"), sheet = "xl/worksheets/sheet1.xml"
        #expect(try direct.part(sheet).contains("<row r=\"1\" ht=\"45\" customHeight=\"1\">"))
        #expect(try direct.part(sheet).contains("<row r=\"2\">"))
        #expect(try direct.part(sheet).contains("<t xml:space=\"preserve\">后有空格 </t>"))
        #expect(try direct.part(sheet).contains("<f>IF(A8&lt;0,\"&lt;&amp;&gt;\",C8)</f><v>0</v>"))
        let part = try direct.part(sheet)
        for shown in ["<c r=\"C22\" s=\"1\"/>", "<c r=\"H24\" s=\"1\" t=\"inlineStr\">", "&amp;开头</t>", "结尾&gt;</t>",
                      "&amp;&lt;&gt;</t>", "<c r=\"Z25\">", "<c r=\"AA25\">", "<c r=\"ZZ25\">", "<c r=\"AAA26\">",
                      "<c r=\"XFD27\">", "<c r=\"A1048576\">", "<c r=\"XFD1048576\">"] {
            #expect(part.contains(shown), "\(shown)")
        }
        #expect(!part.contains("<c r=\"B22\"") && !part.contains("<c r=\"H22\""),
                "a blank without a format is not written")
    }
}
