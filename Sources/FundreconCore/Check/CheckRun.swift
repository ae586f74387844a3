/// `fundrecon check`: every IN and PL rule over a scope, nothing written.
public struct CheckResult: Sendable {
    public let scope: LoadedScope
    /// Sorted by file, line and code.
    public let findings: [Finding]
    public let skippedRules: [RuleCode]

    public func count(_ severity: Severity) -> Int { findings.count(severity) }

    /// Exit status under a --fail-on setting: 1 when any finding is at or above it.
    public func exitCode(failOn: FailOn) -> Int32 {
        findings.contains { failOn.fails($0.severity) } ? 1 : 0
    }
}

public enum CheckRun {
    public static func run(_ sources: ScopeSources, settings: Settings, encoding: EncodingChoice = .auto,
                           fileExists: @escaping (String) -> Bool, split: ReadSplit = .standard) -> CheckResult {
        let book = LedgerBook(rowLevelOnly: true)
        let loader = ScopeLoader(settings: settings, encoding: encoding, fileExists: fileExists)
        loader.split = split
        var sinks = book.sinks
        sinks.spending = nil  // the row-level rules need nothing of spending
        loader.load(sources, sinks: sinks)
        let scope = loader.scope
        var log = loader.log
        var skipped = PlanRules.skipped(scope)
        let flowsUsable = scope.isUsable(.entities) && scope.isUsable(.projects) && scope.isUsable(.plan) && scope.isUsable(.transfers)
        if !flowsUsable { skipped += [.FL001, .FL007] }
        // The plan's rules and the two row-level flow rules share nothing: a thread each.
        let logs = Concurrently.map([false, true]) { flows -> FindingLog in
            var own = FindingLog()
            if !flows {
                PlanRules.check(scope, into: &own)
            } else if flowsUsable {
                // Dates do not matter to these two, so no period is needed.
                let period = Period(start: Day(daysSinceEpoch: 0), end: Day(daysSinceEpoch: 0), asOf: Day(daysSinceEpoch: 0))
                FlowRules(scope: scope, book: book, settings: settings, period: period, tree: ProjectTree(scope.projects)).rowLevel(into: &own)
            }
            return own
        }
        for own in logs { log.append(own) }
        let order = InputFile.allCases.compactMap { sources.paths[$0] }
        return CheckResult(scope: scope, findings: log.sorted(fileOrder: order), skippedRules: skipped.sorted())
    }
}
