// Performance indicators (PI001–PI005): each target and actual read as the spec's words say,
// and how it was read stated, so a reviewer can disagree with the reading.

/// How an indicator came out.
public enum IndicatorStatus: String, Sendable {
    case met, notMet = "not met", manualReview = "manual review", noActual = "no actual"

    public var chinese: String {
        switch self {
        case .met: return "已完成"
        case .notMet: return "未完成"
        case .manualReview: return "人工评价"
        case .noActual: return "无实际值"
        }
    }
}

public struct IndicatorResult: Sendable {
    public let row: IndicatorRow
    public let reading: Message
    public let status: IndicatorStatus
}

/// A comparison a target asks for.
enum Comparison: String, Sendable {
    case atLeast = "≥", greaterThan = ">", atMost = "≤", lessThan = "<", equal = "="

    func holds(_ actual: Int64, _ target: Int64) -> Bool {
        switch self {
        case .atLeast: return actual >= target
        case .greaterThan: return actual > target
        case .atMost: return actual <= target
        case .lessThan: return actual < target
        case .equal: return actual == target
        }
    }
}

/// How a target was understood.
enum TargetReading: Equatable, Sendable {
    /// value in millionths; percent when the target is a percentage (10% → 10_000_000)
    case numeric(Comparison, value: Int64, percent: Bool, growth: Bool, assumed: Bool)
    /// 不超预算, 预算控制: judged from the data, not from the actual column.
    case budgetControl
    /// 有效提升, 2021 年内完成: nothing to compute.
    case qualitative

    var describe: (zh: String, en: String) {
        switch self {
        case .budgetControl: return ("预算控制：按项目支出与预算比较", "budget control: spending against the budget")
        case .qualitative: return ("定性目标", "qualitative")
        case let .numeric(c, value, percent, growth, assumed):
            let v = IndicatorRules.show(value) + (percent ? "%" : "")
            let g = growth ? ("增长 ", "growth ") : ("", "")
            let note = assumed ? ("（无比较词，按“\(c == .atMost ? "不超过" : "不少于")”理解）", " (no comparison word: read as \(c == .atMost ? "at most" : "at least"))") : ("", "")
            return ("\(g.0)\(c.rawValue) \(v)\(note.0)", "\(g.1)\(c.rawValue) \(v)\(note.1)")
        }
    }
}

/// The rule: every indicator of indicators.csv read and judged.
struct Indicators: WholeRule {
    let name = "indicators"
    func codes(in kind: RunKind) -> [RuleCode] { kind == .reconcile ? [.PI001, .PI002, .PI003, .PI004, .PI005] : [] }
    let needs: [InputFile] = [.indicators, .projects]

    func run(_ context: RuleContext) -> RuleOutput {
        var out = RuleOutput()
        let spent = Self.spentByProject(context.ledger, asOf: context.period.asOf)
        let tree = context.tree
        out.indicators = IndicatorRules.run(context.scope, spentUnder: { p in tree.subtree(of: p).reduce(0) { $0 + (spent[$1] ?? 0) } },
                                            into: &out.log)
        return out
    }

    /// Money spent by the as-of date per project (not its sub-projects).
    static func spentByProject(_ ledger: Ledger, asOf: Day) -> [Int: Fen] {
        var spent: [Int: Fen] = [:]
        for (key, events) in ledger.spendingFlows {
            for e in events where e.kind == .spent && e.day <= asOf.daysSinceEpoch { spent[key.project, default: 0] += e.amount }
        }
        return spent
    }
}

enum IndicatorRules {
    static func show(_ millionths: Int64) -> String { MoneyFormat.decimal(millionths, scaleDigits: 6, minFraction: 0) }

    /// Full-width forms to ASCII, lower case, so the words and numbers below match.
    static func normalize(_ text: String) -> String {
        var bytes = Array(text.utf8)
        var out = [UInt8](repeating: 0, count: bytes.count)
        let n = bytes.withUnsafeMutableBufferPointer { b in
            out.withUnsafeMutableBufferPointer { o in ValueParsers.normalizeASCII(UnsafeBufferPointer(b), into: o) ?? 0 }
        }
        bytes = Array(out.prefix(n))
        return String(decoding: bytes, as: UTF8.self).lowercased()
    }

    /// The first number in the text, in millionths, and whether a % follows it.
    static func firstNumber(_ text: String) -> (value: Int64, percent: Bool)? {
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            guard chars[i].isASCII, chars[i].isNumber else { i += 1; continue }
            var whole: Int64 = 0, frac: Int64 = 0, scale: Int64 = 1
            while i < chars.count, chars[i].isASCII, let d = chars[i].wholeNumberValue {
                guard whole < 1_000_000_000_000 else { return nil }
                whole = whole * 10 + Int64(d); i += 1
            }
            if i + 1 < chars.count, chars[i] == ".", chars[i + 1].isASCII, chars[i + 1].isNumber {
                i += 1
                while i < chars.count, chars[i].isASCII, let d = chars[i].wholeNumberValue {
                    if scale < 1_000_000 { frac = frac * 10 + Int64(d); scale *= 10 }
                    i += 1
                }
            }
            var j = i
            while j < chars.count, chars[j] == " " { j += 1 }
            let percent = j < chars.count && chars[j] == "%"
            return (whole * 1_000_000 + frac * (1_000_000 / scale), percent)
        }
        return nil
    }

    static let atMostWords = ["不超过", "不高于", "不多于", "不大于", "以内", "以下"]
    static let atLeastWords = ["不少于", "至少", "不低于", "不小于", "以上"]

    /// Reads a target as spec §3 says. A bare number means "at least", except under 成本指标.
    static func readTarget(_ raw: String, name: String, level1: String?, level2: String?) -> TargetReading {
        let t = normalize(raw)
        if t.contains("不超预算") || t.contains("预算控制") { return .budgetControl }
        // A year with 年内/年底/完成 is a deadline, not a quantity: left for review.
        if let n = firstNumber(t), n.value >= 1_900_000_000, n.value <= 2_100_000_000, t.contains("年") { return .qualitative }
        guard let number = firstNumber(t) else { return .qualitative }
        let percent = number.percent || t.contains("%") || name.contains("%") || name.contains("％")
        let growth = t.contains("增长")
        var comparison: Comparison?
        for (symbol, c) in [(">=", Comparison.atLeast), ("<=", .atMost), ("≥", .atLeast), ("≤", .atMost), (">", .greaterThan), ("<", .lessThan), ("=", .equal)]
        where t.contains(symbol) {
            comparison = c
            break
        }
        if comparison == nil {
            if atMostWords.contains(where: t.contains) { comparison = .atMost }
            else if atLeastWords.contains(where: t.contains) || growth { comparison = .atLeast }
        }
        let isCost = (level1 ?? "").contains("成本") || (level2 ?? "").contains("成本")
        let assumed = comparison == nil
        return .numeric(comparison ?? (isCost ? .atMost : .atLeast), value: number.value, percent: percent, growth: growth, assumed: assumed)
    }

    /// Judges every indicator; PI003's spending comes from the data.
    static func run(_ scope: LoadedScope, spentUnder: (Int) -> Fen, into log: inout FindingLog) -> [IndicatorResult] {
        scope.indicators.map { row in
            let target = readTarget(row.target, name: row.name, level1: row.level1, level2: row.level2)
            let (status, reading, findings) = judge(row, target, scope: scope, spentUnder: spentUnder)
            for var f in findings {
                f.project = scope.projects[row.project].code
                log.add(f)
            }
            return IndicatorResult(row: row, reading: reading, status: status)
        }
    }

    private static func judge(_ row: IndicatorRow, _ target: TargetReading, scope: LoadedScope, spentUnder: (Int) -> Fen)
        -> (IndicatorStatus, Message, [Finding]) {
        let at = SourceRef(file: scope.path(.indicators), line: row.line)
        let what = "“\(row.name)”"
        let t = target.describe
        switch target {
        case .qualitative:
            let m = Message(zh: "目标“\(row.target)”为定性目标，需人工评价", en: "the target \"\(row.target)\" is qualitative: review by hand")
            return (.manualReview, Message(zh: t.zh, en: t.en), [Finding(.PI005, Message(zh: "\(what)：\(m.zh)", en: "\(what): \(m.en)"), at: at)])
        case .budgetControl:
            let project = scope.projects[row.project]
            let spent = spentUnder(row.project)
            guard let budget = project.budget else {
                let m = Message(zh: "\(what)：预算控制目标，但项目 \(project.code) 没有预算", en: "\(what): a budget-control target, but project \(project.code) has no budget")
                return (.noActual, Message(zh: t.zh, en: t.en), [Finding(.PI002, m, at: at)])
            }
            let reading = Message(zh: "\(t.zh)：支出 \(RuleText.wan(spent))，预算 \(RuleText.wan(budget))",
                                  en: "\(t.en): spent \(RuleText.wan(spent)), budget \(RuleText.wan(budget))")
            if spent > budget {
                var f = Finding(.PI003, Message(zh: "\(what)：项目 \(project.code) 支出 \(RuleText.wan(spent))，超过预算 \(RuleText.wan(budget))",
                                                en: "\(what): project \(project.code) spent \(RuleText.wan(spent)), over its budget of \(RuleText.wan(budget))"),
                                at: at, amount: spent - budget)
                f.project = project.code
                return (.notMet, reading, [f])
            }
            return (.met, reading, [])
        case let .numeric(comparison, value, percent, _, _):
            guard let actualText = row.actual, !actualText.isEmpty else {
                return (.noActual, Message(zh: "目标 \(t.zh)；无实际值", en: "target \(t.en); no actual"),
                        [Finding(.PI002, Message(zh: "\(what) 没有填写实际值", en: "\(what) has no actual value"), at: at)])
            }
            guard let actual = firstNumber(normalize(actualText)) else {
                return (.noActual, Message(zh: "目标 \(t.zh)；实际值“\(actualText)”不是数字", en: "target \(t.en); the actual \"\(actualText)\" is not a number"),
                        [Finding(.PI002, Message(zh: "\(what) 的实际值“\(actualText)”无法与目标 \(t.zh) 比较", en: "\(what): the actual \"\(actualText)\" cannot be read against the target \(t.en)"), at: at)])
            }
            var value0 = actual.value
            var assumption: Finding?
            var note = ("", "")
            if percent && !actual.percent && value0 > 0 && value0 <= 1_000_000 {
                // 0.11 against a % target is taken as 11%, and said so.
                value0 *= 100
                note = ("（“\(actualText)”按 \(show(value0))% 理解）", " (\"\(actualText)\" read as \(show(value0))%)")
                assumption = Finding(.PI004, Message(zh: "\(what)：实际值“\(actualText)”按百分比 \(show(value0))% 理解（目标为 \(t.zh)）",
                                                     en: "\(what): the actual \"\(actualText)\" was read as \(show(value0))% (the target is \(t.en))"), at: at)
            }
            let met = comparison.holds(value0, value)
            let shown = show(value0) + (percent ? "%" : "")
            let reading = Message(zh: "目标 \(t.zh)；实际 \(shown)\(note.0) → \(met ? "完成" : "未完成")",
                                  en: "target \(t.en); actual \(shown)\(note.1): \(met ? "met" : "not met")")
            let miss = met ? nil : Finding(.PI001, Message(zh: "\(what) 未完成：目标 \(t.zh)，实际 \(shown)", en: "\(what) not met: target \(t.en), actual \(shown)"), at: at)
            return (met ? .met : .notMet, reading, [assumption, miss].compactMap { $0 })
        }
    }
}
