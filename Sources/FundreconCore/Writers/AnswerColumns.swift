import XLSX

/// The columns staff answer in, at the right of the findings and variance sheets (and of the
/// 变化 sheet's resolved rows): status (a drop-down), explanation, owner and date, the
/// run's review note, and two hidden columns the next run reads the answers back by: the
/// row's key and the figure it showed. Headers name them, so rows may be sorted, filtered,
/// deleted or inserted and columns moved.
struct AnswerColumns {
    let labels: WorkbookLabels

    var headers: [String] {
        [labels.t("处理状态", "Status"), labels.t("情况说明", "Explanation"), labels.t("责任人", "Owner"), labels.t("日期", "Date"),
         labels.t("复核提示", "Review note"), labels.t("问题键", "Key"), labels.t("说明时数值", "Figure when answered")]
    }

    /// Widths from the status column on: room to type an explanation; the last two are hidden.
    static let widths: [Double] = [12, 40, 12, 12, 30, 30, 16]
    static let count = widths.count
    static let hidden = [5, 6]

    var choices: [String] {
        [ExplanationStatus.open, .explained, .corrected, .notApplicable].map { $0.label(labels.lang) }
    }

    /// A row's answer block. Without a key (a row nobody answers on), all empty.
    func cells(key: String?, figure: Figure, _ e: Explanation?) -> [Cell] {
        guard let key else { return [Cell](repeating: .empty, count: Self.count) }
        let before = e?.status == .review ? e?.review?.before ?? e?.basis : nil
        guard let e else { return [.empty, .empty, .empty, .empty, .empty, .text(key), .text(Figure.column(now: figure, before: nil))] }
        return [.text(e.status.label(labels.lang)), .text(e.text), .text(e.owner), .text(e.date),
                .text(e.review.map(note) ?? ""), .text(key), .text(Figure.column(now: figure, before: before))]
    }

    /// What moved, in words: "金额 原 -12.0000 万元，现 -15.0000 万元；逾期天数 原 10，现 40".
    func note(_ change: FigureChange) -> String {
        var parts: [String] = []
        let (a, b) = (change.before, change.after)
        if a.amount != b.amount {
            let was = a.amount.map { MoneyFormat.wanYuan($0) } ?? "—", now = b.amount.map { MoneyFormat.wanYuan($0) } ?? "—"
            parts.append(labels.t("金额 原 \(was) 万元，现 \(now) 万元", "amount was \(was) 万元, now \(now) 万元"))
        }
        if a.days != b.days {
            let was = a.days.map(String.init) ?? "—", now = b.days.map(String.init) ?? "—"
            parts.append(labels.t("逾期天数 原 \(was)，现 \(now)", "days late was \(was), now \(now)"))
        }
        return parts.joined(separator: labels.t("；", "; "))
    }

    /// Hides the key and figure, and puts the drop-down on the status cells of rows 1...last.
    func setUp(_ sheet: Worksheet, at first: Int, lastRow: Int) throws(XLSXError) {
        for k in Self.hidden { try sheet.hideColumn(first + k, width: Self.widths[k]) }
        try sheet.dropDown(column: first, firstRow: 1, lastRow: max(lastRow, 1), values: choices)
    }
}
