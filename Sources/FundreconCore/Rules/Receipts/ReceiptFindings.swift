import Synchronization

/// RC001–RC006 as findings: made from the matching's listed rows (`ReceiptReport`) once the
/// rules are done and the ledger is let go, so that a province's quarter of a million of
/// them is not held beside the receipt book. Every match but a plain one is listed, so each
/// finding has its row; its vouchers are spelt by then.
struct ReceiptFindings: LateFindings {
    private let matches: [ReceiptMatch]
    private let scope: LoadedScope
    private let transfersFile: String
    /// receipts.csv's parts, by part.
    private let receiptFiles: [String]
    private let words: ReceiptWords

    init(_ report: ReceiptReport, scope: LoadedScope, transfersFile: String) {
        matches = report.matches
        self.scope = scope
        self.transfersFile = transfersFile
        receiptFiles = report.receiptFiles
        words = ReceiptWords(scope: scope, asOf: report.asOf)
    }

    /// Made on two threads, each a half of the matches (a province's are a quarter of a
    /// million, each a message to build), and added in the matches' order; a few thousand on
    /// the calling thread alone (`Concurrently.map` runs a single piece there).
    func findings(into log: inout FindingLog) {
        let half = matches.count / 2
        let shares = half >= 4_096 ? [0..<half, half..<matches.count] : [0..<matches.count]
        for made in Concurrently.map(shares, { range in range.compactMap { self.finding(self.matches[$0]) } }) {
            log.add(contentsOf: made)
        }
    }

    private func receiptFile(_ row: MatchedRow) -> String {
        receiptFiles.indices.contains(row.part) ? receiptFiles[row.part] : receiptFiles.first ?? InputFile.receipts.fileName
    }

    private func finding(_ m: ReceiptMatch) -> Finding? {
        let t = m.transfers.first, r = m.receipts.first
        let words = self.words
        let text = FindingText.made { words.message(m, $0) }
        var f: Finding
        switch m.status {
        case .matched, .sentAfterAsOf:
            return nil
        case .overdue, .inTransit:
            guard let t else { return nil }
            f = Finding(m.status == .overdue ? .RC001 : .RC005, text, at: SourceRef(file: transfersFile, line: t.line), amount: t.amount)
        case .notSent:
            guard let r else { return nil }
            f = Finding(.RC002, text, at: SourceRef(file: receiptFile(r), line: r.line), amount: r.amount)
        case .amountDiffers:
            guard let t, let r else { return nil }
            f = Finding(.RC003, text, at: SourceRef(file: receiptFile(r), line: r.line),
                        related: [SourceRef(file: transfersFile, line: t.line)], amount: t.amount)
            f.cause = m.cause
        case .projectDiffers:
            guard let t, let r else { return nil }
            f = Finding(.RC004, text, at: SourceRef(file: receiptFile(r), line: r.line),
                        related: [SourceRef(file: transfersFile, line: t.line)], amount: t.amount)
        case .batch:
            guard let t, let r else { return nil }
            let total = m.transfers.reduce(0) { $0 + $1.amount }
            if m.receipts.count == 1 {
                f = Finding(.RC006, text, at: SourceRef(file: receiptFile(r), line: r.line),
                            related: RuleText.sourceRefs(m.transfers.map(\.line), file: transfersFile), amount: total)
            } else {
                f = Finding(.RC006, text, at: SourceRef(file: transfersFile, line: t.line),
                            related: m.receipts.prefix(RuleText.maxRelated).map { SourceRef(file: receiptFile($0), line: $0.line) },
                            amount: total)
            }
        }
        f.from = scope.entities[m.from].id
        f.to = scope.entities[m.to].id
        if let project = (t ?? r)?.project { f.project = scope.projects[project].code }
        // Named by its row's voucher, which knows it across runs where its line moves.
        let own = f.primary.file == transfersFile ? t : r
        if let own, !own.voucher.isEmpty { f.voucher = own.voucher }
        return f
    }
}

/// The RC findings' messages, made when a writer asks for one: a quarter of a million
/// findings of a province's books would otherwise hold two sentences each. One instance
/// serves every finding.
private final class ReceiptWords: Sendable {
    let scope: LoadedScope
    let asOf: Day
    /// Each unit as the messages name it, spelt once, when the first message is asked for
    /// (after the rules' peak): the findings name two units each, in every language a writer
    /// asks for, and spelling them for each message costs a per cent of a province's run.
    private let unitNames = Mutex<[String]?>(nil)

    init(scope: LoadedScope, asOf: Day) {
        self.scope = scope
        self.asOf = asOf
    }

    private func names() -> [String] {
        unitNames.withLock { names in
            if let names { return names }
            let spelt = scope.entities.indices.map(scope.describeEntity)
            names = spelt
            return spelt
        }
    }

    func message(_ m: ReceiptMatch, _ language: Language) -> String {
        func say(_ zh: @autoclosure () -> String, _ en: @autoclosure () -> String) -> String { language == .zh ? zh() : en() }
        let names = self.names()
        func unit(_ i: Int) -> String { names.indices.contains(i) ? names[i] : scope.describeEntity(i) }
        let units = "\(unit(m.from)) → \(unit(m.to))"
        let t = m.transfers.first, r = m.receipts.first
        switch m.status {
        case .matched, .sentAfterAsOf:
            return ""
        case .overdue, .inTransit:
            guard let t else { return "" }
            let days = m.age ?? 0
            return say("\(units)：\(t.day) 拨出 \(RuleText.wan(t.amount))（项目 \(scope.describeProject(t.project))），至 \(asOf) 已 \(days) 天，接收单位账上\(m.status == .overdue ? "仍未入账" : "尚未入账（在途）")",
                       "\(units): \(RuleText.wan(t.amount)) sent on \(t.day) (project \(scope.describeProject(t.project))); \(days) days later, on \(asOf), the receiver has \(m.status == .overdue ? "still not booked it" : "not booked it yet (in transit)")")
        case .notSent:
            guard let r else { return "" }
            var extra = (zh: "", en: "")
            if let note = m.note, note.refLine == -1 {
                extra = ("；所填对方凭证号在拨付记录中不存在", "; the sender voucher it names is not in transfers.csv")
            } else if let note = m.note, note.refLine > 0, !note.sentHere {
                extra = ("；所填对方凭证号是拨付记录第 \(note.refLine) 行，但该行的拨出或接收单位不同",
                         "; the sender voucher it names is line \(note.refLine) of transfers.csv, which is between other units")
            }
            return say("\(units)：接收单位 \(r.day) 入账 \(RuleText.wan(r.amount))（项目 \(scope.describeProject(r.project))），拨出单位没有对应的拨付记录\(extra.zh)",
                       "\(units): the receiver booked \(RuleText.wan(r.amount)) on \(r.day) (project \(scope.describeProject(r.project))), and no transfer matches it\(extra.en)")
        case .amountDiffers:
            guard let t, let r else { return "" }
            let cause = (m.cause ?? .unknown).message
            return say("\(units)：拨出 \(RuleText.wan(t.amount))（拨付记录第 \(t.line) 行，\(t.day)），入账 \(RuleText.wan(r.amount))（\(r.day)），相差 \(RuleText.wan(r.amount - t.amount))；可能原因：\(cause.zh)",
                       "\(units): \(RuleText.wan(t.amount)) sent (transfers.csv line \(t.line), \(t.day)), \(RuleText.wan(r.amount)) booked (\(r.day)), a difference of \(RuleText.wan(r.amount - t.amount)); likely cause: \(cause.en)")
        case .projectDiffers:
            guard let t, let r else { return "" }
            return say("\(units)：拨付记录第 \(t.line) 行的 \(RuleText.wan(t.amount)) 拨的是项目 \(scope.describeProject(t.project))，接收单位记在项目 \(scope.describeProject(r.project)) 下",
                       "\(units): the \(RuleText.wan(t.amount)) of transfers.csv line \(t.line) was sent for project \(scope.describeProject(t.project)) and booked under project \(scope.describeProject(r.project))")
        case .batch:
            guard let t, let r else { return "" }
            if m.receipts.count == 1 {
                let lines = { (separator: String) in m.transfers.map { String($0.line) }.joined(separator: separator) }
                return say("\(units)：一笔入账 \(RuleText.wan(r.amount)) 对应 \(m.transfers.count) 笔拨付（拨付记录第 \(lines("、")) 行），合计相符",
                           "\(units): one receipt of \(RuleText.wan(r.amount)) books \(m.transfers.count) transfers (transfers.csv lines \(lines(", "))), which add up to it")
            }
            let lines = { (separator: String) in m.receipts.map { String($0.line) }.joined(separator: separator) }
            return say("\(units)：一笔拨付 \(RuleText.wan(t.amount)) 分 \(m.receipts.count) 笔入账（到账记录第 \(lines("、")) 行），合计相符",
                       "\(units): one transfer of \(RuleText.wan(t.amount)) is booked in \(m.receipts.count) receipts (receipts.csv lines \(lines(", "))), which add up to it")
        }
    }
}
