import Testing
@testable import FundreconCore

/// Every indicator line of the three seed documents, read as the spec says.
@Suite struct IndicatorReading {
    typealias Line = (level1: String, level2: String, name: String, target: String, actual: String?, expected: IndicatorStatus, codes: [RuleCode])

    /// Shaoguan 2021 self-evaluation: expected and actual values as the document gives them.
    static let shaoguan2021: [Line] = [
        ("产出指标", "数量指标", "促进地理标志商标注册申请", "提交至少 4 个地理标志商标注册申请，并取得《商标注册申请受理通知书》", "10 个", .met, []),
        ("产出指标", "数量指标", "组织开展知识产权交易运营、金融对接活动", "不少于 2场", "2场", .met, []),
        ("产出指标", "数量指标", "知识产权运营基金投资项目", "不少于 2项", "2项", .met, []),
        ("产出指标", "数量指标", "培育建设国家知识产权试点园区", "1个", "1个", .met, []),
        ("产出指标", "数量指标", "推广本地区地理标志产品与生产经营企业、合作社、贫困户对接", "至少 2 个以上", "2个", .met, []),
        ("产出指标", "数量指标", "培育建设国家知识产权强县工程试点县", "2个", "2个", .met, []),
        ("产出指标", "数量指标", "专利许可实施备案及转让备案件数", "增长 10%", "0.11", .met, [.PI004]),
        ("产出指标", "数量指标", "组织中小学开展知识产权宣传教育工作", "不少于 3家", "4家", .met, []),
        ("产出指标", "数量指标", "发布产业专利导航分析报告", "1份", "5份", .met, []),
        ("产出指标", "数量指标", "为企业提供商标品牌相关服务", "至少 20 家", "22 家", .met, []),
        ("产出指标", "数量指标", "支持国有企业开展知识产权高质量培育", "1家国企", "1家国企", .met, []),
        ("产出指标", "数量指标", "建设高价值专利培育中心", "1家", "1家", .met, []),
        ("产出指标", "数量指标", "成立知识产权运营中心", "1个", "1个", .met, []),
        ("产出指标", "数量指标", "高价值专利培育布局中心专利分析报告", "各单位 1份", "2个", .met, []),
        ("产出指标", "数量指标", "建设知识产权维权援助机构", "1个", "1个", .met, []),
        ("产出指标", "数量指标", "组织开展专利侵权纠纷行政裁决业务专题培训班", "至少 1 期", "1期", .met, []),
        ("产出指标", "数量指标", "建立知识产权争议行政调解机制", "1个", "1个", .met, []),
        ("产出指标", "数量指标", "加强重点市场知识产权保护", "不少于 2个", "2个", .met, []),
        ("产出指标", "数量指标", "培育或申报知识规范化市场", "不少于 1个", "1个", .met, []),
        ("产出指标", "数量指标", "挖掘、培育地理标志产品", "不少于 1个", "培育中", .noActual, [.PI002]),
        ("产出指标", "时效指标", "项目完成期限符合相关要求", "2021 年内完成", "已完成", .manualReview, [.PI005]),
        ("效益指标", "经济效益指标", "知识产权质押融资金额", "实现 20%增长", "实现增长 387%", .met, []),
        ("效益指标", "社会效益指标", "提高知识产权保护效能", "进一步提升", "得到提升", .manualReview, [.PI005]),
        ("效益指标", "服务对象满意度指标", "服务对象的有效投诉率", "不高于 10%", "投诉率 0", .met, []),
    ]

    /// Zhaoqing 2025 targets (no actuals yet): numbers need an actual, words need a person.
    static let zhaoqing2025: [Line] = [
        ("产出指标", "数量指标", "建设高价值专利培育布局中心", "不少于4个", nil, .noActual, [.PI002]),
        ("产出指标", "数量指标", "知识产权培训", "不少于3场", nil, .noActual, [.PI002]),
        ("产出指标", "数量指标", "企业专利微导航报告", "不少于4份", nil, .noActual, [.PI002]),
        ("产出指标", "数量指标", "建设县（区）级综合性知识产权公共服务机构", "2个", nil, .noActual, [.PI002]),
        ("产出指标", "数量指标", "面向创新主体和社会公众提供信息查询检索、业务咨询、宣传培训等综合性知识产权公共服务", "100人次以上", nil, .noActual, [.PI002]),
        ("产出指标", "数量指标", "建设知识产权信息公共服务网点", "2个", nil, .noActual, [.PI002]),
        ("产出指标", "数量指标", "专利转化专项计划中各个绩效目标", "按期达标", nil, .manualReview, [.PI005]),
        ("产出指标", "数量指标", "新增地理标志商标注册申请（被受理）件数", "5件", nil, .noActual, [.PI002]),
        ("产出指标", "数量指标", "举办“2025年地标驿站战略合作发布会暨地标产品交易直播”活动", "不少于1场", nil, .noActual, [.PI002]),
        ("产出指标", "数量指标", "知识产权质押融资金额", "30亿", nil, .noActual, [.PI002]),
        ("产出指标", "数量指标", "组织2025年区域地理标志培育擂台大赛", "不少于1场", nil, .noActual, [.PI002]),
        ("产出指标", "数量指标", "提供知识产权纠纷调解", "20次以上", nil, .noActual, [.PI002]),
        ("产出指标", "数量指标", "组织专利侵权纠纷行政裁决培训班", "不少于1场", nil, .noActual, [.PI002]),
        ("产出指标", "数量指标", "组织进驻当地重点展会", "不适于1届次", nil, .noActual, [.PI002]),
        ("产出指标", "数量指标", "组织开展专业市场知识产权保护状况抽查、检查次数", "不少于2次", nil, .noActual, [.PI002]),
        ("产出指标", "数量指标", "组织开展专业市场等重点领域知识产权保护专项行动", "不少于1次", nil, .noActual, [.PI002]),
        ("产出指标", "数量指标", "发动企业并提出地理标志产品专用标志使用申请", "不少于2批次", nil, .noActual, [.PI002]),
        ("产出指标", "数量指标", "数据知识产权登记量", "不少于100件", nil, .noActual, [.PI002]),
        ("产出指标", "质量指标", "高质量建设国家知识产权强县建设试点县", "1个", nil, .noActual, [.PI002]),
        ("产出指标", "时效指标", "项目完成期限符合相关要求", "按合同要求期限完成", nil, .manualReview, [.PI005]),
        ("产出指标", "成本指标", "项目成本控制在合同约定范围内", "按合同约定金额完成", nil, .manualReview, [.PI005]),
        ("效益指标", "社会效益指标", "为市内企业提供专利产品备案等相关服务", "至少50家", nil, .noActual, [.PI002]),
        ("效益指标", "社会效益指标", "电商领域知识产权保护工作", "不断加强", nil, .manualReview, [.PI005]),
        ("效益指标", "可持续影响指标", "试点示范城市建设", "提升城市知识产权创造、运用、保护、服务、管理综合实力，培育建设国家知识产权试点示范城市", nil, .manualReview, [.PI005]),
    ]

    @Test func shaoguan2021IsReadAsTheSelfEvaluationReportsIt() {
        check(IndicatorReading.shaoguan2021)
    }

    @Test func zhaoqing2025TargetsWithoutActuals() {
        check(IndicatorReading.zhaoqing2025)
    }

    @Test func targetsReadTheirComparisonAndUnit() {
        func reading(_ t: String, name: String = "x", level2: String = "数量指标") -> TargetReading {
            IndicatorRules.readTarget(t, name: name, level1: nil, level2: level2)
        }
        #expect(reading("≥100") == .numeric(.atLeast, value: 100_000_000, percent: false, growth: false, assumed: false))
        #expect(reading("≥90%") == .numeric(.atLeast, value: 90_000_000, percent: true, growth: false, assumed: false))
        #expect(reading("100", name: "阶段性工作检查验收通过率（%）") == .numeric(.atLeast, value: 100_000_000, percent: true, growth: false, assumed: true))
        #expect(reading("≤ 3", name: "年度专家劳务费成本（万元）", level2: "经济成本指标") == .numeric(.atMost, value: 3_000_000, percent: false, growth: false, assumed: false))
        #expect(reading("3", name: "年度专家劳务费成本（万元）", level2: "经济成本指标") == .numeric(.atMost, value: 3_000_000, percent: false, growth: false, assumed: true))
        #expect(reading("不超预算", level2: "经济成本指标") == .budgetControl)
        #expect(reading("预算控制") == .budgetControl)
        #expect(reading("有效提升") == .qualitative)
        #expect(reading("实现 20%增长") == .numeric(.atLeast, value: 20_000_000, percent: true, growth: true, assumed: false))
        #expect(reading("不超过 5%") == .numeric(.atMost, value: 5_000_000, percent: true, growth: false, assumed: false))
        #expect(reading("> 0") == .numeric(.greaterThan, value: 0, percent: false, growth: false, assumed: false))
    }

    /// Shaoguan 2026: every project's indicators, budget control judged from spending.
    @Test func shaoguan2026BudgetControlIsJudgedFromTheData() {
        var f = Fixture()
        f.files["indicators.csv"] = """
        project,level1,level2,name,target,actual
        F2,产出指标,数量指标,建设商标品牌指导站数量（个）,≥1,1
        F2,产出指标,数量指标,服务经营主体数量（家）,≥20,26
        F2,产出指标,时效指标,项目按进度计划完成及时率（%）,100,100%
        F2,成本指标,经济成本指标,预算控制,不超预算,
        F2,效益指标,社会效益,提供决策参考典型案例数（个）,≥1,
        F1,成本指标,经济成本指标,预算控制,不超预算,已完成
        F1,效益指标,社会效益,提升各类创新主体知识产权创造能力,有效提升,

        """
        let r = f.reconcile()
        let status = r.indicators.map(\.status)
        #expect(status == [.met, .met, .met, .met, .noActual, .met, .manualReview])
        #expect(r.findings(.PI003).isEmpty)
        #expect(r.indicators[3].reading.zh.contains("支出 40 万元"))
        // Spending above the budget breaks the target.
        f.append("spending.csv", "S3,2021-06-02,G2,F2,5,paid,供应商丙,")
        f.edit("transfers.csv", "T3,2021-03-21,F2,C,G2,40,", "T3,2021-03-21,F2,C,G2,45,")
        let over = f.reconcile()
        let hit = over.findings(.PI003)
        #expect(hit.count == 1 && hit.first?.primary.line == 5 && hit.first?.amount == 5_000_000 && hit.first?.project == "F2")
    }

    private func check(_ lines: [Line], sourceLocation: SourceLocation = #_sourceLocation) {
        var f = Fixture()
        var csv = "project,level1,level2,name,target,actual\n"
        for l in lines { csv += "F,\(l.level1),\(l.level2),\"\(l.name)\",\"\(l.target)\",\(l.actual.map { "\"\($0)\"" } ?? "")\n" }
        f.files["indicators.csv"] = csv
        let r = f.reconcile()
        #expect(r.indicators.count == lines.count, sourceLocation: sourceLocation)
        for (i, l) in lines.enumerated() where i < r.indicators.count {
            let got = r.indicators[i]
            #expect(got.status == l.expected, "\(l.name): \(got.reading.zh)", sourceLocation: sourceLocation)
            let codes = r.findings.filter { $0.primary.line == i + 2 && $0.code.rawValue.hasPrefix("PI") }.map(\.code)
            #expect(codes == l.codes, "\(l.name): \(codes) \(got.reading.zh)", sourceLocation: sourceLocation)
        }
    }
}

@Suite struct IndicatorRuleTests {
    func result(target: String, actual: String?, level2: String = "数量指标") -> ReconcileResult {
        var f = Fixture()
        f.files["indicators.csv"] = "project,level1,level2,name,target,actual\nF,产出指标,\(level2),指标,\"\(target)\",\(actual ?? "")\n"
        return f.reconcile()
    }

    @Test func PI001_fires_and_quiet() {
        #expect(result(target: "≥2", actual: "1").findings(.PI001).count == 1)
        #expect(result(target: "不高于 10%", actual: "12%").findings(.PI001).count == 1)
        #expect(result(target: "≥2", actual: "2").findings(.PI001).isEmpty)
    }

    @Test func PI002_fires_and_quiet() {
        #expect(result(target: "≥2", actual: nil).findings(.PI002).count == 1)
        #expect(result(target: "≥2", actual: "已完成").findings(.PI002).count == 1)
        #expect(result(target: "≥2", actual: "3场").findings(.PI002).isEmpty)
    }

    @Test func PI004_fires_and_quiet() {
        let r = result(target: "≥90%", actual: "0.95")
        #expect(r.findings(.PI004).count == 1 && r.indicators.first?.status == .met)
        #expect(r.indicators.first?.reading.en.contains("read as 95%") == true)
        #expect(result(target: "≥90%", actual: "95%").findings(.PI004).isEmpty)
    }

    @Test func PI004_andPI001_bothReportedWhenTheAssumedValueMisses() {
        let r = result(target: "≥90%", actual: "0.5")
        #expect(r.findings(.PI004).count == 1 && r.findings(.PI001).count == 1)
    }

    @Test func PI005_fires_and_quiet() {
        #expect(result(target: "不断加强", actual: "已加强").findings(.PI005).count == 1)
        #expect(result(target: "≥1", actual: "1").findings(.PI005).isEmpty)
    }
}

/// Shaoguan 2026: the eight projects' indicator tables, every line, targets only.
@Suite struct Shaoguan2026Targets {
    typealias R = TargetReading
    static func n(_ c: Comparison, _ v: Int64, pct: Bool = false, assumed: Bool = false) -> R {
        .numeric(c, value: v * 1_000_000, percent: pct, growth: false, assumed: assumed)
    }

    /// (project, level1, level2, name, target, how it must be read)
    static let lines: [(String, String, String, String, String, R)] = [
        ("专利转化运用体系建设", "产出指标", "数量指标", "收集并发布相关行业技术需求或技术难点数量（条）", "≥100", n(.atLeast, 100)),
        ("专利转化运用体系建设", "产出指标", "数量指标", "发布专利开放许可信息数量（条）", "≥50", n(.atLeast, 50)),
        ("专利转化运用体系建设", "产出指标", "质量指标", "相关高校院所 2025-2026 年授权专利盘点率（%）", "≥90%", n(.atLeast, 90, pct: true)),
        ("专利转化运用体系建设", "产出指标", "质量指标", "阶段性工作检查验收通过率（%）", "100", n(.atLeast, 100, pct: true, assumed: true)),
        ("专利转化运用体系建设", "成本指标", "经济成本指标", "预算控制", "不超预算", .budgetControl),
        ("专利转化运用体系建设", "效益指标", "社会效益", "提供决策参考典型案例数（个）", "≥5", n(.atLeast, 5)),
        ("金融生态示范区", "产出指标", "数量指标", "项目直接促成数据知识产权交易数量（单）", "≥3", n(.atLeast, 3)),
        ("金融生态示范区", "产出指标", "质量指标", "阶段性工作检查验收通过率（%）", "100", n(.atLeast, 100, pct: true, assumed: true)),
        ("金融生态示范区", "产出指标", "时效指标", "项目按进度计划完成及时率（%）", "100", n(.atLeast, 100, pct: true, assumed: true)),
        ("金融生态示范区", "成本指标", "经济成本指标", "预算控制", "不超预算", .budgetControl),
        ("金融生态示范区", "效益指标", "经济效益", "项目带动本地知识产权质押融资登记金额增长率（%）", "≥5", n(.atLeast, 5, pct: true)),
        ("金融生态示范区", "效益指标", "经济效益", "项目直接促成知识产权质押融资登记笔数增长率（%）", "≥5", n(.atLeast, 5, pct: true)),
        ("专利密集型产品", "产出指标", "数量指标", "组织专利产品备案专场培训及产品宣传推介活动场次（场次）", "≥ 3", n(.atLeast, 3)),
        ("专利密集型产品", "产出指标", "质量指标", "专利密集型产品质押融资金额占全年总额的比值（%）", "≥ 10", n(.atLeast, 10, pct: true)),
        ("专利密集型产品", "产出指标", "质量指标", "国家、省知识产权优势示范企业和省专精特新企业专利产品备案率%", "≥ 90", n(.atLeast, 90, pct: true)),
        ("专利密集型产品", "产出指标", "质量指标", "阶段性工作检查验收通过率（%）", "100", n(.atLeast, 100, pct: true, assumed: true)),
        ("专利密集型产品", "产出指标", "时效指标", "项目按进度计划完成及时率（%）", "100", n(.atLeast, 100, pct: true, assumed: true)),
        ("专利密集型产品", "成本指标", "经济成本指标", "预算控制", "不超预算", .budgetControl),
        ("专利密集型产品", "效益指标", "社会效益", "提供决策参考典型案例数（个）", "≥ 1", n(.atLeast, 1)),
        ("商标品牌指导站", "产出指标", "数量指标", "建设商标品牌指导站数量（个）", "≥1", n(.atLeast, 1)),
        ("商标品牌指导站", "产出指标", "数量指标", "服务经营主体数量（家）", "≥20", n(.atLeast, 20)),
        ("商标品牌指导站", "产出指标", "时效指标", "项目按进度计划完成及时率（%）", "100", n(.atLeast, 100, pct: true, assumed: true)),
        ("商标品牌指导站", "成本指标", "经济成本指标", "预算控制", "不超预算", .budgetControl),
        ("商标品牌指导站", "效益指标", "社会效益", "提供决策参考典型案例数（个）", "≥1", n(.atLeast, 1)),
        ("公共服务网点", "产出指标", "数量指标", "提供公共服务次数(次)", "≥50", n(.atLeast, 50)),
        ("公共服务网点", "产出指标", "数量指标", "服务经营主体数量(家)", "≥50", n(.atLeast, 50)),
        ("公共服务网点", "产出指标", "数量指标", "开展公共服务培训宣传活动次数(场次)", "≥2", n(.atLeast, 2)),
        ("公共服务网点", "质量指标", "时效指标", "阶段性工作检查验收通过率(%)", "100", n(.atLeast, 100, pct: true, assumed: true)),
        ("公共服务网点", "质量指标", "时效指标", "项目按进度计划完成及时率(%)", "100", n(.atLeast, 100, pct: true, assumed: true)),
        ("公共服务网点", "成本指标", "经济成本指标", "预算控制", "不超预算", .budgetControl),
        ("公共服务网点", "效益指标", "社会效益", "提供决策参考典型案例数(个)", "≥1", n(.atLeast, 1)),
        ("高价值专利培育布局中心", "产出指标", "数量指标", "培养创新主体专利人才数量(人)", "≥ 40", n(.atLeast, 40)),
        ("高价值专利培育布局中心", "产出指标", "数量指标", "新增高价值发明专利量(件)", "≥ 20", n(.atLeast, 20)),
        ("高价值专利培育布局中心", "产出指标", "时效指标", "项目按进度计划完成及时率(%)", "100", n(.atLeast, 100, pct: true, assumed: true)),
        ("高价值专利培育布局中心", "成本指标", "经济成本指标", "预算控制", "不超预算", .budgetControl),
        ("高价值专利培育布局中心", "效益指标", "社会效益", "提升各类创新主体知识产权创造能力", "有效提升", .qualitative),
        ("专利导航", "产出指标", "数量指标", "形成企业专利导航报告数量（份）", "≥ 2", n(.atLeast, 2)),
        ("专利导航", "产出指标", "数量指标", "在国家专利导航综合服务平台备案项目数（个）", "≥ 2", n(.atLeast, 2)),
        ("专利导航", "产出指标", "时效指标", "项目按进度计划完成及时率（%）", "100", n(.atLeast, 100, pct: true, assumed: true)),
        ("专利导航", "成本指标", "经济成本指标", "预算控制", "不超预算", .budgetControl),
        ("专利导航", "效益指标", "社会效益", "提供决策参考典型案例数（个）", "≥ 1", n(.atLeast, 1)),
        ("工作经费", "产出指标", "数量指标", "每个项目验收组成专家评审组人数（人）", "≥ 5", n(.atLeast, 5)),
        ("工作经费", "产出指标", "质量指标", "项目评审、验收程序规范率（%）", "100", n(.atLeast, 100, pct: true, assumed: true)),
        ("工作经费", "产出指标", "时效指标", "专家劳务费支付及时率（%）", "100", n(.atLeast, 100, pct: true, assumed: true)),
        ("工作经费", "成本指标", "经济成本指标", "预算控制", "不超预算", .budgetControl),
        ("工作经费", "成本指标", "经济成本指标", "年度专家劳务费成本（万元）", "≤ 3", n(.atMost, 3)),
        ("工作经费", "效益指标", "社会效益", "提升项目管理能力", "有效提升", .qualitative),
    ]

    @Test func everyTargetOfThe2026TablesIsReadAsWritten() {
        for (project, level1, level2, name, target, expected) in Shaoguan2026Targets.lines {
            let got = IndicatorRules.readTarget(target, name: name, level1: level1, level2: level2)
            #expect(got == expected, "\(project) / \(name): \(got.describe.zh)")
        }
    }

    /// The seed's first table leaves 项目按进度计划完成及时率 without a value: a row that says
    /// nothing to judge is refused with IN004, not guessed at.
    @Test func theSeedsBlankTargetIsAnInputError() {
        var f = Fixture()
        f.files["indicators.csv"] = "project,level1,level2,name,target,actual\nF,产出指标,时效指标,项目按进度计划完成及时率（%）,,\n"
        let r = f.check()
        #expect(r.findings(.IN004).count == 1 && r.findings(.IN004).first?.primary.line == 2)
    }
}
