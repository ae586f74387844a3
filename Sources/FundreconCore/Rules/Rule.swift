/// The command a rule runs under: `check` judges the inputs without a period (IN, PL and the
/// flow rules a pass over the rows can answer); `reconcile` runs every rule.
public enum RunKind: Sendable {
    case check, reconcile
}

/// What every rule reads. Built once after the inputs are read; rules only read it, so any
/// number of them run at once.
struct RuleContext: Sendable {
    let kind: RunKind
    let scope: LoadedScope
    /// What transfers.csv and spending.csv left; the registry lets the receipt book go once
    /// the rules that read it are done.
    var ledger: Ledger
    let settings: Settings
    /// The period of the run; in `check` a placeholder, as no check rule reads dates.
    let period: Period
    let tree: ProjectTree
}

/// What a rule hands back: its findings, in the order it met them, and the rows of the
/// result sheets it owns.
struct RuleOutput {
    var log = FindingLog()
    var edges: [EdgeResult] = []
    var balances: [BalanceResult] = []
    var indicators: [IndicatorResult] = []
    var receipts: ReceiptReport?
    /// Findings made from the rule's results once every rule is done and the ledger is let
    /// go (`RuleOutput.join`), where holding them through the rules would raise the peak.
    var late: [any LateFindings] = []
}

/// Findings a rule makes from its own results after the rules.
protocol LateFindings: Sendable {
    func findings(into log: inout FindingLog)
}

/// A rule, or a small family of rules that share one pass over the data. It lives in one
/// file under Rules/, with the codes it reports and the inputs it needs; `RuleRegistry` lists
/// it once, and the runs derive from that list which rules to run and which to report as
/// skipped. The IN rules are not here: they judge each row as it streams (Ingestion/).
protocol Rule: Sendable {
    /// What the rule is called in docs and logs.
    var name: String { get }
    /// The codes it reports in a run of `kind`; empty when it does not run then.
    func codes(in kind: RunKind) -> [RuleCode]
    /// The inputs that must be usable (present, not left out whole) for it to run; when one
    /// is not, its codes are listed as skipped.
    var needs: [InputFile] { get }
    /// Parts its work can be cut into so that they run at once; the parts' outputs, joined
    /// in part order, are what one part would give. 1 for most rules.
    var parts: Int { get }
    /// True for a rule whose parts are long enough to want a thread each; the others run
    /// one after another on one thread.
    var runsAlone: Bool { get }
    func run(part: Int, of parts: Int, _ context: RuleContext) -> RuleOutput
    /// Works on its parts' outputs once all are done, while the inputs are still there (the
    /// matching joins its threads' reports and spells their vouchers), except the receipts'
    /// rows: only the voucher tables are left of receipts.csv by then.
    func finish(_ outputs: inout [RuleOutput], _ context: RuleContext)
    /// False when the scope gives the rule nothing to judge, so that it is neither run nor
    /// listed as skipped (an optional file that is not there at all).
    func applies(to scope: LoadedScope) -> Bool
}

extension Rule {
    func applies(to scope: LoadedScope) -> Bool { true }
    func finish(_ outputs: inout [RuleOutput], _ context: RuleContext) {}
    /// Rules that read the receivers' books run before the others (`RuleRegistry.run`).
    var readsReceipts: Bool { needs.contains(.receipts) }
    var parts: Int { 1 }
    var runsAlone: Bool { false }
}

/// A rule of one part.
protocol WholeRule: Rule {
    func run(_ context: RuleContext) -> RuleOutput
}

extension WholeRule {
    func run(part: Int, of parts: Int, _ context: RuleContext) -> RuleOutput { run(context) }
}

/// A rule of one part whose only output is findings.
protocol FindingRule: Rule {
    func check(_ context: RuleContext, into log: inout FindingLog)
}

extension FindingRule {
    func run(part: Int, of parts: Int, _ context: RuleContext) -> RuleOutput {
        var out = RuleOutput()
        check(context, into: &out.log)
        return out
    }
}
