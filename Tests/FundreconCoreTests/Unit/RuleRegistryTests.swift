import Foundation
import Testing
@testable import FundreconCore

/// The registry is the one list of rules: what a run runs and what it reports as skipped
/// both come from it.
@Suite struct RuleRegistryTests {
    /// The IN codes judge input rows as they stream, the EX codes an explanations file as it
    /// is read: neither is a rule of the registry.
    private static let ruleCodes = RuleCode.allCases.filter { !$0.rawValue.hasPrefix("IN") && !$0.rawValue.hasPrefix("EX") }

    @Test func everyNonInputCodeHasExactlyOneRuleInReconcile() {
        var owners: [RuleCode: [String]] = [:]
        for rule in RuleRegistry.all {
            for code in rule.codes(in: .reconcile) { owners[code, default: []].append(rule.name) }
        }
        for code in Self.ruleCodes {
            #expect(owners[code]?.count == 1, "\(code): \(owners[code] ?? [])")
        }
        #expect(owners.keys.allSatisfy { !$0.rawValue.hasPrefix("IN") })
    }

    @Test func checkRunsThePlanRulesAndTheFlowRulesThatNeedNoPeriod() {
        let codes = Set(RuleRegistry.all.flatMap { $0.codes(in: .check) })
        #expect(codes == [.PL001, .PL002, .PL003, .PL004, .FL001, .FL007, .RC001, .RC002, .RC003, .RC004, .RC005, .RC006])
    }

    @Test func aCleanScopeSkipsNothing() {
        let result = Fixture().reconcile()
        #expect(result.skippedRules.isEmpty)
    }

    /// Each input's absence skips exactly the rules that declare it, in both runs. (Without
    /// receipts.csv its rules do not apply at all: `ReceiptRuleTests`.)
    @Test func skippedRulesAreTheRulesThatNeedAMissingFile() {
        for file in ["projects.csv", "plan.csv", "transfers.csv", "spending.csv", "indicators.csv"] {
            var f = Fixture()
            f.files["receipts.csv"] = "voucher,date,project,from,to,amount\nR1,2021-03-03,F,P,C,100\n"
            f.files[file] = nil
            let input = InputFile.allCases.first { $0.fileName == file }
            let expectedReconcile = Set(RuleRegistry.all.filter { $0.needs.contains { $0 == input } }.flatMap { $0.codes(in: .reconcile) })
            let expectedCheck = Set(RuleRegistry.all.filter { $0.needs.contains { $0 == input } }.flatMap { $0.codes(in: .check) })
            let reconciled = f.reconcile()
            #expect(Set(reconciled.skippedRules) == expectedReconcile, "\(file)")
            #expect(!expectedReconcile.isEmpty, "\(file) is needed by some rule")
            let checked = f.check()
            #expect(Set(checked.skippedRules) == expectedCheck, "\(file)")
            // A skipped rule reports nothing.
            #expect(!reconciled.findings.contains { expectedReconcile.contains($0.code) }, "\(file)")
        }
    }

    @Test func withoutSpendingTheFailedPaymentRuleIsSkippedAndTheBalancesStillRun() {
        var f = Fixture()
        f.files["spending.csv"] = nil
        let result = f.reconcile()
        #expect(result.skippedRules == [.BL004])
        #expect(!result.balances.isEmpty)
    }

    /// The plan's rules other than PL001 need the projects: without them they neither run
    /// nor pass for having run.
    @Test func planRulesBeyondPL001NeedProjects() {
        var f = Fixture()
        f.files["projects.csv"] = nil
        let result = f.check()
        for code in [RuleCode.PL001, .PL002, .PL003, .PL004, .FL001, .FL007] {
            #expect(result.skippedRules.contains(code), "\(code)")
        }
    }
}

/// What a rule saw of the receipt book when it ran, told in its finding.
private struct ReceiptBookProbe: Rule {
    let code: RuleCode
    let needs: [InputFile]
    var name: String { "probe \(code)" }
    func codes(in kind: RunKind) -> [RuleCode] { [code] }
    func run(part: Int, of parts: Int, _ context: RuleContext) -> RuleOutput {
        var out = RuleOutput()
        let seen = context.ledger.receipts == nil ? "none" : "\(context.ledger.receipts?.book.count ?? 0) receipts"
        out.log.add(Finding(code, Message(zh: seen, en: seen), at: SourceRef(file: name)))
        return out
    }

    /// What is left of receipts.csv once the runs are done: its rows, and its voucher tables.
    func finish(_ outputs: inout [RuleOutput], _ context: RuleContext) {
        guard let r = context.ledger.receipts else { return }
        let seen = "finish: \(r.book.count) receipts, \(r.vouchers.receipts.count) voucher tables"
        outputs[0].log.add(Finding(code, Message(zh: seen, en: seen), at: SourceRef(file: name)))
    }
}

@Suite struct RuleRoundTests {
    private func context(_ fixture: Fixture) -> RuleContext {
        fixture.write()
        let loader = ScopeLoader(settings: Settings(), encoding: .auto, fileExists: FileSystem.isFile)
        let sources = ScopeSources.folder(fixture.dir, existing: FileSystem.isFile)
        let book = LedgerBook(loader.load(sources, books: LedgerBook.books()), vouchers: loader.takeVouchers())
        let never = Day(daysSinceEpoch: 0)
        return RuleContext(kind: .reconcile, scope: loader.scope, ledger: book.seal(unitIndex: true), settings: Settings(),
                           period: Period(start: never, end: never, asOf: never), tree: ProjectTree(loader.scope.projects))
    }

    /// The receipt book is the largest thing read after the transfers: the rules that read it
    /// run first, and the others only once it is let go, so the two never peak together.
    @Test func rulesThatDoNotReadReceiptsRunAfterTheReceiptBookIsLetGo() {
        var f = Fixture()
        f.files["receipts.csv"] = "voucher,date,project,from,to,amount\nR1,2021-03-03,F,P,C,100\nR2,2021-03-04,F,P,C,1\n"
        // Listed with the other rule first: the rounds, not the list, decide when each runs.
        let probes: [any Rule] = [ReceiptBookProbe(code: .BL001, needs: [.transfers]),
                                  ReceiptBookProbe(code: .RC001, needs: [.transfers, .receipts])]
        let (outputs, skipped) = RuleRegistry.run(context(f), of: probes)
        #expect(skipped.isEmpty)
        // Outputs stay in the list's order whatever the rounds.
        #expect(outputs.map { $0.log.findings.first?.code } == [.BL001, .RC001])
        #expect(outputs.map { $0.log.findings.first?.message.en } == ["none", "2 receipts"])
    }

    /// The finishes of the first round spell the listed rows' vouchers, which needs the voucher
    /// tables and no row: the rows are let go before them, when the matching's reports are
    /// joined (at the run's peak).
    @Test func theReceiptsRowsAreLetGoBeforeTheFinishesAndTheirVoucherTablesAfter() {
        var f = Fixture()
        f.files["receipts.csv"] = "voucher,date,project,from,to,amount,ref\nR1,2021-03-03,F,P,C,100,T1\nR2,2021-03-04,F,P,C,1,\n"
        let probes: [any Rule] = [ReceiptBookProbe(code: .RC001, needs: [.transfers, .receipts])]
        let (outputs, _) = RuleRegistry.run(context(f), of: probes)
        #expect(outputs.first?.log.findings.map(\.message.en) == ["2 receipts", "finish: 0 receipts, 1 voucher tables"])
    }

    /// Every finding of a province (hundreds of thousands) is held through the rules; an
    /// answer, which few have, is kept out of line.
    /// The matching lists a third of a million rows at province scale, held through the rules.
    @Test func aMatchedRowIsFortyBytes() {
        #expect(MemoryLayout<MatchedRow>.stride <= 40, "\(MemoryLayout<MatchedRow>.stride) bytes")
    }

    @Test func aFindingHoldsItsAnswerOutOfLine() {
        #expect(MemoryLayout<Finding>.stride <= 224, "\(MemoryLayout<Finding>.stride) bytes")
        var f = Finding(.FL003, Message(zh: "", en: ""), at: SourceRef(file: "plan.csv", line: 2))
        f.explanation = Explanation(status: .explained, text: "已说明", owner: "张三", date: "2022-01-05", source: SourceRef(file: "x.csv"))
        #expect(f.explanation?.text == "已说明")
        f.explanation = nil
        #expect(f.explanation == nil)
    }
}
