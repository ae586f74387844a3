/// How the rules write amounts and related rows in their messages, the same way everywhere.
enum RuleText {
    /// Related rows listed per finding at most; the message gives the full count.
    static let maxRelated = 1000

    /// "150 万元"; an amount under 1 万元 also in 元, where a typed "150元" shows itself.
    static func wan(_ fen: Fen) -> String {
        let text = MoneyFormat.wanYuan(fen) + " 万元"
        return fen != 0 && abs(fen) < 1_000_000 ? text + "（\(MoneyFormat.yuan(fen)) 元）" : text
    }

    /// A hint when two amounts differ by the 元/万元 factor.
    static func unitHint(_ a: Fen, _ b: Fen) -> (zh: String, en: String) {
        guard a != 0, b != 0 else { return ("", "") }
        let (big, small) = (max(abs(a), abs(b)), min(abs(a), abs(b)))
        guard big % small == 0, big / small == 10_000 else { return ("", "") }
        return ("（相差一万倍：是否把“万元”写成了“元”？）", " (they differ by 10,000: 元 written for 万元?)")
    }

    /// Up to `maxRelated` lines of `file` as references.
    static func sourceRefs(_ lines: [Int], file: String) -> [SourceRef] {
        lines.prefix(maxRelated).map { SourceRef(file: file, line: $0) }
    }

    /// 2 decimals, rounded half up: 749.8986 of 750 is 99.99%, as the self-evaluation says.
    static func percent(_ r: Ratio) -> String { MoneyFormat.decimal((r.ppm + 50) / 100, scaleDigits: 2, minFraction: 0) + "%" }

    /// "项目 F 强县工程，韶关市财政局（SG） → 乳源县财政局（RY）": an edge in a message.
    static func describe(_ e: EdgeKey, in scope: LoadedScope) -> (zh: String, en: String) {
        let units = "\(scope.describeEntity(e.from)) → \(scope.describeEntity(e.to))"
        return ("项目 \(scope.describeProject(e.project))，\(units)", "project \(scope.describeProject(e.project)), \(units)")
    }

    /// Names the edge's project and units in the finding's fields.
    static func tag(_ f: inout Finding, _ e: EdgeKey, in scope: LoadedScope) {
        f.project = scope.projects[e.project].code
        f.from = scope.entities[e.from].id
        f.to = scope.entities[e.to].id
    }
}
