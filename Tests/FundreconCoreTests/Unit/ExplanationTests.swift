import Foundation
import Testing
@testable import FundreconCore

/// Explanations read from a CSV file: carried to their findings by key, and an explained
/// finding no longer fails a run on its own.
@Suite struct ExplanationTests {
    /// The fixture with the city's transfer to G2 made without a plan line (FL001, its only error).
    static func scope() -> Fixture {
        var f = Fixture()
        f.edit("plan.csv", "3,F2,C,G2,40,competitive,,2021-04-30\n", "")
        return f
    }

    static let key = "FL001|transfers.csv|F2|C|G2|"

    static func explanations(_ csv: String) throws -> Explanations {
        try Explanations.read(csv: writeTemp(Array(csv.utf8), name: "explanations.csv"))
    }

    @Test func aFindingCarriesTheExplanationOfItsKey() throws {
        let answers = try Self.explanations("键,处理状态,说明,责任人,日期\n\(Self.key),已说明,补拨审批在途,张会计,2022年1月5日\n")
        var findings = Self.scope().reconcile().findings
        #expect(answers.apply(to: &findings).isEmpty)
        let hit = try #require(findings.first { $0.code == .FL001 })
        #expect(hit.explanation?.status == .explained && hit.explanation?.text == "补拨审批在途")
        #expect(hit.explanation?.owner == "张会计" && hit.explanation?.date == "2022年1月5日")
        #expect(Diagnostics.json(hit, .zh).contains("\"explanation\":{\"status\":\"explained\",\"text\":\"补拨审批在途\",\"owner\":\"张会计\",\"date\":\"2022年1月5日\"}"))
        #expect(Diagnostics.line(hit, format: .text, language: .zh).hasSuffix("（已说明）"))
    }

    @Test func explainedOrNotApplicableNoLongerFailsTheRunButStrictAndCorrectedDo() throws {
        let f = Self.scope()
        #expect(f.reconcile().exitCode(failOn: .error) == 1)
        for (status, fails) in [("已说明", false), ("not applicable", false), ("已更正", true), ("待处理", true), ("", true)] {
            let answers = try Self.explanations("key,status,explanation\n\(Self.key),\(status),x\n")
            let r = Reconciler.run(ScopeSources.folder(f.dir, existing: FileSystem.isFile), settings: Settings(),
                                   today: day("2022-03-01"), fileExists: FileSystem.isFile, explanations: answers)
            #expect(r.findings(.FL001).first?.explanation != nil)
            #expect(r.exitCode(failOn: .error) == (fails ? 1 : 0), "\(status)")
            #expect(r.exitCode(failOn: .error, strict: true) == 1, "\(status)")
        }
    }

    @Test func EX001_anExplanationWhoseFindingIsNotThereIsReported() throws {
        let answers = try Self.explanations("key,status,explanation\n\(Self.key),explained,x\nFL001|transfers.csv|F1|C|G1|,explained,y\n")
        var findings = Self.scope().reconcile().findings
        let reported = answers.apply(to: &findings)
        #expect(reported.map(\.code) == [.EX001] && reported.first?.primary.line == 3)
        #expect(reported.first?.primary.file.hasSuffix("explanations.csv") == true && reported.first?.severity == .warning)
    }

    @Test func EX001_quietWhenEveryExplanationFindsItsFinding() throws {
        var findings = Self.scope().reconcile().findings
        #expect(try Self.explanations("key,status\n\(Self.key),已说明\n").apply(to: &findings).isEmpty)
    }

    @Test func EX002_rowsThatCannotBeUsedAreReportedAndDoNothing() throws {
        let answers = try Self.explanations("key,status,explanation\n\(Self.key),处理中,x\n,已说明,no key\n\(Self.key),已说明,y\n\(Self.key),不适用,z\n,,\n")
        #expect(answers.problems.map(\.code) == [.EX002, .EX002, .EX002])
        #expect(answers.problems.map(\.primary.line) == [2, 3, 5])
        #expect(answers.byKey[Self.key]?.text == "y")
    }

    @Test func EX002_quietOnAWellFormedFile() throws {
        #expect(try Self.explanations("key,status\n\(Self.key),已说明\n").problems.isEmpty)
    }

    @Test func aFileWithoutAKeyColumnCannotBeUsed() {
        #expect(throws: ExplanationFileError.self) { try Self.explanations("status,explanation\n已说明,x\n") }
        #expect(throws: ExplanationFileError.self) { try Explanations.read(csv: "/no/such/explanations.csv") }
    }

    @Test func checkWithABaselineFailsOnlyOnWhatIsNotExplained() throws {
        let f = Self.scope()
        f.write()
        let baseline = writeTemp(Array("key,status,explanation\n\(Self.key),已说明,补拨审批在途\n".utf8), name: "baseline.csv")
        #expect(try CLI.run(["check", f.dir]).status == 1)
        let explained = try CLI.run(["check", f.dir, "--baseline", baseline, "--format", "json"])
        #expect(explained.status == 0 && explained.stdout.contains("\"status\":\"explained\""))
        #expect(try CLI.run(["check", f.dir, "--baseline", baseline, "--strict"]).status == 1)
        #expect(try CLI.run(["check", f.dir, "--baseline", "/no/such.csv"]).status == 2)
    }

    @Test func reconcileCarriesExplanationsIntoTheJSON() throws {
        let f = Self.scope()
        f.write()
        let answers = writeTemp(Array("key,status,explanation,owner\n\(Self.key),不适用,年中追加,李科长\n".utf8), name: "answers.csv")
        let out = Fixture.makeTempDir()
        let run = try CLI.run(["reconcile", f.dir, "-o", out, "--explanations", answers, "--quiet"], environment: ["SOURCE_DATE_EPOCH": "1646092800"])
        let json = try String(contentsOfFile: try #require(FileManager.default.contentsOfDirectory(atPath: out).first { $0.hasSuffix(".json") }
            .map { out + "/" + $0 }), encoding: .utf8)
        #expect(json.contains("\"explanation\":{\"status\":\"not-applicable\",\"text\":\"年中追加\",\"owner\":\"李科长\",\"date\":\"\"}"))
        // The fixture's only error is explained away.
        #expect(run.status == 0)
    }
}
