import Foundation
import Testing
@testable import FundreconCore
#if canImport(Glibc)
import Glibc
#endif

/// Nightly operation: the output folder's lock, crash safety under SIGKILL, clean stops.
@Suite(.serialized) struct NightlyOperation {
    /// A scope with `edges` grantees paid by one city: big enough that writing takes a while.
    static func bigScope(edges: Int, bump: Bool = false) -> Fixture {
        var entities = "id,name,level,parent\nP,省厅,province,\nC,市局,city,P\n"
        var plan = "line,project,from,to,amount,method,document,due\n1,F,P,C,\(edges),factor,,2021-03-31\n"
        var transfers = "voucher,date,project,from,to,amount,status,document,note\nT0,2021-03-01,F,P,C,\(edges),ok,,\n"
        for i in 1...edges {
            entities += "G\(i),承担单位\(i)（韶关市）,grantee,C\n"
            plan += "\(i + 1),F,C,G\(i),1,competitive,韶财工〔2021〕10号,2021-04-30\n"
            transfers += "T\(i),2021-03-20,F,C,G\(i),\(bump && i == 1 ? "2" : "1"),ok,,\n"
        }
        return Fixture(["entities.csv": entities, "projects.csv": "code,name,parent,budget\nF,专项资金,,\(edges)\n",
                        "plan.csv": plan, "transfers.csv": transfers])
    }

    static func start(_ args: [String], environment: [String: String] = [:]) throws -> (Process, Pipe) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.executable)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        return (p, err)
    }

    /// Waits until the lock file names `pid` (the run has the lock), at most `seconds`.
    static func waitForLock(_ folder: String, pid: Int32, seconds: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: folder + "/" + OutputLock.fileName, encoding: .utf8), text.contains("pid \(pid),") { return true }
            usleep(20_000)
        }
        return false
    }

    static func temporaryFiles(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix(AtomicFile.temporaryPrefix) }
    }

    @Test func aRunMeetingAHeldLockExitsThreeAtOnceNamingTheHolder() throws {
        let f = Fixture()
        f.write()
        let out = Fixture.makeTempDir()
        let lock = try OutputLock.acquire(folder: out, holder: "pid 4242, started 2026-11-23T02:00:00Z")
        let started = Date()
        let r = try CLI.run(["reconcile", f.dir, "-o", out])
        #expect(r.status == 3)
        #expect(r.stderr.contains("pid 4242, started 2026-11-23T02:00:00Z"))
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasSuffix(".json") }.isEmpty)
        withExtendedLifetime(lock) {}
    }

    @Test func twoRealRunsOnOneFolder_exactlyOneWrites() throws {
        let f = Fixture()
        f.write()
        let out = Fixture.makeTempDir()
        let (first, _) = try NightlyOperation.start(["reconcile", f.dir, "-o", out, "--quiet"], environment: ["FUNDRECON_TEST_HOLD_LOCK_SECONDS": "3"])
        #expect(NightlyOperation.waitForLock(out, pid: first.processIdentifier))
        let second = try CLI.run(["reconcile", f.dir, "-o", out])
        first.waitUntilExit()
        #expect(second.status == 3 && second.stderr.contains("pid \(first.processIdentifier),"))
        #expect(first.terminationStatus == 0)
        let reports = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix("reconciliation-") }
        #expect(reports.count == 2)  // the one run's workbook and JSON
    }

    @Test func aLockLeftByAKilledRunDoesNotBlockTheNext() throws {
        let f = Fixture()
        f.write()
        let out = Fixture.makeTempDir()
        let (held, _) = try NightlyOperation.start(["reconcile", f.dir, "-o", out, "--quiet"], environment: ["FUNDRECON_TEST_HOLD_LOCK_SECONDS": "60"])
        #expect(NightlyOperation.waitForLock(out, pid: held.processIdentifier))
        kill(held.processIdentifier, SIGKILL)
        held.waitUntilExit()
        let next = try CLI.run(["reconcile", f.dir, "-o", out, "--quiet"])
        #expect(next.status == 0, "\(next.stderr)")
    }

    @Test func sigkillAtAnyMomentLeavesThePreviousReportByteIdentical() throws {
        let base = NightlyOperation.bigScope(edges: 6000)
        base.write()
        let out = Fixture.makeTempDir()
        let epoch = ["SOURCE_DATE_EPOCH": "1646092800"]
        #expect(try CLI.run(["reconcile", base.dir, "-o", out, "--quiet"], environment: epoch).status <= 1)
        // Kill points as shares of a whole (warm) run, so they land in reading, reconciling
        // and writing however fast this machine and build are.
        let clock = ContinuousClock()
        let started = clock.now
        #expect(try CLI.run(["reconcile", base.dir, "-o", out, "--quiet"], environment: epoch).status <= 1)
        let whole = (clock.now - started).seconds
        let names = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix("reconciliation-") }.sorted()
        #expect(names.count == 2)
        let before = try names.map { try Data(contentsOf: URL(fileURLWithPath: out + "/" + $0)) }
        // The same folder, with one amount changed: a finished run would write different bytes.
        var changed = NightlyOperation.bigScope(edges: 6000, bump: true)
        changed.files["transfers.csv"] = changed.files["transfers.csv"]
        for (name, text) in changed.files { try text.write(toFile: base.dir + "/" + name, atomically: true, encoding: .utf8) }
        // A run that finishes before its kill point (a machine faster than the timed run) has
        // replaced the report whole; the later kills must leave that one as it is.
        var current = before
        var killed = 0
        for delay in [0.02, 0.15, 0.3, 0.45, 0.6].map({ $0 * whole }) {
            let (run, _) = try NightlyOperation.start(["reconcile", base.dir, "-o", out, "--quiet"], environment: epoch)
            usleep(useconds_t(delay * 1_000_000))
            kill(run.processIdentifier, SIGKILL)
            run.waitUntilExit()
            let after = try names.map { try Data(contentsOf: URL(fileURLWithPath: out + "/" + $0)) }
            if run.terminationReason == .uncaughtSignal {
                killed += 1
                #expect(after == current, "killed after \(delay) s")
            } else {
                #expect(run.terminationStatus <= 1, "finished before its kill at \(delay) s")
                current = after
            }
        }
        #expect(killed >= 3, "only \(killed) of 5 runs were killed before they finished")
        let finished = try CLI.run(["reconcile", base.dir, "-o", out, "--quiet"], environment: epoch)
        #expect(finished.status <= 1, "\(finished.stderr)")
        #expect(NightlyOperation.temporaryFiles(out).isEmpty)
        let final = try names.map { try Data(contentsOf: URL(fileURLWithPath: out + "/" + $0)) }
        #expect(final != before)  // the finished run did replace the report
    }

    @Test func sigtermStopsCleanlyWithExitThree() throws {
        let f = Fixture()
        f.write()
        let out = Fixture.makeTempDir()
        let (run, err) = try NightlyOperation.start(["reconcile", f.dir, "-o", out], environment: ["FUNDRECON_TEST_HOLD_LOCK_SECONDS": "30"])
        #expect(NightlyOperation.waitForLock(out, pid: run.processIdentifier))
        kill(run.processIdentifier, SIGTERM)
        run.waitUntilExit()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(run.terminationStatus == 3)
        #expect(message.contains("stopped by SIGTERM"))
        #expect(NightlyOperation.temporaryFiles(out).isEmpty)
    }

    @Test func staleTemporaryFilesAreRemovedByTheNextRun() throws {
        let f = Fixture()
        f.write()
        let out = Fixture.makeTempDir()
        let stale = out + "/" + AtomicFile.temporaryPrefix + "99999-reconciliation-x.xlsx"
        #expect(FileManager.default.createFile(atPath: stale, contents: Data("half a workbook".utf8)), "the test wrote its file")
        let r = try CLI.run(["reconcile", f.dir, "-o", out])
        #expect(r.status == 0 && r.stderr.contains("removed"))
        #expect(!FileManager.default.fileExists(atPath: stale))
    }
}

@Suite(.serialized) struct LogsAndProgress {
    @Test func oneLogLinePerPhaseInTextAndInJSON() throws {
        let f = Fixture()
        f.write()
        let out = Fixture.makeTempDir()
        let text = try CLI.run(["reconcile", f.dir, "-o", out])
        let lines = text.stderr.split(separator: "\n").filter { $0.contains(" info fundrecon: ") }
        #expect(lines.count == 3)
        #expect(lines.first?.contains("read 6 files, 19 rows (0 rejected)") == true)
        #expect(lines.dropFirst().first?.contains("reconciled 4 edges") == true)
        #expect(lines.last?.contains("wrote ") == true && lines.last?.contains(".xlsx") == true)

        let json = try CLI.run(["reconcile", f.dir, "-o", out, "--log-format", "json"])
        let objects = json.stderr.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(objects.compactMap { $0["phase"] as? String } == ["read", "reconcile", "write"])
        #expect(objects.first?["rows"] as? String == "19" && objects.first?["level"] as? String == "info")

        let quiet = try CLI.run(["reconcile", f.dir, "-o", out, "--quiet"])
        #expect(!quiet.stderr.contains("info fundrecon"))
    }

    @Test func progressShowsOnATerminalAndNotInAFile() throws {
        // Many rows to read, little to reconcile: 40,000 payments of 1 分 on one day.
        var f = Fixture()
        f.files["spending.csv"] = (f.files["spending.csv"] ?? "")
            + (3...40_002).map { "S\($0),2021-06-01,G2,F2,0.000001,paid,供应商乙,\n" }.joined()
        f.write()
        let out = Fixture.makeTempDir()
        // A pty from util-linux's script; the hold makes the run outlast the one-second threshold.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        p.arguments = ["-qfec", "\(CLI.executable) reconcile \(f.dir) -o \(out)", "/dev/null"]
        p.environment = ProcessInfo.processInfo.environment.merging(["FUNDRECON_TEST_HOLD_LOCK_SECONDS": "1.2"]) { _, new in new }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let seen = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(seen.contains("reading spending.csv:"))
        #expect(seen.contains("\r"))

        let file = Fixture.makeTempDir() + "/stderr.txt"
        let q = Process()
        q.executableURL = URL(fileURLWithPath: CLI.executable)
        q.arguments = ["reconcile", f.dir, "-o", out]
        q.environment = ProcessInfo.processInfo.environment.merging(["FUNDRECON_TEST_HOLD_LOCK_SECONDS": "1.2"]) { _, new in new }
        #expect(FileManager.default.createFile(atPath: file, contents: nil), "the test wrote its file")
        q.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        q.standardOutput = FileHandle.nullDevice
        try q.run()
        q.waitUntilExit()
        let logged = try String(contentsOfFile: file, encoding: .utf8)
        #expect(logged.contains("info fundrecon: read") && !logged.contains("reading ") && !logged.contains("\r"))
    }
}

@Suite(.serialized) struct NightlyScript {
    static func run(_ args: [String], environment: [String: String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [CLI.packageRoot + "/scripts/nightly"] + args
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    @Test func keepsTheLastReportsLogsAndPassesTheExitCodeThrough() throws {
        var f = Fixture()
        let out = Fixture.makeTempDir()
        let scope = URL(fileURLWithPath: f.dir).lastPathComponent
        f.write()
        let env = ["FUNDRECON_BIN": CLI.executable, "SOURCE_DATE_EPOCH": "1646092800"]
        // Earlier reports are read for their answers: real ones, under earlier dates.
        let first = Fixture.makeTempDir()
        _ = try CLI.run(["reconcile", f.dir, "-o", first, "--quiet"], environment: env)
        for date in ["2021-01-31", "2021-02-28", "2021-03-31"] {
            for ext in ["xlsx", "json"] {
                try FileManager.default.copyItem(atPath: "\(first)/reconciliation-\(scope)-2021-12-31.\(ext)",
                                                 toPath: "\(out)/reconciliation-\(scope)-\(date).\(ext)")
            }
        }
        #expect(try NightlyScript.run([f.dir, out, "2"], environment: env) == 0)
        let kept = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix("reconciliation-") }.sorted()
        #expect(kept == ["reconciliation-\(scope)-2021-03-31.json", "reconciliation-\(scope)-2021-03-31.xlsx",
                         "reconciliation-\(scope)-2021-12-31.json", "reconciliation-\(scope)-2021-12-31.xlsx"])
        let log = try String(contentsOfFile: out + "/nightly.log", encoding: .utf8)
        #expect(log.contains("== exit 0") && log.contains("info fundrecon: read"))
        // Findings: exit 1 passed through; the log grows.
        f.edit("transfers.csv", "T3,2021-03-21,F2,C,G2,40,", "T3,2021-03-21,F2,C,G2,50,")
        f.write()
        #expect(try NightlyScript.run([], environment: env.merging(["FUNDRECON_INPUT": f.dir, "FUNDRECON_OUTPUT": out]) { _, b in b }) == 1)
        #expect(try String(contentsOfFile: out + "/nightly.log", encoding: .utf8).contains("== exit 1"))
        #expect(try NightlyScript.run(["/no/such/scope", out], environment: env) == 2)
    }
}

@Suite(.serialized) struct WhatChangedOvernight {
    @Test func aSecondRunListsNewAndResolvedFindingsAndChangedTransfers() throws {
        var f = Fixture()
        // Night 1: one bad row (T5) and a failed transfer never replaced (T7, FL009).
        f.append("transfers.csv", "T5,2021-03-22,F2,C,G2,4O,ok,,补录")
        f.append("transfers.csv", "T7,2021-03-25,F1,C,K,3,failed,,账户异常")
        f.write()
        let out = Fixture.makeTempDir()
        let epoch = ["SOURCE_DATE_EPOCH": "1646092800"]
        #expect(try CLI.run(["reconcile", f.dir, "-o", out, "--quiet"], environment: epoch).status == 1)
        let name = "reconciliation-\(URL(fileURLWithPath: f.dir).lastPathComponent)-2021-12-31"

        // Night 2: a row added before T7 (its line moves), T2's amount changed, T5 fixed.
        f.edit("transfers.csv", "T5,2021-03-22,F2,C,G2,4O,ok,,补录", "T5,2021-03-22,F2,C,G2,1,ok,,补录\nT6,2021-04-12,F1,K,G1,5,ok,,追加")
        f.edit("transfers.csv", "T2,2021-03-20,F1,C,K,60,", "T2,2021-03-20,F1,C,K,50,")
        f.write()
        #expect(try CLI.run(["reconcile", f.dir, "-o", out, "--quiet"], environment: epoch).status == 1)

        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/\(name).json"))) as? [String: Any]
        let changes = try #require(json?["changes"] as? [String: Any])
        #expect(changes["previous"] as? String == "\(name).json")
        let edges = (changes["edges"] as? [[String: Any]] ?? []).map {
            "\($0["from"] ?? "")→\($0["to"] ?? ""):\($0["transferred_before_fen"] ?? ""):\($0["transferred_fen"] ?? "")"
        }
        // In project order (F1, then F2), then by units.
        #expect(edges == ["C→K:60000000:50000000", "K→G1:60000000:65000000", "C→G2:40000000:41000000"])
        let resolved = (changes["resolved_findings"] as? [[String: Any]] ?? []).map { $0["code"] as? String ?? "" }
        #expect(resolved == ["IN005"])
        let new = (changes["new_findings"] as? [[String: Any]] ?? []).map { "\($0["code"] ?? "") \($0["from"] ?? "")→\($0["to"] ?? "")" }
        #expect(new.contains("FL003 C→K") && new.contains("FL004 C→G2") && new.contains("FL004 K→G1"))
        // The failed transfer is the same finding on a new line: neither new nor resolved.
        #expect(!new.contains { $0.hasPrefix("FL009") } && !resolved.contains("FL009"))

        let sheet = try XLSXFile("\(out)/\(name).xlsx").sheet("变化")
        var rows: [(String, String, String)] = []
        for r in 2...max(sheet.lastRow, 2) {
            rows.append((sheet["A\(r)"]?.shown ?? "", sheet["B\(r)"]?.shown ?? "", "\(sheet["H\(r)"]?.shown ?? "")→\(sheet["I\(r)"]?.shown ?? "")"))
        }
        #expect(rows.filter { $0.0 == "已解决问题" }.map(\.1) == ["IN005"])
        #expect(rows.filter { $0.0 == "拨付变化" }.map(\.2) == ["C→K", "K→G1", "C→G2"])
        #expect(rows.filter { $0.0 == "新增问题" }.count == new.count)
        let k = try #require((2...sheet.lastRow).first { sheet["A\($0)"]?.shown == "拨付变化" && sheet["H\($0)"]?.shown == "C" && sheet["I\($0)"]?.shown == "K" })
        #expect(sheet["J\(k)"]?.value == "60" && sheet["K\(k)"]?.value == "50" && sheet["L\(k)"]?.value == "-10" && sheet["L\(k)"]?.formula == "K\(k)-J\(k)")
    }

    @Test func aFirstRunHasNoChangesSheet() throws {
        let f = Fixture()
        f.write()
        let out = Fixture.makeTempDir()
        _ = try CLI.run(["reconcile", f.dir, "-o", out, "--quiet"])
        let name = "reconciliation-\(URL(fileURLWithPath: f.dir).lastPathComponent)-2021-12-31"
        #expect(try XLSXFile("\(out)/\(name).xlsx").sheets.contains { $0.name == "变化" } == false)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/\(name).json"))) as? [String: Any]
        #expect(json?["changes"] == nil && (json?["edge_list"] as? [Any])?.count == 4)
    }
}
