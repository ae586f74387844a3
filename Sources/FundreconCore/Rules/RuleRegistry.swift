/// Every rule that runs once the inputs are read. A new rule is a file under Rules/ and a
/// line here; `check` and `reconcile` take from this list which rules to run and which to
/// report as skipped, and nothing else lists rules.
enum RuleRegistry {
    static let all: [any Rule] = [
        BudgetsAddUp(), LevelsWithinBudget(), UnitsPassOnWhatTheyReceive(), AllocationsStayInSubtree(),
        EdgeVariances(), DuplicateTransfers(),
        Balances(), FailedPaymentsNotRepaid(),
        Indicators(),
        ReceiptMatching(),
    ]

    /// The rules a run of `kind` can run on `scope`, and the codes of those it cannot, sorted.
    static func plan(_ kind: RunKind, _ scope: LoadedScope) -> (run: [any Rule], skipped: [RuleCode]) {
        var run: [any Rule] = []
        var skipped: [RuleCode] = []
        for rule in all where !rule.codes(in: kind).isEmpty && rule.applies(to: scope) {
            if rule.needs.allSatisfy(scope.isUsable) { run.append(rule) } else { skipped += rule.codes(in: kind) }
        }
        return (run, Array(Set(skipped)).sorted())
    }

    /// Runs every rule of the context's kind that its scope allows, and hands back each
    /// job's output (a job is a part of a rule) in the order of `all`, parts in order. Rules
    /// read the context and write nothing shared, so they run at once: each part of a rule
    /// that `runsAlone` on a thread of its own, the other rules one after another on one more.
    /// (A thread per small rule too would hold more memory at once for no gain in time.)
    static func run(_ context: RuleContext) -> (outputs: [RuleOutput], skipped: [RuleCode]) {
        let (rules, skipped) = plan(context.kind, context.scope)
        let jobs = rules.flatMap { rule in (0..<rule.parts).map { (rule: rule, part: $0) } }
        let alone = jobs.indices.filter { jobs[$0].rule.runsAlone }
        let together = jobs.indices.filter { !jobs[$0].rule.runsAlone }
        let lanes = [together] + alone.map { [$0] }
        let done = Concurrently.map(lanes) { lane in
            lane.map { (job: $0, output: jobs[$0].rule.run(part: jobs[$0].part, of: jobs[$0].rule.parts, context)) }
        }
        var outputs = [RuleOutput](repeating: RuleOutput(), count: jobs.count)
        for lane in done {
            for (job, output) in lane { outputs[job] = output }
        }
        return (outputs, skipped)
    }
}

extension RuleOutput {
    /// Takes the outputs' findings into `log` and their rows into one output, emptying each
    /// output as it goes: the lists are taken over, not copied (each is half a million
    /// results at province scale, and a shared list is copied whole on its first append).
    static func join(_ outputs: inout [RuleOutput], into log: inout FindingLog) -> RuleOutput {
        var joined = RuleOutput()
        for i in outputs.indices {
            log.append(outputs[i].log)
            joined.edges.take(&outputs[i].edges)
            joined.balances.take(&outputs[i].balances)
            joined.indicators.take(&outputs[i].indicators)
            outputs[i] = RuleOutput()
        }
        return joined
    }
}

extension Array {
    /// Appends `other`'s elements and empties it; the first non-empty list is taken whole.
    fileprivate mutating func take(_ other: inout [Element]) {
        if isEmpty { swap(&self, &other) } else if !other.isEmpty { self += other }
        other = []
    }
}
