/// Every rule that runs once the inputs are read. A new rule is a file under Rules/ and a
/// line here; `check` and `reconcile` take from this list which rules to run and which to
/// report as skipped, and nothing else lists rules.
enum RuleRegistry {
    static let all: [any Rule] = [
        BudgetsAddUp(), LevelsWithinBudget(), UnitsPassOnWhatTheyReceive(), AllocationsStayInSubtree(),
        EdgeVariances(), DuplicateTransfers(),
        Balances(), FailedPaymentsNotRepaid(),
        Indicators(),
    ]

    /// The rules a run of `kind` can run on `scope`, and the codes of those it cannot, sorted.
    static func plan(_ kind: RunKind, _ scope: LoadedScope) -> (run: [any Rule], skipped: [RuleCode]) {
        var run: [any Rule] = []
        var skipped: [RuleCode] = []
        for rule in all where !rule.codes(in: kind).isEmpty {
            if rule.needs.allSatisfy(scope.isUsable) { run.append(rule) } else { skipped += rule.codes(in: kind) }
        }
        return (run, Array(Set(skipped)).sorted())
    }

    /// Runs every rule of the context's kind that its scope allows: each part of each rule on
    /// a thread of its own, as they read the context and write nothing shared. The outputs are
    /// joined in the order of `all`, parts in order.
    static func run(_ context: RuleContext) -> (output: RuleOutput, skipped: [RuleCode]) {
        let (rules, skipped) = plan(context.kind, context.scope)
        for rule in rules { rule.prepare(context) }
        let jobs = rules.flatMap { rule in (0..<rule.parts).map { (rule: rule, part: $0) } }
        var outputs = Concurrently.map(jobs) { job in job.rule.run(part: job.part, of: job.rule.parts, context) }
        var joined = RuleOutput()
        for i in outputs.indices {
            joined.log.append(outputs[i].log)
            // Taken over, not copied: each list is half a million results at province scale.
            // Swapped out of `outputs`, so that it is not shared when the next part is added
            // (a shared list is copied whole, each result retained, on the first append).
            joined.edges.take(&outputs[i].edges)
            joined.balances.take(&outputs[i].balances)
            joined.indicators.take(&outputs[i].indicators)
            outputs[i] = RuleOutput()
        }
        return (joined, skipped)
    }
}

extension Array {
    /// Appends `other`'s elements and empties it; the first non-empty list is taken whole.
    fileprivate mutating func take(_ other: inout [Element]) {
        if isEmpty { swap(&self, &other) } else if !other.isEmpty { self += other }
        other = []
    }
}
