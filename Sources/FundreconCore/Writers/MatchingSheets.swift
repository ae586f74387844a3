import XLSX

/// The matching sheets (对账), one per hop, and the overview's aging table: each transfer
/// beside the receipt(s) it was matched with, what needs action first. Written only when the
/// scope has receipts.csv.
extension WorkbookReport {
    func matchingTables() -> [SheetTable] {
        guard let report = result.receipts else { return [] }
        let transfersFile = fileName(result.scope.path(.transfers)), receiptFiles = report.receiptFiles.map(fileName)
        let matches = report.matches
        return report.sheets.map { hop, indices in
            var t = SheetTable(name: labels.matchingSheet(hop), headers: labels.matchingColumns, rowCount: indices.count) { i, r in
                let m = matches[indices[i]]
                let sent = m.transfers.reduce(0) { $0 + $1.amount }, booked = m.receipts.reduce(0) { $0 + $1.amount }
                // Most sides are one row: said without a set or a list to join.
                func projects(_ rows: [MatchedRow]) -> Cell {
                    if rows.count == 1 { return .text(self.project(rows[0].project)?.code ?? "") }
                    return .text(Array(Set(rows.map(\.project))).sorted().map { self.project($0)?.code ?? "" }.joined(separator: "; "))
                }
                func vouchers(_ rows: [MatchedRow]) -> Cell {
                    .text(rows.count == 1 ? rows[0].voucher : rows.map(\.voucher).joined(separator: "; "))
                }
                func lines(_ rows: [MatchedRow], _ file: (MatchedRow) -> String) -> Cell {
                    // Rows of one file (a batch is booked by one receiver) after one name.
                    guard let first = rows.first else { return .empty }
                    if rows.count == 1 { return .text("\(file(first)):\(first.line)") }
                    return .text("\(file(first)):" + rows.map { String($0.line) }.joined(separator: ", "))
                }
                let both = !m.transfers.isEmpty && !m.receipts.isEmpty
                return [
                    .text(self.labels.receiptStatus(m.status)), .text(m.cause.map { $0.message.text(self.labels.lang) } ?? ""),
                    .text(self.entity(m.from)), .text(self.entity(m.to)),
                    projects(m.transfers), vouchers(m.transfers), m.transfers.last.map { Cell.date($0.day) } ?? .empty,
                    m.transfers.isEmpty ? .empty : .money(sent),
                    projects(m.receipts), vouchers(m.receipts), m.receipts.last.map { Cell.date($0.day) } ?? .empty,
                    m.receipts.isEmpty ? .empty : .money(booked),
                    both ? .moneyFormula("=L\(r)-H\(r)", booked - sent) : .empty,
                    m.daysBetween.map(Cell.count) ?? .empty, m.age.map(Cell.count) ?? .empty,
                    lines(m.transfers) { _ in transfersFile },
                    lines(m.receipts) { receiptFiles.indices.contains($0.part) ? receiptFiles[$0.part] : "" },
                ]
            }
            t.totalColumns = [7, 11, 12]
            t.totalsLabel = labels.totalsRow
            t.rules = [ReceiptStatus.overdue, .notSent, .amountDiffers].map { ("$A{r}=\"\(labels.receiptStatus($0))\"", Styles.over) }
                + [ReceiptStatus.projectDiffers, .inTransit].map { ("$A{r}=\"\(labels.receiptStatus($0))\"", Styles.under) }
            t.rowsPerSheet = rowsPerSheet
            return t
        }
    }

    /// The overview's table of the two books per hop: sent, booked, matched, in transit by
    /// age, booked and not sent, and what was sent to receivers without books.
    func receiptOverview(_ s: Worksheet, row start: Int) throws(XLSXError) -> Int {
        guard let report = result.receipts else { return start }
        var r = start
        let bands = AgingBand.allCases
        let headers = [labels.t("到账核对（基准日 \(report.asOf)）", "Receipts matched (as of \(report.asOf))"),
                       labels.t("已拨出（万元）", "Sent (万元)"), labels.t("已入账（万元）", "Booked (万元)"),
                       labels.t("已匹配（万元）", "Matched (万元)")]
            + bands.flatMap { [labels.t("在途 \($0.label) 天（笔）", "In transit \($0.label) days (rows)"),
                               labels.t("在途 \($0.label) 天（万元）", "In transit \($0.label) days (万元)")] }
            + [labels.t("无拨付记录（笔）", "Not sent (rows)"), labels.t("无拨付记录（万元）", "Not sent (万元)"),
               labels.t("接收单位无台账（万元）", "To receivers without books (万元)"),
               labels.t("已匹配未逐笔列出（笔）", "Matched, not listed (rows)")]
        try s.setRow(r, height: 45)  // the headers wrap in three lines
        for (c, h) in headers.enumerated() { try s.write(r, c, h, Styles.header) }
        r += 1
        for h in report.hops {
            var c = 0
            func money(_ fen: Fen) throws(XLSXError) {
                try s.write(r, c, number: Double(fen) / 1_000_000, Styles.money)
                c += 1
            }
            func count(_ n: Int) throws(XLSXError) {
                try s.write(r, c, number: Double(n), Styles.count)
                c += 1
            }
            try s.write(r, c, labels.hopSheet(h.hop))
            c += 1
            try money(h.sent.amount)
            try money(h.received.amount)
            try money(h.status(.matched).amount + h.status(.batch).amount)
            for band in bands {
                try count(h.inTransit[band.rawValue].count)
                try money(h.inTransit[band.rawValue].amount)
            }
            try count(h.status(.notSent).count)
            try money(h.status(.notSent).amount)
            try money(h.notCovered.amount)
            try count(report.unlistedMatches[h.hop] ?? 0)
            r += 1
        }
        return r + 1
    }
}

extension WorkbookReport {
    /// Columns of the overview's receipts table.
    var receiptOverviewColumns: Int { 4 + 2 * AgingBand.allCases.count + 4 }
}

extension WorkbookLabels {
    func matchingSheet(_ hop: Hop) -> String { t("对账（\(hopSheet(hop))）", "Matching (\(hopSheet(hop)))") }

    func receiptStatus(_ s: ReceiptStatus) -> String { s.label.text(lang) }

    var matchingColumns: [String] {
        [t("状态", "Status"), t("可能原因", "Likely cause"), t("拨出单位", "From"), t("接收单位", "To"),
         t("拨付项目", "Project sent"), t("拨付凭证号", "Sender voucher"), t("拨付日期", "Sent on"), t("拨付金额（万元）", "Sent (万元)"),
         t("入账项目", "Project booked"), t("入账凭证号", "Receiver voucher"), t("入账日期", "Booked on"), t("入账金额（万元）", "Booked (万元)"),
         t("差额（万元）", "Difference (万元)"), t("间隔天数", "Days between"), t("在途天数", "Days waiting"),
         t("拨付记录行", "Transfer rows"), t("到账记录行", "Receipt rows")]
    }
}

/// Where each listed transfer and receipt lands on the matching sheets, for the findings'
/// links: an RC finding goes to its match.
struct MatchPlaces {
    private var transfers: [Int: (sheet: String, row: Int)] = [:]
    /// By part of receipts.csv, then line.
    private var receipts: [[Int: (sheet: String, row: Int)]] = []
    private var receiptFiles: [String] = []

    /// `tables`: the matching sheets, in hop order, as `matchingTables` made them.
    init(_ report: ReceiptReport?, _ tables: [SheetTable]) {
        guard let report else { return }
        receiptFiles = report.receiptFiles
        receipts = Array(repeating: [:], count: report.receiptFiles.count)
        // Sized once: grown as it fills, each table would be rehashed a dozen times.
        let rows = report.matches.reduce(0) { $0 + $1.transfers.count }
        transfers.reserveCapacity(rows)
        if receipts.count == 1 { receipts[0].reserveCapacity(report.matches.reduce(0) { $0 + $1.receipts.count }) }
        for (table, (_, indices)) in zip(tables, report.sheets) {
            for (k, i) in indices.enumerated() {
                let place = table.place(k)
                for t in report.matches[i].transfers where transfers[t.line] == nil { transfers[t.line] = place }
                for r in report.matches[i].receipts where receipts.indices.contains(r.part) && receipts[r.part][r.line] == nil {
                    receipts[r.part][r.line] = place
                }
            }
        }
    }

    /// The match of a transfer, or of a receipt when `file` is a part of receipts.csv.
    func place(line: Int, file: String) -> (sheet: String, row: Int)? {
        guard let part = receiptFiles.firstIndex(of: file) else { return transfers[line] }
        return receipts[part][line]
    }
}
