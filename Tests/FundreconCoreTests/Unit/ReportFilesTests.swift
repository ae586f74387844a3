import Foundation
import Synchronization
import Testing
@testable import FundreconCore

/// The JSON report is written while the workbook is packed (one core), not while its rows
/// are filled (both): the workbook says when its rows are in, and says it whatever happens.
@Suite struct ReportFilesTests {
    @Test func theWorkbookSaysItsRowsAreInBeforeItIsPacked() throws {
        let f = Fixture()
        f.write()
        let result = f.reconcile()
        let path = Fixture.makeTempDir() + "/report.xlsx"
        let seen = Mutex<[Bool]>([])
        _ = try WorkbookReport(result, scopeName: "t", generatedAt: "now", version: "test", changes: nil)
            .write(to: path, created: 0, filled: { seen.withLock { $0.append(FileManager.default.fileExists(atPath: path)) } })
        #expect(seen.withLock { $0 } == [false])
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func bothReportsAreWrittenAndPutInPlace() throws {
        let f = Fixture()
        f.write()
        let base = Fixture.makeTempDir() + "/report"
        try ReportFiles.write(f.reconcile(), to: base, scopeName: "t", generatedAt: "now", version: "test", changes: nil, created: 0)
        #expect(FileManager.default.fileExists(atPath: base + ".xlsx"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + ".json"))) as? [String: Any]
        #expect(json?["findings"] != nil)
    }

    /// A run whose JSON cannot be written puts neither report in place: the previous pair
    /// stays as it was, the new workbook is not left beside the old JSON, and no temporary
    /// file of the run is left behind. (The JSON's temporary file is made unwritable by a
    /// folder of its name.)
    @Test func aReportThatCannotBeWrittenLeavesThePreviousPairWhole() throws {
        let f = Fixture()
        f.write()
        let dir = Fixture.makeTempDir(), base = dir + "/report"
        let before = [Data("old workbook".utf8), Data("{\"old\": true}".utf8)]
        try before[0].write(to: URL(fileURLWithPath: base + ".xlsx"))
        try before[1].write(to: URL(fileURLWithPath: base + ".json"))
        let blocker = AtomicFile.temporaryPath(for: base + ".json")
        try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: false)
        #expect(throws: OutputError.self) {
            try ReportFiles.write(f.reconcile(), to: base, scopeName: "t", generatedAt: "now", version: "test", changes: nil, created: 0)
        }
        let after = try [".xlsx", ".json"].map { try Data(contentsOf: URL(fileURLWithPath: base + $0)) }
        #expect(after == before)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { dir + "/" + $0 != blocker }.sorted()
        #expect(left == ["report.json", "report.xlsx"])
    }

    /// The JSON's thread is let go when the workbook says its rows are in, and also when the
    /// workbook ends without saying so (it failed): never held back until the end, never
    /// forever.
    @Test(.timeLimit(.minutes(1)))
    func theSecondJobStartsWhenTheFirstIsReadyOrEnds() {
        // Ready: the first job waits for the second to have started, which only a gate
        // opened by `ready` allows.
        let started = DispatchSemaphore(value: 0)
        let (first, second) = Concurrently.inTurn({ ready in
            ready()
            return started.wait(timeout: .now() + 30) == .success
        }, then: {
            started.signal()
            return "json"
        })
        #expect(first && second == "json")
        // Failed before ready: the second still runs.
        let (failed, after) = Concurrently.inTurn({ _ in Result<Int, OutputError>.failure(OutputError(description: "no rows")) },
                                                 then: { "json anyway" })
        #expect(throws: OutputError.self) { try failed.get() }
        #expect(after == "json anyway")
    }
}
