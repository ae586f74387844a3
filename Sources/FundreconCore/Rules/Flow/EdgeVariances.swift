/// Plan against transfers, per edge (FL001–FL005, FL008, FL009), in one pass over the edges:
/// each edge's plan lines and transfers are walked together once. In `check` only FL001, which
/// needs no period. FL006 lives with the balances (it follows money through a unit, not along
/// an edge) and FL007 in its own file (it compares rows, not the edge's sums).
struct EdgeVariances: WholeRule {
    let name = "edge variances"
    func codes(in kind: RunKind) -> [RuleCode] {
        kind == .check ? [.FL001] : [.FL001, .FL002, .FL003, .FL004, .FL005, .FL008, .FL009]
    }
    let needs: [InputFile] = [.entities, .projects, .plan, .transfers]
    let runsAlone = true

    func run(_ context: RuleContext) -> RuleOutput {
        var out = RuleOutput()
        let pass = EdgePass(context)
        if context.kind == .check {
            pass.unplannedOnly(into: &out.log)
        } else {
            out.edges = pass.run(into: &out.log)
        }
        return out
    }
}

/// The pass itself. A class, not a struct: the closures of the per-edge work (sorting, a
/// finding's text made on demand) capture it, and a struct of this many tables is copied,
/// a retain and a release of each, every time they do.
final class EdgePass {
    let context: RuleContext
    // The scope and the ledger are read on every edge: held here, not fetched (and retained)
    // through the context each time, which three rule threads would do at once.
    let scope: LoadedScope
    let ledger: Ledger
    let transfersFile: String
    let planFile: String

    init(_ context: RuleContext) {
        self.context = context
        scope = context.scope
        ledger = context.ledger
        transfersFile = context.scope.path(.transfers)
        planFile = context.scope.path(.plan)
    }

    /// |variance| within this counts as matched: the larger of the absolute and relative tolerances.
    func tolerance(planned: Fen) -> Fen {
        max(context.settings.tolerance, Fen(Int128(planned) * Int128(context.settings.tolerancePct.ppm) / 1_000_000))
    }

    func describe(_ e: EdgeKey) -> (zh: String, en: String) { RuleText.describe(e, in: scope) }

    func tag(_ f: inout Finding, _ e: EdgeKey) { RuleText.tag(&f, e, in: scope) }

    private static func key(_ line: PlanLine) -> EdgeKey { EdgeKey(project: line.project, from: line.from, to: line.to) }

    /// FL001 alone, for `check`: the edges with money and no plan line.
    func unplannedOnly(into log: inout FindingLog) {
        var planned = KeyPlaces()
        for line in scope.plan { _ = planned.place(of: EdgePass.key(line)) }
        // Only the few unplanned edges are sorted, not every edge with its book.
        let edges = ledger.edges
        var unplannedEdges: [Int] = []
        for (i, key) in edges.keys.enumerated() where planned.place(ofKnown: key) == nil && edges.values[i].okRows > 0 {
            unplannedEdges.append(i)
        }
        for i in unplannedEdges.sorted(by: { edges.keys[$0] < edges.keys[$1] }) {
            unplanned(edges.keys[i], transferred: edges.values[i].total, book: edges.values[i], &log)
        }
    }

    private func unplanned(_ key: EdgeKey, transferred: Fen, book: EdgeBook, _ log: inout FindingLog) {
        let text = describe(key)
        let refs = [book.firstLine, book.lastLine].filter { $0 > 0 }.uniqued().map { SourceRef(file: transfersFile, line: $0) }
        var f = Finding(.FL001, Message(zh: "\(text.zh)：拨付 \(RuleText.wan(transferred)) 没有对应的分配计划行",
                                        en: "\(text.en): \(RuleText.wan(transferred)) moved with no plan line"),
                        at: refs.first ?? SourceRef(file: transfersFile), related: Array(refs.dropFirst()), amount: transferred)
        tag(&f, key)
        log.add(f)
    }

    /// Builds every edge and its findings.
    func run(into log: inout FindingLog) -> [EdgeResult] {
        // Plan lines and transferred edges, each in key order, walked together: no table of
        // every edge's plan lines (half a million small arrays at province scale).
        let plan = scope.plan
        let planOrder = plan.indices.sorted { (EdgePass.key(plan[$0]), $0) < (EdgePass.key(plan[$1]), $1) }
        // The moved edges by position in key order: no look-up of each (a cache miss apiece).
        let movedBooks = ledger.edges
        let movedKeys = movedBooks.keys
        let movedOrder = movedKeys.indices.sorted { movedKeys[$0] < movedKeys[$1] }
        let moved = movedOrder.map { movedKeys[$0] }
        var edges: [EdgeResult] = []
        edges.reserveCapacity(max(plan.count, moved.count))
        var p = 0, m = 0
        while p < planOrder.count || m < moved.count {
            let planKey = p < planOrder.count ? EdgePass.key(plan[planOrder[p]]) : nil
            let movedKey = m < moved.count ? moved[m] : nil
            let key: EdgeKey
            switch (planKey, movedKey) {
            case let (a?, b?): key = min(a, b)
            case let (a?, nil): key = a
            case let (nil, b?): key = b
            case (nil, nil): return edges
            }
            var lines: [Int] = []
            while p < planOrder.count && EdgePass.key(plan[planOrder[p]]) == key {
                lines.append(planOrder[p])
                p += 1
            }
            var edgeBook = EdgeBook()
            if movedKey == key {
                edgeBook = movedBooks.values[movedOrder[m]]
                m += 1
            }
            edges.append(edge(key, lines: lines, book: edgeBook, &log))
        }
        return edges
    }

    private func edge(_ key: EdgeKey, lines: [Int], book: EdgeBook, _ log: inout FindingLog) -> EdgeResult {
        let plan = lines.map { scope.plan[$0] }
        let planned = plan.reduce(0) { $0 + $1.amount }
        let days = book.byDay(upTo: context.period.asOf)
        let transferred = days.reduce(0) { $0 + $1.amount }
        let tol = tolerance(planned: planned)
        let variance = transferred - planned
        let status: EdgeStatus
        if plan.isEmpty {
            status = book.okRows > 0 ? .unplanned : .matched
        } else if planned > 0 && transferred <= 0 {
            status = .missing
        } else if variance > tol {
            status = .over
        } else if variance < -tol {
            status = .under
        } else {
            status = .matched
        }
        let deadline = plan.isEmpty ? context.period.end : plan.map { $0.due ?? context.period.end }.max() ?? context.period.end
        // Named only when a finding needs it: most edges have none, and a province has 10^6.
        let text = Lazy { self.describe(key) }
        let primaryPlan = plan.first.map { SourceRef(file: planFile, line: $0.line) }
        let firstTransfer = book.firstLine > 0 ? SourceRef(file: transfersFile, line: book.firstLine) : nil
        let planRefs = plan.map { SourceRef(file: planFile, line: $0.line) }
        let transferLines = book.firstLine == book.lastLine ? [book.firstLine] : [book.firstLine, book.lastLine]
        let transferRefs = transferLines.filter { $0 > 0 }.map { SourceRef(file: transfersFile, line: $0) }

        // FL008 stands instead of FL003/FL004 when the two sides differ by the 元/万元 factor.
        let mixUp = planned > 0 && transferred > 0 && nearFactor(planned, transferred)
        let cause = mixUp || status == .over || status == .under
            ? Self.cause(planned: planned, transferred: transferred, book: book, asOf: context.period.asOf, nearFactor: mixUp) : nil

        func add(_ code: RuleCode, _ message: Message, at ref: SourceRef?, related: [SourceRef], amount: Fen?) {
            var text = message
            if let cause, cause != .unknown {
                text = Message(zh: message.zh + "；可能原因：\(cause.message.zh)", en: message.en + "; likely cause: \(cause.message.en)")
            }
            var f = Finding(code, text, at: ref ?? SourceRef(file: planFile), related: related, amount: amount)
            f.cause = cause
            tag(&f, key)
            log.add(f)
        }
        if status == .unplanned {
            unplanned(key, transferred: transferred, book: book, &log)
        } else if mixUp {
            // The side out of line with the project's budget is the one typed in the wrong unit.
            let budget = scope.projects[key.project].budget
            let planIsWrong = budget.map { planned > $0 } ?? false
            let named = planIsWrong ? (primaryPlan, "计划行", "the plan line") : (firstTransfer, "拨付行", "the transfer row")
            add(.FL008, Message(
                zh: "\(text.value.zh)：计划 \(RuleText.wan(planned))，拨付 \(RuleText.wan(transferred))，相差约一万倍（元/万元混用）；请核对\(named.1)的金额单位",
                en: "\(text.value.en): planned \(RuleText.wan(planned)), transferred \(RuleText.wan(transferred)), about 10,000 times apart (元/万元 mix-up); check the unit of \(named.2)"),
                at: named.0, related: planIsWrong ? transferRefs : planRefs, amount: variance)
        } else if status == .over {
            add(.FL004, Message(zh: "\(text.value.zh)：拨付 \(RuleText.wan(transferred))，超过计划 \(RuleText.wan(planned)) \(RuleText.wan(variance))",
                                en: "\(text.value.en): transferred \(RuleText.wan(transferred)), \(RuleText.wan(variance)) over the planned \(RuleText.wan(planned))"),
                at: primaryPlan, related: Array(planRefs.dropFirst()) + transferRefs, amount: variance)
        } else if status == .under && deadline <= context.period.asOf {
            add(.FL003, Message(zh: "\(text.value.zh)：计划 \(RuleText.wan(planned))，截至 \(context.period.asOf) 只拨付 \(RuleText.wan(transferred))，差 \(RuleText.wan(-variance))",
                                en: "\(text.value.en): planned \(RuleText.wan(planned)), only \(RuleText.wan(transferred)) transferred by \(context.period.asOf), \(RuleText.wan(-variance)) short"),
                at: primaryPlan, related: Array(planRefs.dropFirst()) + transferRefs, amount: variance)
        }

        let daysLate = fill(key, plan: plan, days: days, text: text, &log)
        replaced(key, book: book, text: text, &log)

        return EdgeResult(
            key: key, hop: Hop(from: scope.entities[key.from].level, to: scope.entities[key.to].level),
            planned: planned, transferred: transferred, status: status,
            lastDue: plan.compactMap(\.due).max(), lastTransfer: days.last?.day, daysLate: daysLate,
            methods: SmallList(plan.compactMap(\.method).uniqued()), documents: SmallList(plan.compactMap(\.document).uniqued()),
            planLines: SmallList(plan.map(\.line)), firstTransferLine: book.firstLine > 0 ? book.firstLine : nil,
            notMoved: book.failed.reduce(0) { $0 + $1.amount }, afterAsOf: book.after(context.period.asOf), cause: cause)
    }

    /// Why an edge's transfers up to `asOf` differ from its plan: a row entered twice whose
    /// amount is the excess, a failed or returned row whose amount is the shortfall, or
    /// what the two figures alone tell (`AmountCause.classify`); FL008's factor of 10,000
    /// within 1 % is a unit slip even when not exact.
    static func cause(planned: Fen, transferred: Fen, book: EdgeBook, asOf: Day, nearFactor: Bool) -> AmountCause {
        let excess = transferred - planned
        if excess > 0 {
            let days = book.days, amounts = book.amounts, lines = book.lines
            var earlier: [Fen] = []
            for i in days.indices where days[i] <= asOf.daysSinceEpoch {
                if amounts[i] == excess && earlier.contains(excess) { return .duplicatedRow(line: Int(lines[i])) }
                if amounts[i] == excess { earlier.append(excess) }
            }
        } else if excess < 0, let failed = book.failed.first(where: { $0.amount == -excess }) {
            return .missingRow(line: failed.line)
        }
        let figures = AmountCause.classify(expected: planned, actual: transferred)
        return figures == .unknown && nearFactor ? .unit(power: transferred > planned ? 4 : -4) : figures
    }

    /// True when one side is 10,000 times the other, within 1 %.
    private func nearFactor(_ a: Fen, _ b: Fen) -> Bool {
        let (big, small) = (Int128(max(a, b)), Int128(min(a, b)))
        let target = small * 10_000
        return abs(big - target) * 100 <= target
    }

    /// FL002 and FL005: transfers fill the edge's plan lines in due-date order. Returns the
    /// edge's days late (the most of any line), nil when no line is late.
    private func fill(_ key: EdgeKey, plan: [PlanLine], days: [(day: Day, amount: Fen, line: Int)], text: Lazy<(zh: String, en: String)>,
                      _ log: inout FindingLog) -> Int? {
        let ordered = plan.sorted { ($0.due ?? context.period.end, $0.line) < ($1.due ?? context.period.end, $1.line) }
        var cumulative: Fen = 0
        var next = 0
        var target: Fen = 0
        var worst: Int?
        for line in ordered where line.amount > 0 {
            let before = target
            target += line.amount
            while cumulative < target && next < days.count {
                cumulative += days[next].amount
                next += 1
            }
            let deadline = line.due ?? context.period.end
            let ref = SourceRef(file: planFile, line: line.line)
            if cumulative >= target, next > 0 {
                let filled = days[next - 1]
                guard filled.day > deadline else { continue }
                let late = filled.day - deadline
                worst = max(worst ?? 0, late)
                var f = Finding(.FL005, Message(
                    zh: "\(text.value.zh)：计划 \(RuleText.wan(line.amount)) 应于 \(deadline) 前到位，\(filled.day) 才到齐，晚 \(late) 天",
                    en: "\(text.value.en): \(RuleText.wan(line.amount)) due by \(deadline) arrived in full on \(filled.day), \(late) days late"),
                    at: ref, related: [SourceRef(file: transfersFile, line: filled.line)], amount: line.amount)
                tag(&f, key)
                log.add(f)
            } else if deadline <= context.period.asOf {
                let late = context.period.asOf - deadline
                if late > 0 { worst = max(worst ?? 0, late) }
                guard cumulative - before <= 0 else { continue }  // partly paid: the edge's FL003 says so
                var f = Finding(.FL002, Message(
                    zh: "\(text.value.zh)：计划 \(RuleText.wan(line.amount)) 应于 \(deadline) 前到位，截至 \(context.period.asOf) 尚未拨付",
                    en: "\(text.value.en): \(RuleText.wan(line.amount)) due by \(deadline) has not been transferred as of \(context.period.asOf)"),
                    at: ref, amount: -line.amount)
                tag(&f, key)
                log.add(f)
            }
        }
        return worst
    }

    /// FL009: a failed or returned row is replaced by an `ok` row on the edge with the same
    /// amount, dated the same day or later.
    private func replaced(_ key: EdgeKey, book: EdgeBook, text: Lazy<(zh: String, en: String)>, _ log: inout FindingLog) {
        for failed in book.failed {
            guard book.firstOnOrAfter(failed.day.daysSinceEpoch, amount: failed.amount) == nil else { continue }
            let what = failed.status == .returned ? ("退回", "returned") : ("失败", "failed")
            var f = Finding(.FL009, Message(
                zh: "\(text.value.zh)：\(failed.day) 拨付 \(RuleText.wan(failed.amount)) \(what.0)，之后没有同额补拨",
                en: "\(text.value.en): the \(what.1) transfer of \(RuleText.wan(failed.amount)) on \(failed.day) was not paid again"),
                at: SourceRef(file: transfersFile, line: failed.line), amount: failed.amount)
            tag(&f, key)
            log.add(f)
        }
    }
}

extension Array where Element: Hashable {
    /// The elements in order, each once.
    func uniqued() -> [Element] {
        if count < 2 { return self }
        if count <= 8 {  // an edge's plan lines: a few, compared without a set
            var kept: [Element] = []
            for e in self where !kept.contains(e) { kept.append(e) }
            return kept
        }
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}

/// A value made on first use, then kept.
final class Lazy<Value> {
    private let make: () -> Value
    private var made: Value?

    init(_ make: @escaping () -> Value) { self.make = make }

    var value: Value {
        if let made { return made }
        let v = make()
        made = v
        return v
    }
}
