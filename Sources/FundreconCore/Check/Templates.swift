/// What `fundrecon init DIR` writes: an empty CSV per input file whose headers carry both
/// spellings (`单位编码/id`, read back by the header matcher), and a commented settings file.
public enum Templates {
    public static func csv(_ file: InputFile) -> String {
        file.columns.map(\.templateHeader).joined(separator: ",") + "\r\n"
    }

    public static let settings = """
    # fundrecon settings for this scope. Every key is optional; the values shown are the defaults.
    # 本范围的 fundrecon 设置。所有键都可省略；下面写出的是默认值。

    # Unit of amount columns whose header names none: "万元" or "元".
    # 表头未注明单位的金额列所用单位。
    unit = "万元"

    # The period's last day. Default: 31 December of the year of the latest plan due date or transfer date.
    # 期末日期。默认：计划到位期限和拨付日期中最晚日期所在年份的 12 月 31 日。
    # period_end = 2021-12-31

    # The date the run looks from. Default: the earlier of today and period_end.
    # 核对基准日。默认：今天与期末日期中较早的一个。
    # as_of = 2021-12-31

    # |transferred - planned| within these counts as matched. tolerance is in `unit`.
    # 拨付与计划的差额在此范围内视为一致；tolerance 的单位同 unit。
    tolerance = 0
    tolerance_pct = 0

    # Days a unit may hold money before passing it on or spending it (FL006).
    # 资金滞留天数上限（FL006）。
    max_hold_days = 30

    # receipts.csv against transfers.csv: days a receipt may be booked after its transfer
    # (it may come 3 days before), and days a transfer may wait for its receipt (RC001, RC005).
    # 到账台账与拨付记录核对：入账日期最多晚于拨付日期的天数（最多可早 3 天），以及在途天数上限。
    receipt_window_days = 30
    in_transit_days = 15

    # Minimum execution rate (BL003) and working-expense cap (BL005), as fractions.
    # 最低执行率（BL003）和工作经费上限（BL005），以小数表示。
    min_execution_rate = 1.0
    work_expense_cap = 0.02

    # Findings at or above this severity make the run exit 1: "error", "warning" or "never".
    # 达到该级别的问题使退出码为 1。
    fail_on = "error"

    # Language of labels and messages: "zh" or "en".
    # 标签和消息的语言。
    lang = "zh"

    # Per-level overrides of max_hold_days, for the unit holding the money.
    # 按持有资金单位的层级覆盖 max_hold_days。
    # [max_hold_days_by_level]
    # county = 60

    """
}
