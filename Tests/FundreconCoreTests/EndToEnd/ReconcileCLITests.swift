import Foundation
import Testing
@testable import FundreconCore

@Suite(.serialized) struct ReconcileCommand {
    let epoch = ["SOURCE_DATE_EPOCH": "1646092800"]  // 2022-03-01

    @Test func writesTheJSONReportNamedAfterScopeAndAsOfDate() throws {
        let f = Fixture()
        f.write()
        let out = Fixture.makeTempDir() + "/reports"
        let r = try CLI.run(["reconcile", f.dir, "-o", out], environment: epoch)
        #expect(r.status == 0, "\(r.stderr)")
        let scope = URL(fileURLWithPath: f.dir).lastPathComponent
        let path = "\(out)/reconciliation-\(scope)-2021-12-31.json"
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(json?["scope"] as? String == scope)
        #expect(json?["generated_at"] as? String == "2022-03-01T00:00:00Z")
        let totals = json?["totals"] as? [String: Any]
        let hops = totals?["hops"] as? [[String: Any]]
        #expect(hops?.map { $0["hop"] as? String ?? "" } == ["province-city", "city-county", "city-grantee", "county-grantee"])
        #expect(hops?.first?["planned"] as? String == "100" && hops?.first?["transferred_fen"] as? Int == 100_000_000)
        let inputs = json?["inputs"] as? [[String: Any]]
        #expect(inputs?.count == 6 && inputs?.allSatisfy { ($0["sha256"] as? String)?.count == 64 } == true)
        #expect((json?["edges"] as? [String: Int])?["matched"] == 4)
        #expect((json?["counts"] as? [String: Int])?["error"] == 0)
        let workbook = try XLSXFile(path.replacingOccurrences(of: ".json", with: ".xlsx"))
        #expect(workbook.sheets.first?.name == "概览")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix(AtomicFile.temporaryPrefix) }
        #expect(leftovers.isEmpty)
    }

    @Test func theSameInputsGiveTheSameBytesUnderSourceDateEpoch() throws {
        var f = Fixture()
        f.edit("transfers.csv", "T3,2021-03-21,F2,C,G2,40,", "T3,2021-03-21,F2,C,G2,30,")
        f.write()
        let a = Fixture.makeTempDir(), b = Fixture.makeTempDir()
        _ = try CLI.run(["reconcile", f.dir, "-o", a], environment: epoch)
        _ = try CLI.run(["reconcile", f.dir, "-o", b], environment: epoch)
        let name = "reconciliation-\(URL(fileURLWithPath: f.dir).lastPathComponent)-2021-12-31.json"
        for file in [name, name.replacingOccurrences(of: ".json", with: ".xlsx")] {
            let first = try Data(contentsOf: URL(fileURLWithPath: "\(a)/\(file)"))
            let second = try Data(contentsOf: URL(fileURLWithPath: "\(b)/\(file)"))
            #expect(!first.isEmpty && first == second, "\(file)")
        }
    }

    @Test func findingsExitOneAndAsOfMovesTheDeadline() throws {
        var f = Fixture()
        f.edit("transfers.csv", "T3,2021-03-21,F2,C,G2,40,ok,,\n", "")
        f.files["spending.csv"] = nil
        f.write()
        let out = Fixture.makeTempDir()
        let late = try CLI.run(["reconcile", f.dir, "-o", out, "--lang", "en"], environment: epoch)
        #expect(late.status == 1 && late.stderr.contains("error[FL002]"))
        let early = try CLI.run(["reconcile", f.dir, "-o", out, "--as-of", "2021-04-15"], environment: epoch)
        #expect(early.status == 0, "\(early.stderr)")
        #expect(FileManager.default.fileExists(atPath: "\(out)/reconciliation-\(URL(fileURLWithPath: f.dir).lastPathComponent)-2021-04-15.json"))
    }

    @Test func anUnwritableOutputExitsThreeAndBadArgumentsTwo() throws {
        let f = Fixture()
        f.write()
        let blocker = Fixture.makeTempDir() + "/not-a-folder"
        #expect(FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8)), "the test wrote its file")
        #expect(try CLI.run(["reconcile", f.dir, "-o", blocker]).status == 3)
        #expect(try CLI.run(["reconcile", f.dir, "--as-of", "5/20/2021"]).status == 2)
        #expect(try CLI.run(["reconcile", "/no/such/scope"]).status == 2)
    }
}

@Suite struct SampleReconciliation {
    /// What the Shaoguan 2021 self-evaluation implies, found in the sample Inputs/.
    @Test func reconcileFindsWhatTheSeedDocumentImplies() {
        let dir = CLI.packageRoot + "/Inputs"
        let r = Reconciler.run(ScopeSources.folder(dir, existing: FileSystem.isFile), settings: Settings(),
                               today: Day(year: 2026, month: 11, day: 23)!, fileExists: FileSystem.isFile)
        #expect(r.period.asOf == Day(year: 2021, month: 12, day: 31))
        // 750 万元 down from the province, 749.8986 万元 spent: the 0.1014 万元 payment failed.
        #expect(r.totals.hops.first { $0.hop == Hop(from: .province, to: .city) }?.transferred == 750_000_000)
        let city = r.balances.first { r.scope.entities[$0.unit].id == "SG" }
        #expect(city?.received == 750_000_000 && city?.passedOn + city?.spent == 749_898_600 && city?.failed == 101_400)
        #expect(r.findings(.BL004).count == 1 && r.findings(.BL004).first?.amount == 101_400)
        #expect(r.findings(.BL002).first?.amount == 101_400)
        #expect(r.findings(.BL003).first?.message.zh.contains("99.99%") == true)
        // Item 1: four of the six grantees planned at 50 万元 were never paid.
        #expect(r.findings(.FL002).count == 4 && r.findings(.FL002).allSatisfy { $0.project == "CJ01" })
        // The indicators: 0.11 read as 11 %, "培育中" unreadable, two qualitative targets.
        #expect(r.findings(.PI004).count == 1 && r.findings(.PI002).count == 1 && r.findings(.PI005).count == 2)
        #expect(r.findings(.PI001).isEmpty)
        #expect(r.scope.stats.allSatisfy { $0.rowsRejected == 0 })
    }
}

private func + (a: Fen?, b: Fen?) -> Fen? {
    guard let a, let b else { return nil }
    return a + b
}
