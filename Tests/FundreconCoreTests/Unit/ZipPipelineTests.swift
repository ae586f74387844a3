import CDeflateLevel
import Foundation
import Testing
@testable import XLSX

/// The workbook's parts compressed by Sources/CDeflateLevel/ZipPipeline.c: two at a time,
/// each on its own thread, written in order as raw entries. The file must be the bytes
/// minizip makes on its own, whether a part's bytes come from the closing thread or from the
/// sheet's own files, and a failure must reach the caller.
@Suite struct ZipPipelineTests {
    /// Sheets big enough for several deflate blocks each, so that two are compressed at once,
    /// text and numbers mixed; a few small parts beside them.
    static func write(_ path: String, alongside: Bool, rowsInPlace: Bool) throws {
        let workbook = try Workbook(path: path, constantMemory: true)
        try workbook.setProperties(DocumentProperties(title: "压缩", created: 1_646_092_800))
        for s in 0..<4 {
            let sheet = try workbook.addWorksheet("表\(s)")
            for r in 0..<(s == 2 ? 3 : 4_000) {
                try sheet.write(r, 0, "第 \(r) 行 & <\(s)>")
                try sheet.write(r, 1, number: Double(r * 7919 % 10_007) / 100)
                try sheet.write(r, 2, " 单位\(r % 97) ")
            }
        }
        try workbook.close(alongside: alongside, rowsInPlace: rowsInPlace)
    }

    @Test(arguments: [true, false])
    func partsCompressedTwoAtATimeAreMinizipsOwnBytes(rowsInPlace: Bool) throws {
        let dir = Fixture.makeTempDir()
        try Self.write(dir + "/alone.xlsx", alongside: false, rowsInPlace: rowsInPlace)
        let (compressed, read) = (fundrecon_zip_entries_compressed_aside(), fundrecon_zip_entries_read_aside())
        try Self.write(dir + "/aside.xlsx", alongside: true, rowsInPlace: rowsInPlace)
        let parts = try XLSXFile(dir + "/aside.xlsx").archive.map(\.path)
        // Other tests may close workbooks meanwhile: at least this one's parts went through.
        #expect(fundrecon_zip_entries_compressed_aside() - compressed >= parts.count)
        if rowsInPlace {
            // The three sheets with rows were read by the compressing threads from their files.
            #expect(fundrecon_zip_entries_read_aside() - read >= 3)
        }
        let bytes = try ["alone", "aside"].map { try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\($0).xlsx")) }
        #expect(bytes[0].count > 50_000 && bytes[0] == bytes[1], "\(bytes[0].count) bytes alone, \(bytes[1].count) aside")
    }

    /// /dev/full takes the file and fails every write: the close fails, as it does without the
    /// pipeline, instead of reporting a workbook that is not there.
    @Test(arguments: [true, false])
    func aZipFileThatCannotBeWrittenFailsTheClose(alongside: Bool) throws {
        #expect(throws: XLSXError.self) {
            try Self.write("/dev/full", alongside: alongside, rowsInPlace: true)
        }
    }
}
