import Foundation
import Testing
import Synchronization
@testable import FundreconCore

/// Answers typed into the workbook come back the next night: on the right finding after the
/// rows were sorted and the file saved by another program, asking for review when a figure
/// moved, kept when the finding is gone, never lost to an open or unreadable file.
@Suite(.serialized) struct AnswerRoundTrip {
    static let findingKey = ExplanationTests.key
    static let edgeKey = "edge|F1|C|K"
    static let environment = ["SOURCE_DATE_EPOCH": "1646092800"]

    struct Night {
        let status: Int32
        let stderr: String
        let workbook: String
        let json: [String: Any]
    }

    /// One nightly run of `f` into `out`; the report it names on stderr is read back.
    static func night(_ f: Fixture, _ out: String, base: String? = nil) throws -> Night {
        f.write()
        let r = try CLI.run(["reconcile", f.dir, "-o", out, "--quiet"], environment: environment)
        let name = base ?? "reconciliation-\(URL(fileURLWithPath: f.dir).lastPathComponent)-2021-12-31"
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/\(name).json"))) as? [String: Any]
        return Night(status: r.status, stderr: r.stderr, workbook: "\(out)/\(name).xlsx", json: try #require(json))
    }

    /// The answer cells of the row whose key is `key`, by header, as the workbook shows them.
    static func answerRow(_ workbook: String, sheet: String, key: String) throws -> [String: String]? {
        let file = try XLSXFile(workbook)
        let s = try file.sheet(sheet)
        var headers: [String: String] = [:]
        for column in (0..<30).map(SheetTable.columnLetter) { if let h = s["\(column)1"]?.shown { headers[h] = column } }
        let keyColumn = try #require(headers["问题键"])
        guard let row = (2...max(s.lastRow, 2)).first(where: { s["\(keyColumn)\($0)"]?.shown == key }) else { return nil }
        var out: [String: String] = [:]
        for name in ["处理状态", "情况说明", "责任人", "日期", "复核提示", "说明时数值"] {
            out[name] = headers[name].flatMap { s["\($0)\(row)"]?.shown } ?? ""
        }
        out["代码"] = headers["代码"].flatMap { s["\($0)\(row)"]?.shown } ?? ""
        return out
    }

    static func jsonFinding(_ night: Night, key: String) -> [String: Any]? {
        (night.json["findings"] as? [[String: Any]])?.first { $0["key"] as? String == key }
    }

    static func jsonEdge(_ night: Night, _ project: String, _ from: String, _ to: String) -> [String: Any]? {
        (night.json["edge_list"] as? [[String: Any]])?.first { $0["project"] as? String == project && $0["from"] as? String == from && $0["to"] as? String == to }
    }

    static func answer(_ workbook: String, finding text: String, status: String = "已说明", rich: Bool = false) throws {
        var book = try WorkbookEditor(workbook)
        try book.answer(sheet: "异常清单", key: findingKey, ["处理状态": status, "情况说明": text, "责任人": "张会计", "日期": "2022-01-05"], rich: rich)
        try book.save(to: workbook)
    }

    /// Yesterday's workbook is read while the run reconciles (`EarlierAnswers`); an answer
    /// saved after that early read is still the one the run takes, and a file left as it was
    /// is not read twice.
    @Test func anAnswerSavedDuringTheRunIsReadAgainAndAnUnchangedWorkbookOnlyOnce() throws {
        let f = ExplanationTests.scope(), out = Fixture.makeTempDir()
        let first = try Self.night(f, out)
        try Self.answer(first.workbook, finding: "第一次说明")
        let scope = URL(fileURLWithPath: f.dir).lastPathComponent
        let earlier = EarlierAnswers(folder: out, scope: scope)
        func text() throws -> String? {
            let reads = earlier.answers(target: first.workbook)
            #expect(reads.map(\.path) == [first.workbook])
            return try reads.first?.answers.get().byKey[Self.findingKey]?.text
        }
        #expect(try text() == "第一次说明")
        #expect(try text() == "第一次说明")
        #expect(earlier.reads.load(ordering: .relaxed) == 1)
        try Self.answer(first.workbook, finding: "运行期间保存的说明")
        #expect(try text() == "运行期间保存的说明")
        #expect(earlier.reads.load(ordering: .relaxed) == 2)
    }

    @Test(arguments: [false, true])
    func answersSavedByAnotherProgramFollowTheirRowsTheNextNight(throughLibreOffice: Bool) throws {
        if throughLibreOffice && LibreOffice.path == nil {
            #expect(!LibreOffice.required, "LibreOffice is required here and missing")
            return
        }
        let f = ExplanationTests.scope(), out = Fixture.makeTempDir()
        let first = try Self.night(f, out)
        #expect(first.status == 1)
        var book = try WorkbookEditor(first.workbook)
        try book.answer(sheet: "异常清单", key: Self.findingKey,
                        ["处理状态": "已说明", "情况说明": "补拨审批在途，见韶财工〔2021〕9号 & 附件", "责任人": "张会计", "日期": "2022-01-05"], rich: true)
        try book.answer(sheet: "市→县", key: Self.edgeKey, ["处理状态": "不适用", "情况说明": "县级配套，不在本专项", "责任人": "李科长"],
                        numbers: ["日期": 44_567])
        try book.reverseRows(sheet: "异常清单")
        book.addSheet("备注", note: "财务科 2022-01-05 审阅")
        try book.save(to: first.workbook)
        if throughLibreOffice { try LibreOffice.resave(first.workbook) }

        let second = try Self.night(f, out)
        // The one error is explained: the run no longer fails on it.
        #expect(second.status == 0, "\(second.stderr)")
        let row = try #require(try Self.answerRow(second.workbook, sheet: "异常清单", key: Self.findingKey))
        #expect(row["处理状态"] == "已说明" && row["情况说明"] == "补拨审批在途，见韶财工〔2021〕9号 & 附件")
        #expect(row["责任人"] == "张会计" && row["日期"] == "2022-01-05" && row["复核提示"] == "")
        let edge = try #require(try Self.answerRow(second.workbook, sheet: "市→县", key: Self.edgeKey))
        #expect(edge["处理状态"] == "不适用" && edge["情况说明"] == "县级配套，不在本专项" && edge["责任人"] == "李科长")
        // A date typed as a date (Excel keeps its serial day) reads back as the date.
        #expect(edge["日期"] == "2022-01-06", "\(edge)")
        let finding = try #require(Self.jsonFinding(second, key: Self.findingKey))
        let said = try #require(finding["explanation"] as? [String: Any])
        #expect(said["status"] as? String == "explained" && said["owner"] as? String == "张会计")
        let edgeJSON = try #require(Self.jsonEdge(second, "F1", "C", "K")?["explanation"] as? [String: Any])
        #expect(edgeJSON["status"] as? String == "not-applicable" && edgeJSON["text"] as? String == "县级配套，不在本专项")
        // --strict counts it again.
        let strict = try CLI.run(["reconcile", f.dir, "-o", out, "--quiet", "--strict"], environment: Self.environment)
        #expect(strict.status == 1)
    }

    @Test func aFigureThatMovedAsksForReviewWithBothFiguresUntilAnsweredAgain() throws {
        var f = ExplanationTests.scope()
        let out = Fixture.makeTempDir()
        let first = try Self.night(f, out)
        try Self.answer(first.workbook, finding: "补拨审批在途")
        f.edit("transfers.csv", "T3,2021-03-21,F2,C,G2,40,", "T3,2021-03-21,F2,C,G2,45,")
        let second = try Self.night(f, out)
        #expect(second.status == 1)
        #expect((Self.jsonFinding(second, key: Self.findingKey)?["explanation"] as? [String: Any])?["status"] as? String == "review")
        let row = try #require(try Self.answerRow(second.workbook, sheet: "异常清单", key: Self.findingKey))
        #expect(row["处理状态"] == "需复核" && row["情况说明"] == "补拨审批在途")
        #expect(row["复核提示"]?.contains("金额 原 40 万元，现 45 万元") == true, "\(row)")
        let review = try #require((Self.jsonFinding(second, key: Self.findingKey)?["explanation"] as? [String: Any])?["review"] as? [String: Any])
        #expect(review["amount_fen_before"] as? Int == 40_000_000 && review["amount_fen_now"] as? Int == 45_000_000)
        // Untouched, the review stays, with the figure it was answered against.
        let third = try Self.night(f, out)
        let still = try #require(try Self.answerRow(third.workbook, sheet: "异常清单", key: Self.findingKey))
        #expect(still["处理状态"] == "需复核" && still["复核提示"]?.contains("原 40 万元") == true)
        // Answered again on the new figure: settled.
        try Self.answer(third.workbook, finding: "补拨 45 万元已核实")
        let fourth = try Self.night(f, out)
        // (The city now passes on more than it received: that error stays, unanswered.)
        let settledJSON = try #require(Self.jsonFinding(fourth, key: Self.findingKey)?["explanation"] as? [String: Any])
        #expect(settledJSON["status"] as? String == "explained" && settledJSON["review"] == nil)
        let settled = try #require(try Self.answerRow(fourth.workbook, sheet: "异常清单", key: Self.findingKey))
        #expect(settled["处理状态"] == "已说明" && settled["情况说明"] == "补拨 45 万元已核实" && settled["复核提示"] == "", "\(settled)")
    }

    @Test func anAnswerWhoseFindingIsGoneIsKeptUnderChangesAndComesBackWithIt() throws {
        var f = ExplanationTests.scope()
        let out = Fixture.makeTempDir()
        let first = try Self.night(f, out)
        try Self.answer(first.workbook, finding: "补拨审批在途")
        f.edit("plan.csv", "4,F1,K,G1,60,competitive,,2021-05-31\n", "3,F2,C,G2,40,competitive,,2021-04-30\n4,F1,K,G1,60,competitive,,2021-05-31\n")
        for night in 2...3 {
            let n = try Self.night(f, out)
            #expect(n.status == 0)
            #expect(Self.jsonFinding(n, key: Self.findingKey) == nil)
            let row = try #require(try Self.answerRow(n.workbook, sheet: "变化", key: Self.findingKey), "night \(night)")
            #expect(row["处理状态"] == "已说明" && row["情况说明"] == "补拨审批在途" && row["代码"] == "FL001", "night \(night)")
            let kept = try #require(n.json["explanations_kept"] as? [[String: Any]])
            #expect(kept.count == 1 && kept.first?["key"] as? String == Self.findingKey && kept.first?["code"] as? String == "FL001")
        }
        f.edit("plan.csv", "3,F2,C,G2,40,competitive,,2021-04-30\n", "")
        let back = try Self.night(f, out)
        #expect(back.status == 0)
        #expect((Self.jsonFinding(back, key: Self.findingKey)?["explanation"] as? [String: Any])?["text"] as? String == "补拨审批在途")
        #expect(back.json["explanations_kept"] == nil)
    }

    @Test func anOpenWorkbookIsReadAndTheNewReportGoesBesideItUntilItIsClosed() throws {
        let f = ExplanationTests.scope(), out = Fixture.makeTempDir()
        let first = try Self.night(f, out)
        try Self.answer(first.workbook, finding: "补拨审批在途")
        let name = URL(fileURLWithPath: first.workbook).lastPathComponent
        let lock = "\(out)/~$\(name.dropFirst(2))"
        #expect(FileManager.default.createFile(atPath: lock, contents: Data("张会计".utf8)), "the test wrote its file")
        let before = try Data(contentsOf: URL(fileURLWithPath: first.workbook))
        let base = String(name.dropLast(5))
        let second = try Self.night(f, out, base: base + "-2")
        #expect(second.stderr.contains("is open") && second.stderr.contains(base + "-2.xlsx"), "\(second.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: first.workbook)) == before)
        #expect(try Self.answerRow(second.workbook, sheet: "异常清单", key: Self.findingKey)?["情况说明"] == "补拨审批在途")
        // Saved and closed later, with one more answer: the next night reads both files.
        var book = try WorkbookEditor(first.workbook)
        try book.answer(sheet: "市→县", key: Self.edgeKey, ["处理状态": "已说明", "情况说明": "已核对"])
        try book.save(to: first.workbook)
        try FileManager.default.removeItem(atPath: lock)
        let third = try Self.night(f, out)
        #expect(try Self.answerRow(third.workbook, sheet: "异常清单", key: Self.findingKey)?["情况说明"] == "补拨审批在途")
        #expect(try Self.answerRow(third.workbook, sheet: "市→县", key: Self.edgeKey)?["情况说明"] == "已核对")
        let left = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix("reconciliation-") }.sorted()
        #expect(left == [base + ".json", base + ".xlsx"])
    }

    @Test func anEarlierWorkbookThatCannotBeReadStopsTheRunAndIsLeftAsItWas() throws {
        let f = ExplanationTests.scope(), out = Fixture.makeTempDir()
        let first = try Self.night(f, out)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: first.workbook))
        bytes.replaceSubrange(bytes.count / 2..<(bytes.count / 2 + 64), with: Data(repeating: 0x41, count: 64))
        try bytes.write(to: URL(fileURLWithPath: first.workbook))
        let json = try Data(contentsOf: URL(fileURLWithPath: first.workbook.replacingOccurrences(of: ".xlsx", with: ".json")))
        let r = try CLI.run(["reconcile", f.dir, "-o", out, "--quiet"], environment: Self.environment)
        #expect(r.status == 3)
        #expect(r.stderr.contains("cannot read the answers in \(first.workbook)") && r.stderr.contains("left as it was"), "\(r.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: first.workbook)) == bytes)
        #expect(try Data(contentsOf: URL(fileURLWithPath: first.workbook.replacingOccurrences(of: ".xlsx", with: ".json"))) == json)
    }

    @Test func exportWritesEveryAnswerSortedAndReconcileAndCheckReadItBack() throws {
        var f = ExplanationTests.scope()
        let out = Fixture.makeTempDir()
        let first = try Self.night(f, out)
        var book = try WorkbookEditor(first.workbook)
        try book.answer(sheet: "异常清单", key: Self.findingKey, ["处理状态": "已说明", "情况说明": "补拨审批在途, 见\"9号\"", "责任人": "张会计"])
        try book.answer(sheet: "市→县", key: Self.edgeKey, ["处理状态": "不适用", "情况说明": "县级配套"])
        try book.save(to: first.workbook)
        let scope = URL(fileURLWithPath: f.dir).lastPathComponent
        let export = try CLI.run(["explanations", "export", out])
        #expect(export.status == 0, "\(export.stderr)")
        let lines = export.stdout.split(separator: "\n").map(String.init)
        #expect(lines == [
            "scope,key,status,explanation,owner,date,figure,code,about",
            "\(scope),\(Self.findingKey),explained,\"补拨审批在途, 见\"\"9号\"\"\",张会计,,40000000/,FL001,\(try #require(Self.jsonFinding(first, key: Self.findingKey)?["message"] as? String))",
            "\(scope),\(Self.edgeKey),not-applicable,县级配套,,,0/,,F1 韶关市财政局 → 乳源县财政局",
        ], "\(export.stdout)")
        // One scope of several, into a file; an unknown folder is exit 2.
        let written = Fixture.makeTempDir() + "/answers.csv"
        let scoped = try CLI.run(["explanations", "export", out, "--scope", scope, "-o", written])
        #expect(scoped.status == 0 && scoped.stdout.isEmpty)
        #expect(try String(contentsOfFile: written, encoding: .utf8) == export.stdout)
        #expect(try CLI.run(["explanations", "export", out, "--scope", "another"]).stdout == lines[0] + "\n")
        #expect(try CLI.run(["explanations", "export", "/no/such/folder"]).status == 2)
        let file = writeTemp(Array(export.stdout.utf8), name: "answers.csv")
        // Into an empty folder, and for CI on uploads: the same answers from the file alone.
        let fresh = Fixture.makeTempDir()
        f.write()
        let again = try CLI.run(["reconcile", f.dir, "-o", fresh, "--quiet", "--explanations", file], environment: Self.environment)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Self.answerRow("\(fresh)/reconciliation-\(scope)-2021-12-31.xlsx", sheet: "市→县", key: Self.edgeKey)?["情况说明"] == "县级配套")
        f.edit("transfers.csv", "T4,2021-04-10,F1,K,G1,60,ok,,", "T4,2021-04-10,F1,K,G1,60,ok,,\nT5,2021-04-11,F2,C,G2,,ok,,")
        f.write()
        let check = try CLI.run(["check", f.dir, "--baseline", first.workbook, "--format", "json"])
        #expect(check.stdout.contains("\"explanation\":{\"status\":\"explained\""), "\(check.stdout)")
    }

    @Test func aCopyWrittenBesideAnOpenWorkbookIsRemovedOnlyOnceTheReportHoldingItsAnswersIsWritten() throws {
        let f = ExplanationTests.scope(), out = Fixture.makeTempDir()
        let first = try Self.night(f, out)
        let name = URL(fileURLWithPath: first.workbook).lastPathComponent, base = String(name.dropLast(5))
        let lock = "\(out)/~$\(name.dropFirst(2))"
        #expect(FileManager.default.createFile(atPath: lock, contents: Data()), "the test wrote its file")
        let second = try Self.night(f, out, base: base + "-2")
        try Self.answer(second.workbook, finding: "在副本里答复")
        try FileManager.default.removeItem(atPath: lock)
        // The report cannot be put in place tonight (a folder stands at its name): the copy stays.
        try FileManager.default.removeItem(atPath: first.workbook)
        try FileManager.default.createDirectory(atPath: first.workbook, withIntermediateDirectories: false)
        let failed = try CLI.run(["reconcile", f.dir, "-o", out, "--quiet"], environment: Self.environment)
        #expect(failed.status == 3)
        // (Read by the library: the copy's answers are shared strings, which answerRow does not resolve.)
        #expect(try Explanations.read(workbook: second.workbook).byKey[Self.findingKey]?.text == "在副本里答复")
        try FileManager.default.removeItem(atPath: first.workbook)
        let third = try Self.night(f, out)
        #expect(try Self.answerRow(third.workbook, sheet: "异常清单", key: Self.findingKey)?["情况说明"] == "在副本里答复")
        #expect(!FileManager.default.fileExists(atPath: second.workbook))
    }

    @Test func answersOnASheetThatLostItsKeyColumnStopTheRunRatherThanBeingLost() throws {
        let f = ExplanationTests.scope(), out = Fixture.makeTempDir()
        let first = try Self.night(f, out)
        var book = try WorkbookEditor(first.workbook)
        try book.answer(sheet: "异常清单", key: Self.findingKey, ["处理状态": "已说明", "情况说明": "补拨审批在途"])
        try book.deleteColumn(sheet: "异常清单", header: "问题键")
        try book.save(to: first.workbook)
        let before = try Data(contentsOf: URL(fileURLWithPath: first.workbook))
        let r = try CLI.run(["reconcile", f.dir, "-o", out, "--quiet"], environment: Self.environment)
        #expect(r.status == 3)
        #expect(r.stderr.contains("has answers (row") && r.stderr.contains("问题键"), "\(r.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: first.workbook)) == before)
        // Without answers, a sheet without its key column is no reason to stop.
        let other = Fixture.makeTempDir()
        let fresh = try Self.night(f, other)
        var unanswered = try WorkbookEditor(fresh.workbook)
        try unanswered.deleteColumn(sheet: "异常清单", header: "问题键")
        try unanswered.save(to: fresh.workbook)
        #expect(try CLI.run(["reconcile", f.dir, "-o", other, "--quiet"], environment: Self.environment).status == 1)
    }
}
