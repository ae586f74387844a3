import Foundation
import Testing
@testable import FundreconCore

/// Which workbooks of a report folder hold answers a run must read, and where a report goes
/// while its workbook is open.
@Suite struct ReportFolderTests {
    static func touch(_ path: String, minutesAgo: Double) throws {
        #expect(FileManager.default.createFile(atPath: path, contents: Data("x".utf8)), "the test wrote its file")
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-minutesAgo * 60)], ofItemAtPath: path)
    }

    @Test func theNewestDateTheTargetsDateAndAnythingSavedSinceAreReadOldestSaveFirst() throws {
        let out = Fixture.makeTempDir()
        let p = "\(out)/reconciliation-sg-"
        try Self.touch(p + "2021-10-31.xlsx", minutesAgo: 500)  // old, untouched: not read
        try Self.touch(p + "2021-11-30.xlsx", minutesAgo: 10)  // answered after the newest was written: read
        try Self.touch(p + "2021-12-01.xlsx", minutesAgo: 60)  // the newest
        try Self.touch(p + "2021-12-01-2.xlsx", minutesAgo: 30)  // its copy
        try Self.touch(p + "2021-06-30.xlsx", minutesAgo: 900)  // the one about to be replaced
        try Self.touch("\(out)/reconciliation-sg-2-2021-12-31.xlsx", minutesAgo: 1)  // another scope
        try FileManager.default.createDirectory(atPath: p + "2021-12-01-3.xlsx", withIntermediateDirectories: false)  // not a file
        let read = ReportFolder(folder: out, scope: "sg").workbooksToRead(target: p + "2021-06-30.xlsx")
        #expect(read.map { String($0.dropFirst(p.count)) } == ["2021-06-30.xlsx", "2021-12-01.xlsx", "2021-12-01-2.xlsx", "2021-11-30.xlsx"])
        #expect(ReportFolder(folder: Fixture.makeTempDir(), scope: "sg").workbooksToRead(target: p + "2021-06-30.xlsx").isEmpty)
    }

    @Test(arguments: ["~$conciliation-sg-2021-12-31.xlsx", "~$reconciliation-sg-2021-12-31.xlsx", ".~lock.reconciliation-sg-2021-12-31.xlsx#"])
    func anOpenWorkbookIsKnownByItsOwnerFileAndTheReportGoesToTheFirstFreeCopy(lock: String) throws {
        let out = Fixture.makeTempDir()
        let base = "\(out)/reconciliation-sg-2021-12-31"
        #expect(ReportFolder.freeBase(base) == (base, nil))
        #expect(FileManager.default.createFile(atPath: "\(out)/\(lock)", contents: Data()), "the test wrote its file")
        #expect(ReportFolder.openLock(of: base + ".xlsx") == "\(out)/\(lock)")
        #expect(ReportFolder.freeBase(base).base == base + "-2")
        #expect(FileManager.default.createFile(atPath: "\(out)/~$conciliation-sg-2021-12-31-2.xlsx", contents: Data()), "the test wrote its file")
        #expect(ReportFolder.freeBase(base).base == base + "-3")
        #expect(FileManager.default.createFile(atPath: base + "-2.xlsx", contents: Data()), "the test wrote its file")
        #expect(FileManager.default.createFile(atPath: base + "-2.json", contents: Data()), "the test wrote its file")
        #expect(FileManager.default.createFile(atPath: base + "-x.json", contents: Data()), "the test wrote its file")
        #expect(ReportFolder.copies(of: base) == [base + "-2.json", base + "-2.xlsx"])
    }
}
