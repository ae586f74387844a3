import CSupport
import Foundation

/// A phase of a run, reported when it ends (for logs; never part of a report).
public enum RunPhase: Sendable {
    case read(files: [FileStats], seconds: Double)
    case reconciled(edges: Int, balances: Int, findings: Int, seconds: Double)
}

/// `fundrecon reconcile`: reads a scope once, streaming the transfers and payments into the
/// ledger book, then runs every rule and builds what the workbook and the JSON show.
private enum RuleHalf { case plan, flows, balances(part: Int) }

public enum Reconciler {
    /// - Parameters:
    ///   - today: the date "today" stands for (SOURCE_DATE_EPOCH when set).
    ///   - progress: called every few thousand rows while reading, for a terminal's progress line.
    ///   - phase: called as each phase ends, for the logs.
    public static func run(_ sources: ScopeSources, settings: Settings, encoding: EncodingChoice = .auto,
                           today: Day, fileExists: @escaping (String) -> Bool,
                           progress: ReadProgress? = nil, phase: ((RunPhase) -> Void)? = nil,
                           split: ReadSplit = .standard) -> ReconcileResult {
        let result = reconcile(sources, settings: settings, encoding: encoding, today: today, fileExists: fileExists,
                               progress: progress, phase: phase, split: split)
        // The ledger and the rules' scratch are gone by now, but the allocator keeps their pages
        // (0.8 GB at 10^7 rows); hand them back before the long write.
        fundrecon_release_free_memory()
        return result
    }

    private static func reconcile(_ sources: ScopeSources, settings: Settings, encoding: EncodingChoice,
                                  today: Day, fileExists: @escaping (String) -> Bool,
                                  progress: ReadProgress?, phase: ((RunPhase) -> Void)?, split: ReadSplit) -> ReconcileResult {
        let clock = ContinuousClock()
        let started = clock.now
        let book = LedgerBook()
        let loader = ScopeLoader(settings: settings, encoding: encoding, fileExists: fileExists)
        loader.hashing = true
        loader.split = split
        loader.progress = progress
        loader.load(sources, sinks: book.sinks)
        let scope = loader.scope
        let read = clock.now
        phase?(.read(files: scope.stats, seconds: (read - started).seconds))
        var log = loader.log

        let latestDue = scope.plan.compactMap(\.due).max()
        let latest = [latestDue, book.latestTransferDay].compactMap { $0 }.max()
        let period = Period.resolve(settings: settings, latestDate: latest, today: today)
        let tree = ProjectTree(scope.projects)
        var skipped = PlanRules.skipped(scope)
        var edges: [EdgeResult] = []
        var balances: [BalanceResult] = []
        let ledgerUsable = scope.isUsable(.entities) && scope.isUsable(.projects) && scope.isUsable(.transfers)
        let runFlows = ledgerUsable && scope.isUsable(.plan)
        if !runFlows { skipped += [.FL001, .FL002, .FL003, .FL004, .FL005, .FL007, .FL008, .FL009] }
        if !ledgerUsable { skipped += [.FL006, .BL001, .BL002, .BL003, .BL004, .BL005] }
        // The plan's rules, the edges and the balances read the same scope and ledger and write
        // nothing shared: a thread each. Their findings join the log in the order they always had.
        // Balances are the longest: two runs of units, so that a core is never left idle.
        if ledgerUsable { _ = book.flowUnits }
        let halves = Concurrently.map([RuleHalf.plan, .flows, .balances(part: 0), .balances(part: 1)]) { half -> (log: FindingLog, edges: [EdgeResult], balances: [BalanceResult]) in
            var own = FindingLog()
            switch half {
            case .plan:
                PlanRules.check(scope, into: &own)
                return (own, [], [])
            case .flows:
                guard runFlows else { return (own, [], []) }
                let edges = FlowRules(scope: scope, book: book, settings: settings, period: period, tree: tree).run(into: &own)
                return (own, edges, [])
            case .balances(let part):
                guard ledgerUsable else { return (own, [], []) }
                let balances = BalanceRules(scope: scope, book: book, settings: settings, period: period, tree: tree)
                    .run(part: part, of: 2, into: &own)
                return (own, [], balances)
            }
        }
        book.releaseTransferRows()
        for half in halves {
            log.append(half.log)
            // Taken over, not copied: each list is half a million results at province scale.
            if edges.isEmpty { edges = half.edges } else { edges += half.edges }
            if balances.isEmpty { balances = half.balances } else { balances += half.balances }
        }
        var indicators: [IndicatorResult] = []
        if scope.isUsable(.indicators) && scope.isUsable(.projects) {
            let spent = spendingByProject(book, asOf: period.asOf)
            indicators = IndicatorRules.run(scope, spentUnder: { p in tree.subtree(of: p).reduce(0) { $0 + (spent[$1] ?? 0) } }, into: &log)
        } else {
            skipped += [.PI001, .PI002, .PI003, .PI004, .PI005]
        }
        let order = InputFile.allCases.compactMap { sources.paths[$0] }
        let result = ReconcileResult(scope: scope, settings: settings, period: period, edges: edges, balances: balances,
                                     indicators: indicators, totals: totals(scope, book, edges, period),
                                     findings: log.sorted(fileOrder: order), skippedRules: skipped.sorted())
        phase?(.reconciled(edges: edges.count, balances: balances.count, findings: result.findings.count,
                           seconds: (clock.now - read).seconds))
        return result
    }

    static func spendingByProject(_ book: LedgerBook, asOf: Day) -> [Int: Fen] {
        var spent: [Int: Fen] = [:]
        for (key, events) in book.spendingFlows {
            for e in events where e.kind == .spent && e.day <= asOf.daysSinceEpoch { spent[key.project, default: 0] += e.amount }
        }
        return spent
    }

    static func totals(_ scope: LoadedScope, _ book: LedgerBook, _ edges: [EdgeResult], _ period: Period) -> Totals {
        var hops: [Hop: (Fen, Fen)] = [:]
        for e in edges {
            let (p, t) = hops[e.hop] ?? (0, 0)
            hops[e.hop] = (p + e.planned, t + e.transferred)
        }
        var spentByLevel: [Level: Fen] = [:]
        for (key, events) in book.spendingFlows where scope.entities.indices.contains(key.from) {
            for e in events where e.kind == .spent && e.day <= period.asOf.daysSinceEpoch {
                spentByLevel[scope.entities[key.from].level, default: 0] += e.amount
            }
        }
        return Totals(
            hops: hops.keys.sorted().map { HopTotal(hop: $0, planned: hops[$0]?.0 ?? 0, transferred: hops[$0]?.1 ?? 0) },
            spentByLevel: Level.allCases.compactMap { l in spentByLevel[l].map { (l, $0) } },
            planned: scope.plan.reduce(0) { $0 + $1.amount },
            transferred: edges.reduce(0) { $0 + $1.transferred },
            spent: spentByLevel.values.reduce(0, +),
            transferredAfterAsOf: edges.reduce(0) { $0 + $1.afterAsOf },
            notMoved: edges.reduce(0) { $0 + $1.notMoved })
    }
}

extension Duration {
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
