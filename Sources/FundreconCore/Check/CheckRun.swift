/// `fundrecon check`: every IN and PL rule over a scope, nothing written.
public struct CheckResult: Sendable {
    public let scope: LoadedScope
    /// Sorted by file, line and code.
    public let findings: [Finding]
    public let skippedRules: [RuleCode]

    public func count(_ severity: Severity) -> Int { findings.reduce(0) { $0 + ($1.severity == severity ? 1 : 0) } }

    /// Exit status under a --fail-on setting: 1 when any finding is at or above it.
    public func exitCode(failOn: FailOn) -> Int32 {
        findings.contains { failOn.fails($0.severity) } ? 1 : 0
    }
}

public enum CheckRun {
    public static func run(_ sources: ScopeSources, settings: Settings, encoding: EncodingChoice = .auto,
                           fileExists: @escaping (String) -> Bool) -> CheckResult {
        let loader = ScopeLoader(settings: settings, encoding: encoding, fileExists: fileExists)
        loader.load(sources)
        var log = loader.log
        PlanRules.check(loader.scope, into: &log)
        let order = InputFile.allCases.compactMap { sources.paths[$0] }
        return CheckResult(scope: loader.scope, findings: log.sorted(fileOrder: order), skippedRules: PlanRules.skipped(loader.scope))
    }
}
