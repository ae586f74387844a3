/// The dates a run looks from (spec §6): the period's first and last day, and the as-of date.
public struct Period: Sendable, Equatable {
    public let start: Day
    public let end: Day
    public let asOf: Day

    /// period_end defaults to 31 December of the year of the latest plan due date or
    /// transfer date; as_of to the earlier of today and the period end.
    public static func resolve(settings: Settings, latestDate: Day?, today: Day) -> Period {
        let end = settings.periodEnd ?? Day(year: (latestDate ?? today).year, month: 12, day: 31) ?? today
        let (y, m, d) = end.components
        let start = Day(year: y - 1, month: m, day: d).map { $0.adding(days: 1) } ?? end
        return Period(start: start, end: end, asOf: settings.asOf ?? min(today, end))
    }

    /// Share of the period elapsed on the as-of date, as (elapsed days, period days).
    var elapsed: (days: Int64, of: Int64) {
        let total = Int64(end - start + 1)
        return (min(max(Int64(asOf - start + 1), 0), total), total)
    }
}

/// A pair of levels money passes between, e.g. city → grantee.
public struct Hop: Hashable, Comparable, Sendable {
    public let from: Level
    public let to: Level

    public static func < (a: Hop, b: Hop) -> Bool { (a.from, a.to) < (b.from, b.to) }

    /// `province-city`, as in the JSON report.
    public var name: String { "\(from.english)-\(to.english)" }
    /// 省→市, as on the sheet tabs.
    public var chinese: String { "\(from.chinese)→\(to.chinese)" }
}

public enum EdgeStatus: String, Sendable, CaseIterable {
    case matched, under, over, missing, unplanned

    public var chinese: String {
        switch self {
        case .matched: return "一致"
        case .under: return "拨付不足"
        case .over: return "超额拨付"
        case .missing: return "未拨付"
        case .unplanned: return "无计划拨付"
        }
    }
}

/// A list that is almost always one item long: the item is kept inline then, and an array
/// is made only for two or more. Each of half a million edges holds three of them, and an
/// array of one costs a 48-byte allocation.
public enum SmallList<Element: Sendable>: Sendable, RandomAccessCollection {
    case none
    case one(Element)
    case many([Element])

    public init(_ items: [Element]) {
        if items.count > 1 {
            self = .many(items)
        } else if let first = items.first {
            self = .one(first)
        } else {
            self = .none
        }
    }

    public var startIndex: Int { 0 }

    public var endIndex: Int {
        switch self {
        case .none: return 0
        case .one: return 1
        case .many(let items): return items.count
        }
    }

    public subscript(position: Int) -> Element {
        switch self {
        case .one(let item) where position == 0: return item
        case .many(let items): return items[position]
        default: preconditionFailure("SmallList index \(position) out of range")
        }
    }
}

/// One edge (project, from, to): the plan against what moved.
public struct EdgeResult: Sendable {
    public let key: EdgeKey
    public let hop: Hop
    public let planned: Fen
    /// `ok` rows up to the as-of date, reversals subtracted.
    public let transferred: Fen
    public var variance: Fen { transferred - planned }
    public let status: EdgeStatus
    public let lastDue: Day?
    public let lastTransfer: Day?
    public let daysLate: Int?
    public let methods: SmallList<AllocationMethod>
    public let documents: SmallList<String>
    /// CSV lines of the plan lines behind it, and of its first transfer row.
    public let planLines: SmallList<Int>
    public let firstTransferLine: Int?
    /// Failed and returned rows: listed, never counted.
    public let notMoved: Fen
    /// `ok` rows dated after the as-of date: listed, not yet counted.
    public let afterAsOf: Fen
    /// Why transferred and planned differ, for an edge over or under its plan.
    public var cause: AmountCause? = nil
}

/// Money at one unit under one project it received (its sub-projects included).
public struct BalanceResult: Sendable {
    public let unit: Int
    public let project: Int
    public let received: Fen
    public let passedOn: Fen
    public let spent: Fen
    /// Payments that failed (支付失败): not spent, listed.
    public let failed: Fen
    public var balance: Fen { received - passedOn - spent }
    /// (passed on + spent) / received, in parts per million; nil when nothing was received.
    public var executionRate: Ratio? {
        received > 0 ? Ratio(ppm: Int64((Int128(passedOn + spent) * 1_000_000 / Int128(received)))) : nil
    }
}

public struct HopTotal: Sendable {
    public let hop: Hop
    public let planned: Fen
    public let transferred: Fen
}

public struct Totals: Sendable {
    public let hops: [HopTotal]
    public let spentByLevel: [(level: Level, spent: Fen)]
    public let planned: Fen
    public let transferred: Fen
    public let spent: Fen
    /// Accepted `ok` transfers dated after the as-of date.
    public let transferredAfterAsOf: Fen
    /// Accepted failed and returned transfers.
    public let notMoved: Fen
}

/// Everything a run found: what the workbook and the JSON report show.
public struct ReconcileResult: Sendable {
    public let scope: LoadedScope
    public let settings: Settings
    public let period: Period
    public let edges: [EdgeResult]
    public let balances: [BalanceResult]
    public let indicators: [IndicatorResult]
    public let totals: Totals
    /// Sorted by file, line and code, then the findings about answer files.
    public internal(set) var findings: [Finding]
    public let skippedRules: [RuleCode]
    /// receipts.csv matched against transfers.csv; nil without receipts.csv.
    public var receipts: ReceiptReport? = nil
    /// The answers carried to edges, and those kept whose finding is gone.
    public internal(set) var answers = CarriedAnswers()

    /// This result with staff's answers carried onto its findings and edges (`CarriedAnswers`).
    public func answered(by explanations: Explanations) -> ReconcileResult {
        var copy = self
        let (carried, problems) = explanations.carry(into: &copy.findings, edges: edges, scope: scope)
        copy.answers = carried
        copy.findings += problems
        return copy
    }

    public func count(_ severity: Severity) -> Int { findings.count(severity) }

    /// 1 when a finding is at or above `failOn`, not counting those explained away unless `strict`.
    public func exitCode(failOn: FailOn, strict: Bool = false) -> Int32 {
        findings.contains { failOn.fails($0.severity) && $0.counts(strict: strict) } ? 1 : 0
    }

    public func edgeCount(_ status: EdgeStatus) -> Int { edges.reduce(0) { $0 + ($1.status == status ? 1 : 0) } }
}
