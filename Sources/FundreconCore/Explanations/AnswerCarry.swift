/// Tonight's findings and edges given the answers staff wrote before: each answer follows its
/// key; one whose figure moved asks for review; one whose finding is gone is kept.
public struct CarriedAnswers: Sendable {
    /// By edge index.
    public var edges: [Int: Explanation] = [:]
    /// Answers whose finding or edge is gone tonight, by key, in key order: shown under 变化
    /// and in the JSON, and written again each night so they are never lost.
    public var kept: [(key: String, explanation: Explanation)] = []

    public init() {}

    public var isEmpty: Bool { edges.isEmpty && kept.isEmpty }
}

/// The key of an edge's answer: its project code and its units' ids, which survive rows moving
/// and the ledger growing.
public enum EdgeAnswerKey {
    static let prefix = "edge|"

    public static func key(project: String, from: String, to: String) -> String { "\(prefix)\(project)|\(from)|\(to)" }

    static func key(_ e: EdgeResult, _ scope: LoadedScope) -> String {
        key(project: scope.projects[e.key.project].code, from: scope.entities[e.key.from].id, to: scope.entities[e.key.to].id)
    }

    /// The edge's three ids; nil when the text is not an edge's key.
    static func parts(_ key: String) -> (project: String, from: String, to: String)? {
        guard key.hasPrefix(prefix) else { return nil }
        let parts = key.dropFirst(prefix.count).split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        return (String(parts[0]), String(parts[1]), String(parts[2]))
    }
}

extension EdgeResult {
    /// What an answer to this edge is given against.
    public var figure: Figure { Figure(amount: variance, days: daysLate) }
}

extension Finding {
    public var figure: Figure { Figure(amount: amount, days: nil) }
}

extension Explanation {
    /// This answer on a row whose figure is `now`: asks for review when the figure it was
    /// given against differs.
    func carried(to now: Figure) -> Explanation {
        var e = self
        // A basis with neither figure says nothing: the answer was given against no number.
        guard let basis, basis != now, basis.amount != nil || basis.days != nil else {
            // A review already asked for stays until someone answers it again.
            if status == .review, let basis { e.review = FigureChange(before: basis, after: now) }
            return e
        }
        e.status = .review
        e.review = FigureChange(before: basis, after: now)
        return e
    }
}

extension Explanations {
    /// Gives each finding and edge the answer of its key and returns what is left: the answers
    /// of gone findings from earlier reports (kept), and the EX findings: rows that could not
    /// be used (EX002) and keys of a file given by hand that match nothing (EX001).
    public func carry(into findings: inout [Finding], edges: [EdgeResult], scope: LoadedScope?) -> (CarriedAnswers, [Finding]) {
        var carried = CarriedAnswers()
        guard !byKey.isEmpty else { return (carried, problems) }
        var used = Set<String>()
        for i in findings.indices {
            let key = findings[i].identity
            guard let explanation = byKey[key] else { continue }
            findings[i].explanation = explanation.carried(to: findings[i].figure)
            used.insert(key)
        }
        let edgeKeys = byKey.keys.filter { $0.hasPrefix(EdgeAnswerKey.prefix) }
        if let scope, !edgeKeys.isEmpty {
            var index: [EdgeKey: Int] = [:]
            index.reserveCapacity(edges.count)
            for i in edges.indices { index[edges[i].key] = i }
            for key in edgeKeys {
                guard let parts = EdgeAnswerKey.parts(key), let project = scope.project(named: parts.project),
                      let from = scope.entity(named: parts.from), let to = scope.entity(named: parts.to),
                      let i = index[EdgeKey(project: project, from: from, to: to)], let explanation = byKey[key],
                      // An id that resolved to another unit by its name is not this edge.
                      EdgeAnswerKey.key(edges[i], scope) == key else { continue }
                carried.edges[i] = explanation.carried(to: edges[i].figure)
                used.insert(key)
            }
        }
        var unknown: [(String, Explanation)] = []
        for (key, e) in byKey where !used.contains(key) {
            if fromReports.contains(key) { carried.kept.append((key, e)) } else { unknown.append((key, e)) }
        }
        carried.kept.sort { $0.key < $1.key }
        unknown.sort { ($0.1.source.file, $0.1.source.line ?? 0) < ($1.1.source.file, $1.1.source.line ?? 0) }
        return (carried, problems + unknown.map { key, e in
            Finding(.EX001, Message(
                zh: "说明（\(e.status.chinese)）对应的问题“\(key)”本次没有出现：可能已解决，或问题键写错了",
                en: "the explanation (\(e.status.rawValue)) is for \"\(key)\", which this run did not find: resolved, or a mistyped key"),
                at: e.source)
        })
    }

    /// The findings' part alone, for `check --baseline`: no edges, nothing kept.
    public func apply(to findings: inout [Finding]) -> [Finding] { carry(into: &findings, edges: [], scope: nil).1 }
}
