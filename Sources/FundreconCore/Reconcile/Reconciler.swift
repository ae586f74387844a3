import CSupport
import Foundation

/// A phase of a run, reported when it ends (for logs; never part of a report).
public enum RunPhase: Sendable {
    case read(files: [FileStats], seconds: Double)
    case reconciled(edges: Int, balances: Int, findings: Int, seconds: Double)
}

/// `fundrecon reconcile`: reads a scope once, streaming the transfers and payments into the
/// ledger book, then runs every rule of the registry and builds what the workbook and the
/// JSON show.
public enum Reconciler {
    /// - Parameters:
    ///   - today: the date "today" stands for (SOURCE_DATE_EPOCH when set).
    ///   - progress: called every few thousand rows while reading, for a terminal's progress line.
    ///   - phase: called as each phase ends, for the logs.
    ///   - explanations: what staff answered to findings (`--explanations`).
    public static func run(_ sources: ScopeSources, settings: Settings, encoding: EncodingChoice = .auto,
                           today: Day, fileExists: @escaping @Sendable (String) -> Bool,
                           progress: ReadProgress? = nil, phase: ((RunPhase) -> Void)? = nil,
                           split: ReadSplit = .standard, explanations: Explanations? = nil) -> ReconcileResult {
        let result = reconcile(sources, settings: settings, encoding: encoding, today: today, fileExists: fileExists,
                               progress: progress, phase: phase, split: split, explanations: explanations)
        // The ledger and the rules' scratch are gone by now, but the allocator keeps their pages
        // (0.8 GB at 10^7 rows); hand them back before the long write.
        fundrecon_release_free_memory()
        return result
    }

    private static func reconcile(_ sources: ScopeSources, settings: Settings, encoding: EncodingChoice,
                                  today: Day, fileExists: @escaping @Sendable (String) -> Bool,
                                  progress: ReadProgress?, phase: ((RunPhase) -> Void)?, split: ReadSplit,
                                  explanations: Explanations?) -> ReconcileResult {
        let clock = ContinuousClock()
        let started = clock.now
        let loader = ScopeLoader(settings: settings, encoding: encoding, fileExists: fileExists)
        loader.hashing = true
        loader.split = split
        loader.progress = progress
        let book = LedgerBook(loader.load(sources, books: LedgerBook.books()), vouchers: loader.takeVouchers())
        let scope = loader.scope
        let read = clock.now
        phase?(.read(files: scope.stats, seconds: (read - started).seconds))
        var log = loader.log

        let latestDue = scope.plan.compactMap(\.due).max()
        let latest = [latestDue, book.latestTransferDay].compactMap { $0 }.max()
        let period = Period.resolve(settings: settings, latestDate: latest, today: today)
        var (outputs, skipped, spendingFlows, receipts) = rules(scope, consume book, settings, period)
        let output = RuleOutput.join(&outputs, into: &log)
        let edges = output.edges
        let order = sources.orderedPaths
        let findings = log.sorted(fileOrder: order)
        let result = ReconcileResult(scope: scope, settings: settings, period: period, edges: edges, balances: output.balances,
                                     indicators: output.indicators, totals: totals(scope, spendingFlows, edges, period),
                                     findings: findings, skippedRules: skipped, receipts: receipts)
        phase?(.reconciled(edges: edges.count, balances: output.balances.count, findings: result.findings.count,
                           seconds: (clock.now - read).seconds))
        return explanations.map(result.answered(by:)) ?? result
    }

    /// Runs the rules on the ledger sealed from `book`. The ledger, and with it every edge's
    /// rows, lives only in this call: it is let go before the findings are joined (the two
    /// at once would raise the peak), its receipt book earlier still (`RuleRegistry.run`).
    /// Hands back the spending movements for the totals.
    private static func rules(_ scope: LoadedScope, _ book: consuming LedgerBook, _ settings: Settings, _ period: Period)
        -> (outputs: [RuleOutput], skipped: [RuleCode], spendingFlows: FlowTable, receipts: ReceiptReport?) {
        let ledger = book.seal(unitIndex: true)
        let spendingFlows = ledger.spendingFlows
        let context = RuleContext(kind: .reconcile, scope: scope, ledger: consume ledger, settings: settings, period: period,
                                  tree: ProjectTree(scope.projects))
        var (outputs, skipped) = RuleRegistry.run(consume context)
        var receipts: ReceiptReport?
        for i in outputs.indices where outputs[i].receipts != nil { receipts = outputs[i].receipts.take() }
        return (outputs, skipped, spendingFlows, receipts)
    }

    static func totals(_ scope: LoadedScope, _ spendingFlows: FlowTable, _ edges: [EdgeResult], _ period: Period) -> Totals {
        // Sums by level in arrays, one pass over the edges: dictionaries keyed by level cost a
        // tenth of a second a million edges, and each loop over the edges copies them.
        let levels = Level.allCases.count
        var hopPlanned = [Fen](repeating: 0, count: levels * levels), hopTransferred = hopPlanned
        var hopSeen = [Bool](repeating: false, count: levels * levels)
        var transferred: Fen = 0, afterAsOf: Fen = 0, notMoved: Fen = 0
        for i in edges.indices {
            let hop = edges[i].hop.from.rawValue * levels + edges[i].hop.to.rawValue
            hopSeen[hop] = true
            hopPlanned[hop] += edges[i].planned
            hopTransferred[hop] += edges[i].transferred
            transferred += edges[i].transferred
            afterAsOf += edges[i].afterAsOf
            notMoved += edges[i].notMoved
        }
        var spent = [Fen](repeating: 0, count: levels), spentSeen = [Bool](repeating: false, count: levels)
        for (key, events) in spendingFlows where scope.entities.indices.contains(key.from) {
            let level = scope.entities[key.from].level.rawValue
            for e in events where e.kind == .spent && e.day <= period.asOf.daysSinceEpoch {
                spent[level] += e.amount
                spentSeen[level] = true
            }
        }
        var hops: [HopTotal] = []
        for from in Level.allCases {
            for to in Level.allCases where hopSeen[from.rawValue * levels + to.rawValue] {
                let k = from.rawValue * levels + to.rawValue
                hops.append(HopTotal(hop: Hop(from: from, to: to), planned: hopPlanned[k], transferred: hopTransferred[k]))
            }
        }
        let spentByLevel = Level.allCases.filter { spentSeen[$0.rawValue] }.map { ($0, spent[$0.rawValue]) }
        return Totals(
            hops: hops,
            spentByLevel: spentByLevel,
            planned: scope.plan.reduce(0) { $0 + $1.amount },
            transferred: transferred,
            spent: spentByLevel.reduce(0) { $0 + $1.1 },
            transferredAfterAsOf: afterAsOf,
            notMoved: notMoved)
    }
}

extension Duration {
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
