public enum Severity: Int, Comparable, Sendable, CaseIterable {
    case info = 0, warning, error

    public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }

    public var english: String {
        switch self {
        case .info: return "info"
        case .warning: return "warning"
        case .error: return "error"
        }
    }

    public var chinese: String {
        switch self {
        case .info: return "提示"
        case .warning: return "警告"
        case .error: return "错误"
        }
    }
}

public enum Language: String, Sendable, CaseIterable {
    case zh, en
}

/// A finding's message, as written when it was found or made from its figures when a writer
/// asks. A rule that finds hundreds of thousands of things (the receipt matching) keeps
/// their figures during the rules, when memory peaks, and not two sentences each; the
/// writers ask for one language each, so each sentence is made once a writer.
public enum FindingText: Sendable {
    case written(Message)
    case made(@Sendable (Language) -> String)

    public func text(_ language: Language) -> String {
        switch self {
        case .written(let m): return m.text(language)
        case .made(let make): return make(language)
        }
    }

    public var message: Message {
        switch self {
        case .written(let m): return m
        case .made(let make): return Message(zh: make(.zh), en: make(.en))
        }
    }
}

/// A value held by reference, to keep a rarely set field out of a struct's inline size.
final class Boxed<Value: Sendable>: Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// A message in both languages; the writers pick one.
public struct Message: Sendable, Equatable {
    public let zh: String
    public let en: String

    public init(zh: String, en: String) {
        self.zh = zh
        self.en = en
    }

    public func text(_ language: Language) -> String { language == .zh ? zh : en }
}

/// A CSV row (or a file, when `line` is nil) that a finding rests on.
public struct SourceRef: Sendable, Hashable, Comparable {
    /// The path as the user gave it (input folder joined with the file name), so editors open it.
    public let file: String
    public let line: Int?
    public let column: Int?

    public init(file: String, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    public static func < (a: SourceRef, b: SourceRef) -> Bool {
        (a.file, a.line ?? 0, a.column ?? 0) < (b.file, b.line ?? 0, b.column ?? 0)
    }
}

public struct Finding: Sendable {
    public let code: RuleCode
    /// Its text, written now or made when a writer asks (`FindingText`).
    private let text: FindingText
    public var message: Message { text.message }
    /// The row the finding is about: the bad row, the plan line of an edge, the row that broke a balance.
    public let primary: SourceRef
    /// Every other CSV row behind it.
    public var related: [SourceRef]
    public var project: String?
    public var from: String?
    public var to: String?
    public var entity: String?
    public var amount: Fen?
    /// A severity other than the catalogue's, where a rule allows it; nil for the catalogue's.
    public var severityOverride: Severity?
    /// Why two amounts that should agree differ (FL003, FL004, FL008, RC003).
    public var cause: AmountCause?
    /// The voucher of the row it rests on, where that row is known by its voucher across runs
    /// (the RC findings: a receipt's own voucher, or a transfer's).
    public var voucher: String?
    /// What staff answered to it, when an explanations file has its key. Held by reference:
    /// few findings have one, and inline it would double every finding's size (hundreds of
    /// thousands at province scale, all held during the rules).
    public var explanation: Explanation? {
        get { answer?.value }
        set { answer = newValue.map(Boxed.init) }
    }
    private var answer: Boxed<Explanation>?

    /// The message in one language, made once for the writer that asks.
    public func message(_ language: Language) -> String { text.text(language) }

    /// Counts toward `--fail-on`: not explained away (已说明, 不适用), or `strict`.
    public func counts(strict: Bool) -> Bool { strict || !(explanation?.status.waivesFailure ?? false) }

    public var severity: Severity { severityOverride ?? code.severity }

    public init(_ code: RuleCode, _ message: Message, at primary: SourceRef, related: [SourceRef] = [],
                project: String? = nil, from: String? = nil, to: String? = nil, entity: String? = nil, amount: Fen? = nil) {
        self.init(code, FindingText.written(message), at: primary, related: related, project: project, from: from, to: to,
                  entity: entity, amount: amount)
    }

    public init(_ code: RuleCode, _ text: FindingText, at primary: SourceRef, related: [SourceRef] = [],
                project: String? = nil, from: String? = nil, to: String? = nil, entity: String? = nil, amount: Fen? = nil) {
        self.code = code
        self.text = text
        self.primary = primary
        self.related = related
        self.project = project
        self.from = from
        self.to = to
        self.entity = entity
        self.amount = amount
    }
}

/// The findings of one run, in the order the rules met them.
public struct FindingLog: Sendable {
    public private(set) var findings: [Finding] = []

    public init() {}

    public mutating func add(_ finding: Finding) { findings.append(finding) }

    public mutating func append(_ other: FindingLog) { findings.append(contentsOf: other.findings) }

    mutating func add(contentsOf more: [Finding]) { findings.append(contentsOf: more) }

    /// Changes each finding in place.
    mutating func update(_ body: (inout Finding) -> Void) {
        for i in findings.indices { body(&findings[i]) }
    }

    public func count(_ severity: Severity) -> Int { findings.count(severity) }

    public func count(code: RuleCode) -> Int { findings.indices.reduce(0) { $0 + (findings[$1].code == code ? 1 : 0) } }

    /// Findings ordered by file order, line, column and code, so output is stable.
    /// Sorts small integer keys, not the findings: a big run has hundreds of thousands, and
    /// the log is consumed so that they are moved into their places, never copied (each copy
    /// retains and releases a finding's texts).
    public consuming func sorted(fileOrder: [String]) -> [Finding] {
        let rank = Dictionary(fileOrder.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let others = Set(findings.map(\.primary.file)).subtracting(fileOrder).sorted()
        let otherRank = Dictionary(others.enumerated().map { ($1, fileOrder.count + $0) }, uniquingKeysWith: { a, _ in a })
        let codes = Dictionary(RuleCode.allCases.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        // Findings come in runs of one file: its rank is looked up again only when the file
        // changes (a path hashed for each of a province's findings takes a tenth of a second).
        var lastFile: String?
        var lastRank = 0
        let keys = findings.indices.map { i in
            let at = findings[i].primary
            if at.file != lastFile {
                lastFile = at.file
                lastRank = rank[at.file] ?? otherRank[at.file] ?? 0
            }
            return (lastRank, at.line ?? 0, at.column ?? 0, codes[findings[i].code] ?? 0, i)
        }
        let order = keys.sorted { $0 < $1 }.map(\.4)
        var all: [Finding] = []
        swap(&all, &findings)
        all.permute(to: order)
        return all
    }
}

extension Array {
    /// Rearranges the elements in place so that element k is the one that was at `order[k]`
    /// (`order` a permutation of the indices), by following its cycles: each element is moved
    /// once, by swaps, with no copy of it made.
    mutating func permute(to order: [Int]) {
        precondition(order.count == count, "a permutation of another length")
        var placed = [Bool](repeating: false, count: count)
        withUnsafeMutableBufferPointer { a in
            for start in a.indices where !placed[start] {
                var k = start
                while true {
                    placed[k] = true
                    let next = order[k]
                    precondition(a.indices.contains(next) && (next == start || !placed[next]), "not a permutation")
                    if next == start { break }
                    a.swapAt(k, next)
                    k = next
                }
            }
        }
    }
}

extension Array where Element == Finding {
    /// By position: a loop over the findings themselves copied each one (its texts retained).
    func count(_ severity: Severity) -> Int { indices.reduce(0) { $0 + (self[$1].severity == severity ? 1 : 0) } }
}
