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
    static func plan(_ kind: RunKind, _ scope: LoadedScope, of rules: [any Rule] = all) -> (run: [any Rule], skipped: [RuleCode]) {
        var run: [any Rule] = []
        var skipped: [RuleCode] = []
        for rule in rules where !rule.codes(in: kind).isEmpty && rule.applies(to: scope) {
            if rule.needs.allSatisfy(scope.isUsable) { run.append(rule) } else { skipped += rule.codes(in: kind) }
        }
        return (run, Array(Set(skipped)).sorted())
    }

    /// Runs every rule of the context's kind that its scope allows, and hands back each
    /// job's output (a job is a part of a rule) in the order of `all`, parts in order. Rules
    /// read the context and write nothing shared, so they run at once: each part of a rule
    /// that `runsAlone` on a thread of its own, the other rules one after another on one more.
    /// (A thread per small rule too would hold more memory at once for no gain in time.)
    ///
    /// In two rounds: first the rules that read the receivers' books, then, with the receipt
    /// book let go, the rest. Both at once held the receipt book beside the balances' scratch:
    /// 1.8 GB at 10^7 transfers and 10^7 receipts. Each round has the cores to itself. The
    /// receipts' rows go as soon as the first round's runs are done, before its finishes: these
    /// spell vouchers from the voucher tables and need no row (a quarter of a gigabyte at that
    /// peak at 10^7 receipts).
    static func run(_ context: consuming RuleContext, of listed: [any Rule] = all) -> (outputs: [RuleOutput], skipped: [RuleCode]) {
        let (rules, skipped) = plan(context.kind, context.scope, of: listed)
        var byRule = [[RuleOutput]](repeating: [], count: rules.count)
        for readsReceipts in [true, false] {
            if !readsReceipts { context.ledger.letGoOfReceipts() }
            let chosen = rules.indices.filter { rules[$0].readsReceipts == readsReceipts }
            var outputs = runs(chosen, of: rules, context)
            if readsReceipts { context.ledger.letGoOfReceiptRows() }
            for (k, r) in chosen.enumerated() {
                rules[r].finish(&outputs[k], context)
                byRule[r] = outputs[k]
            }
        }
        // A check only prints its findings from here: its ledger is freed beside that. A
        // reconcile frees it here, before the write, whose peak it would otherwise add to.
        if context.kind == .check { LetGoElsewhere.drop(context) }
        return (byRule.flatMap { $0 }, skipped)
    }

    /// Runs the rules at `chosen` at once: each one's parts' outputs, in the order of `chosen`.
    private static func runs(_ chosen: [Int], of rules: [any Rule], _ context: RuleContext) -> [[RuleOutput]] {
        let jobs = chosen.flatMap { r in (0..<rules[r].parts).map { (rule: r, part: $0) } }
        let alone = jobs.indices.filter { rules[jobs[$0].rule].runsAlone }
        let together = jobs.indices.filter { !rules[jobs[$0].rule].runsAlone }
        let lanes = (together.isEmpty ? [] : [together]) + alone.map { [$0] }
        let done = Concurrently.map(lanes) { lane in
            lane.map { job in
                let rule = rules[jobs[job].rule]
                return (job: job, output: rule.run(part: jobs[job].part, of: rule.parts, context))
            }
        }
        var outputs = [RuleOutput](repeating: RuleOutput(), count: jobs.count)
        for lane in done {
            for (job, output) in lane { outputs[job] = output }
        }
        var byRule: [[RuleOutput]] = []
        var next = 0
        for r in chosen {
            byRule.append(Array(outputs[next..<next + rules[r].parts]))
            next += rules[r].parts
        }
        return byRule
    }
}

extension RuleOutput {
    /// Takes the outputs' findings into `log` (making the late ones: the caller has let the
    /// ledger go) and their rows into one output, emptying each
    /// output as it goes: the lists are taken over, not copied (each is half a million
    /// results at province scale, and a shared list is copied whole on its first append).
    static func join(_ outputs: inout [RuleOutput], into log: inout FindingLog) -> RuleOutput {
        var joined = RuleOutput()
        for i in outputs.indices {
            log.append(outputs[i].log)
            for late in outputs[i].late { late.findings(into: &log) }
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
