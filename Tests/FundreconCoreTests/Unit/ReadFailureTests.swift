import Foundation
import Testing
@testable import FundreconCore

/// A file that cannot be read to its end is never taken for a shorter file: the failure is
/// thrown with where it happened, and the loader makes it IN001 and uses none of the rows.
@Suite struct ReadFailures {
    /// 4,000 rows of about 40 bytes: several 16 KiB chunks.
    static func rows() -> [UInt8] {
        var text = "voucher,date,project,from,to,amount,status,document,note\n"
        for i in 0..<4_000 { text += "T\(i),2021-03-01,F,P,C,1,ok,,note \(i)\n" }
        return Array(text.utf8)
    }

    @Test func aReadErrorPartWayIsThrownWithItsOffsetAfterTheRecordsBeforeIt() throws {
        let reader = try CSVReader(path: writeTemp(Self.rows()), chunkSize: 16 << 10)
        var served: Int64 = 0
        reader.readChunk = { fd, into, count, path throws(SystemCallError) in
            guard served < 32 << 10 else { throw SystemCallError(call: "read", path: path, errno: EIO) }
            let n = try SystemCall.read(fd, into, count, path: path)
            served += Int64(n)
            return n
        }
        var records = 0
        let failure = #expect(throws: InputFileError.self) {
            while try reader.next() { records += 1 }
        }
        #expect(failure?.offset == 32 << 10)
        #expect(failure?.reason == String(cString: strerror(EIO)))
        #expect(records > 0 && records < 4_001)  // what came before, and never an end of file
    }

    @Test func aFolderNamedTransfersCsvIsIN001SayingWhyAndNoRowIsUsed() throws {
        var f = Fixture()
        f.files["transfers.csv"] = nil
        f.write()
        try FileManager.default.createDirectory(atPath: f.path("transfers.csv"), withIntermediateDirectories: false)
        let loader = ScopeLoader(settings: Settings(), fileExists: FileSystem.exists)
        let kept = loader.loadKeepingTransfers(ScopeSources.folder(f.dir, existing: FileSystem.exists))
        let findings = loader.log.findings.filter { $0.primary.file == f.path("transfers.csv") }
        #expect(findings.map(\.code) == [.IN001])
        #expect(findings.first?.message.en == "cannot read transfers.csv at byte 0: \(String(cString: strerror(EISDIR))); none of its rows are used")
        #expect(loader.scope.isUsable(.transfers) == false)
        #expect(kept.rows.isEmpty)
    }

    /// An optional file that is there but cannot be opened is not skipped as if absent.
    @Test func aDanglingLinkAsSpendingCsvIsIN001NotASilentSkip() throws {
        var f = Fixture()
        f.files["spending.csv"] = nil
        f.write()
        try FileManager.default.createSymbolicLink(atPath: f.path("spending.csv"), withDestinationPath: f.dir + "/gone.csv")
        let loader = ScopeLoader(settings: Settings(), fileExists: FileSystem.exists)
        loader.load(ScopeSources.folder(f.dir, existing: FileSystem.exists))
        let findings = loader.log.findings.filter { $0.primary.file == f.path("spending.csv") }
        #expect(findings.map(\.code) == [.IN001])
        #expect(findings.first?.message.en == "cannot open spending.csv: \(String(cString: strerror(ENOENT)))")
        #expect(loader.scope.isUsable(.spending) == false)
    }

    /// Absent optional files stay quiet: only one that is there and unreadable speaks.
    @Test func anAbsentOptionalFileIsNoFinding() {
        var f = Fixture()
        f.files["spending.csv"] = nil
        f.files["indicators.csv"] = nil
        f.write()
        let loader = ScopeLoader(settings: Settings(), fileExists: FileSystem.exists)
        loader.load(ScopeSources.folder(f.dir, existing: FileSystem.exists))
        #expect(!loader.log.findings.contains { $0.code == .IN001 })
    }
}
