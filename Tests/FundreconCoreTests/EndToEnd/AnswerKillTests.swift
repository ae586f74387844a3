import Foundation
import Testing
@testable import FundreconCore
#if canImport(Glibc)
import Glibc
#endif

/// Runs killed at random moments, with the workbook open and closed: every answer typed is
/// still in some workbook of the folder afterwards, and the next run carries all of them.
@Suite(.serialized) struct AnswerKillTests {
    /// Every answer in every workbook of the folder, by key (temporary files are not reports).
    static func answersInFolder(_ out: String) throws -> [String: String] {
        var found: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: out) where name.hasSuffix(".xlsx") && !name.hasPrefix(AtomicFile.temporaryPrefix) && !name.hasPrefix("~$") {
            for (key, e) in try Explanations.read(workbook: out + "/" + name).byKey { found[key] = e.text }
        }
        return found
    }

    @Test func killedRunsLoseNoAnswerOpenOrClosed() throws {
        let f = NightlyOperation.bigScope(edges: 2000, bump: true)
        f.write()
        let out = Fixture.makeTempDir()
        let epoch = ["SOURCE_DATE_EPOCH": "1646092800"]
        #expect(try CLI.run(["reconcile", f.dir, "-o", out, "--quiet"], environment: epoch).status <= 1)
        let scope = URL(fileURLWithPath: f.dir).lastPathComponent
        let base = "\(out)/reconciliation-\(scope)-2021-12-31"
        var typed: [String: String] = [:]
        var book = try WorkbookEditor(base + ".xlsx")
        for unit in [1, 2, 1000, 2000] {
            let key = "edge|F|C|G\(unit)"
            typed[key] = "第 \(unit) 户已核实"
            try book.answer(sheet: "市→单位", key: key, ["处理状态": "已说明", "情况说明": typed[key] ?? ""])
        }
        try book.save(to: base + ".xlsx")
        // Kill points as shares of a whole warm run, so they land in reading, reconciling,
        // reading the answers back and writing, however fast this machine and build are.
        let clock = ContinuousClock()
        let started = clock.now
        #expect(try CLI.run(["reconcile", f.dir, "-o", out, "--quiet"], environment: epoch).status <= 1)
        let whole = (clock.now - started).seconds
        #expect(try Self.answersInFolder(out) == typed)
        var random = SplitMix(state: 20261203)
        let lock = "\(out)/~$\(URL(fileURLWithPath: base).lastPathComponent.dropFirst(2)).xlsx"
        let rounds = 10
        for round in 0..<rounds {
            // Half the runs meet the workbook open, and write beside it; staff answer in that copy too.
            let open = round % 2 == 1
            if open {
                #expect(FileManager.default.createFile(atPath: lock, contents: Data()), "the test wrote its lock file")
            } else if FileManager.default.fileExists(atPath: lock) {
                try FileManager.default.removeItem(atPath: lock)
            }
            if FileManager.default.fileExists(atPath: base + "-2.xlsx"), typed["edge|F|C|G3"] == nil {
                var copy = try WorkbookEditor(base + "-2.xlsx")
                typed["edge|F|C|G3"] = "在另存的副本里答复"
                try copy.answer(sheet: "市→单位", key: "edge|F|C|G3", ["处理状态": "已更正", "情况说明": "在另存的副本里答复"])
                try copy.save(to: base + "-2.xlsx")
            }
            // One kill in each tenth of the run (and past its end), at a random point of it.
            let delay = (Double(round) + Double.random(in: 0..<1, using: &random)) / Double(rounds) * 1.1 * whole
            let (run, _) = try NightlyOperation.start(["reconcile", f.dir, "-o", out, "--quiet"], environment: epoch)
            usleep(useconds_t(delay * 1_000_000))
            kill(run.processIdentifier, SIGKILL)
            run.waitUntilExit()
            #expect(try Self.answersInFolder(out) == typed, "round \(round): killed after \(delay) s, open: \(open)")
        }
        try? FileManager.default.removeItem(atPath: lock)
        let finished = try CLI.run(["reconcile", f.dir, "-o", out, "--quiet"], environment: epoch)
        #expect(finished.status <= 1, "\(finished.stderr)")
        for (key, text) in typed {
            #expect(try AnswerRoundTrip.answerRow(base + ".xlsx", sheet: "市→单位", key: key)?["情况说明"] == text)
        }
        // The copies written while it was open are read, and gone.
        let left = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix("reconciliation-") }.sorted()
        #expect(left == [URL(fileURLWithPath: base).lastPathComponent + ".json", URL(fileURLWithPath: base).lastPathComponent + ".xlsx"])
    }
}
