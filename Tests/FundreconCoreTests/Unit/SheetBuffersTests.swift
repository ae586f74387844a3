import Foundation
import Testing
@testable import XLSX

/// The sheets' temporary files write through 256 KiB buffers (`SheetBuffers`), and no buffer is
/// freed while a file that uses it is open.
@Suite struct SheetBuffersTests {
    /// Rows of about 100 bytes of XML: several buffers' worth.
    static let rows = 12_000

    static func fill(_ sheet: Worksheet) throws {
        for r in 0..<rows {
            try sheet.write(r, 0, "第\(r)行 row \(r)")
            try sheet.write(r, 1, number: Double(r))
        }
    }

    /// The files this process has open, by inode (other tests open and close theirs meanwhile).
    static func openInodes() throws -> Set<UInt64> {
        var found: Set<UInt64> = []
        for fd in try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            var info = stat()
            if stat("/proc/self/fd/" + fd, &info) == 0 { found.insert(UInt64(info.st_ino)) }
        }
        return found
    }

    static func inode(_ sheet: Worksheet) throws -> UInt64 {
        let descriptor = try #require(SheetBuffers.descriptor(sheet.handle))
        var info = stat()
        #expect(fstat(descriptor, &info) == 0)
        return UInt64(info.st_ino)
    }

    @Test func constantMemorySheetsWriteThroughTheBiggerBufferAndKeepEveryRow() throws {
        let path = Fixture.makeTempDir() + "/buffered.xlsx"
        let workbook = try Workbook(path: path, constantMemory: true)
        let sheet = try workbook.addWorksheet("rows")
        #expect(SheetBuffers.bufferBytes(sheet.handle) == SheetBuffers.size)
        try Self.fill(sheet)
        try workbook.close()

        let xml = try XLSXFile(path).part(try #require(XLSXFile(path).sheets.first?.part))
        #expect((xml.components(separatedBy: "<row ").count - 1) == Self.rows)
        #expect(xml.contains("第11999行 row 11999"))
        #expect(xml.contains("<v>11999</v>"))
    }

    @Test func aSheetHeldInMemoryKeepsStdioAlone() throws {
        let path = Fixture.makeTempDir() + "/in-memory.xlsx"
        let workbook = try Workbook(path: path, constantMemory: false)
        let sheet = try workbook.addWorksheet("rows")
        #expect(SheetBuffers.bufferBytes(sheet.handle) == 0)
        try sheet.write(0, 0, "一")
        try workbook.close()
        #expect(try XLSXFile(path).sheets.count == 1)
    }

    /// libxlsxwriter frees an unclosed workbook's sheets without closing their temporary files:
    /// they are closed here, before their buffers go.
    @Test func aWorkbookNeverClosedLeavesNoTemporaryFileOpen() throws {
        var inodes: Set<UInt64> = []
        do {
            let workbook = try Workbook(path: Fixture.makeTempDir() + "/abandoned.xlsx", constantMemory: true)
            for name in ["a", "b", "c"] {
                let sheet = try workbook.addWorksheet(name)
                try Self.fill(sheet)
                inodes.insert(try Self.inode(sheet))
            }
            #expect(inodes.count == 3)
            #expect(try Self.openInodes().isSuperset(of: inodes))
        }
        #expect(try Self.openInodes().isDisjoint(with: inodes))
    }

    /// A close that fails before it reaches the sheets leaves their files open (libxlsxwriter's
    /// own leak) but nothing in the buffers freed with the workbook: the run goes on.
    @Test func aCloseThatFailsLeavesTheRunGoingOn() throws {
        var closed: Result<Void, XLSXError>
        do {
            let workbook = try Workbook(path: Fixture.makeTempDir() + "/no-such-folder/x.xlsx", constantMemory: true)
            try Self.fill(try workbook.addWorksheet("rows"))
            closed = Result { () throws(XLSXError) in try workbook.close() }
        }
        #expect(throws: XLSXError.self) { try closed.get() }
        // Files written afterwards through stdio are whole.
        let path = Fixture.makeTempDir() + "/after.xlsx"
        let workbook = try Workbook(path: path, constantMemory: true)
        try Self.fill(try workbook.addWorksheet("rows"))
        try workbook.close()
        let xml = try XLSXFile(path).part(try #require(XLSXFile(path).sheets.first?.part))
        #expect((xml.components(separatedBy: "<row ").count - 1) == Self.rows)
    }
}
