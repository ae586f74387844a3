/// What `fundrecon check` found.
public struct CheckResult: Sendable {
    public let scope: LoadedScope
    /// Sorted by file, line and code.
    public let findings: [Finding]
    public let skippedRules: [RuleCode]

    public func count(_ severity: Severity) -> Int { findings.count(severity) }

    /// Exit status under a --fail-on setting: 1 when any finding is at or above it, not
    /// counting those explained away unless `strict`.
    public func exitCode(failOn: FailOn, strict: Bool = false) -> Int32 {
        findings.contains { failOn.fails($0.severity) && $0.counts(strict: strict) } ? 1 : 0
    }
}

/// `fundrecon check`: every IN rule while the files are read, then the registry's rules of a
/// check (PL, and the flow rules that need no period); nothing written.
public enum CheckRun {
    /// - Parameter baseline: explanations of findings already known (`--baseline`).
    public static func run(_ sources: ScopeSources, settings: Settings, encoding: EncodingChoice = .auto,
                           fileExists: @escaping @Sendable (String) -> Bool, split: ReadSplit = .standard,
                           baseline: Explanations? = nil) -> CheckResult {
        let loader = ScopeLoader(settings: settings, encoding: encoding, fileExists: fileExists)
        loader.split = split
        let book = LedgerBook(loader.load(sources, books: LedgerBook.books(rowLevelOnly: true)), vouchers: loader.takeVouchers())
        let scope = loader.scope
        var log = loader.log
        // No check rule but the RC rules reads dates, and those take the files' latest date:
        // the period is a placeholder.
        let never = Day(daysSinceEpoch: 0)
        let context = RuleContext(kind: .check, scope: scope, ledger: book.seal(unitIndex: false), settings: settings,
                                  period: Period(start: never, end: never, asOf: never), tree: ProjectTree(scope.projects))
        var (outputs, skipped) = RuleRegistry.run(consume context)
        _ = RuleOutput.join(&outputs, into: &log)
        let order = sources.orderedPaths
        var findings = log.sorted(fileOrder: order)
        if let baseline { findings += baseline.apply(to: &findings) }
        return CheckResult(scope: scope, findings: findings, skippedRules: skipped)
    }
}
