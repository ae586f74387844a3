/// Every word the workbook shows, in the run's language.
struct WorkbookLabels {
    let lang: Language

    func t(_ zh: String, _ en: String) -> String { lang == .zh ? zh : en }

    var summarySheet: String { t("概览", "Summary") }
    var balancesSheet: String { t("单位结余", "Balances") }
    var indicatorsSheet: String { t("绩效指标", "Indicators") }
    var findingsSheet: String { t("异常清单", "Findings") }
    var inputsSheet: String { t("数据来源", "Inputs") }
    var changesSheet: String { t("变化", "Changes") }

    var changeColumns: [String] {
        [t("变化", "Change"), t("代码", "Code"), t("级别", "Severity"), t("说明", "Message"), t("文件", "File"), t("行", "Line"),
         t("项目", "Project"), t("拨出单位", "From"), t("接收单位", "To"),
         t("原拨付（万元）", "Transferred before (万元)"), t("现拨付（万元）", "Transferred now (万元)"), t("差额（万元）", "Difference (万元)")]
    }

    var newFinding: String { t("新增问题", "new finding") }
    var resolvedFinding: String { t("已解决问题", "resolved finding") }
    var changedTransfer: String { t("拨付变化", "transfer changed") }
    var keptAnswer: String { t("已解决（保留说明）", "resolved earlier (answer kept)") }

    func hopSheet(_ hop: Hop) -> String {
        lang == .zh ? hop.chinese : "\(hop.from.english.capitalized)→\(hop.to.english.capitalized)"
    }

    func level(_ l: Level) -> String { lang == .zh ? l.chinese : l.english }

    func status(_ s: EdgeStatus) -> String { lang == .zh ? s.chinese : s.rawValue }

    func severity(_ s: Severity) -> String { lang == .zh ? s.chinese : s.english }

    func indicatorStatus(_ s: IndicatorStatus) -> String { lang == .zh ? s.chinese : s.rawValue }

    var wan: String { t("万元", "万元") }

    var varianceColumns: [String] {
        [t("项目编码", "Project code"), t("项目名称", "Project"), t("拨出单位", "From"), t("接收单位", "To"),
         t("计划金额（万元）", "Planned (万元)"), t("拨付金额（万元）", "Transferred (万元)"), t("差额（万元）", "Variance (万元)"),
         t("差额率", "Variance %"), t("状态", "Status"), t("到位期限", "Due"), t("最后拨付日期", "Last transfer"),
         t("逾期天数", "Days late"), t("分配方式", "Method"), t("文号", "Documents"), t("计划行", "Plan lines"),
         t("首笔拨付行", "First transfer row"), t("未到账（万元）", "Failed or returned (万元)"), t("差异原因", "Likely cause")]
    }

    var balanceColumns: [String] {
        [t("单位编码", "Unit id"), t("单位名称", "Unit"), t("层级", "Level"), t("项目编码", "Project code"), t("项目名称", "Project"),
         t("收到（万元）", "Received (万元)"), t("拨出（万元）", "Passed on (万元)"), t("支出（万元）", "Spent (万元)"),
         t("支付失败（万元）", "Failed payments (万元)"), t("结余（万元）", "Balance (万元)"), t("执行率", "Execution rate")]
    }

    var indicatorColumns: [String] {
        [t("项目编码", "Project code"), t("一级指标", "Level 1"), t("二级指标", "Level 2"), t("三级指标", "Indicator"),
         t("目标值", "Target"), t("实际值", "Actual"), t("读取方式", "How it was read"), t("状态", "Status"), t("行", "Line")]
    }

    var findingColumns: [String] {
        [t("级别", "Severity"), t("代码", "Code"), t("说明", "Message"), t("文件", "File"), t("行", "Line"), t("列", "Column"),
         t("项目", "Project"), t("拨出单位", "From"), t("接收单位", "To"), t("单位", "Unit"), t("金额（万元）", "Amount (万元)"),
         t("定位", "Go to")]
    }

    var inputColumns: [String] {
        [t("文件", "File"), t("路径", "Path"), t("编码", "Encoding"), t("字节数", "Bytes"), t("读取行数", "Rows read"),
         t("使用行数", "Rows used"), t("拒绝行数", "Rows rejected"), t("SHA-256", "SHA-256")]
    }

    var totalsRow: String { t("合计（随筛选变化）", "Total (follows the filter)") }
}
