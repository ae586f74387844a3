/// The input files of a scope (spec section 2), in the order they are read: each later file
/// refers to units and projects of the earlier ones.
public enum InputFile: String, Sendable, CaseIterable {
    case entities, projects, plan, transfers, spending, receipts, indicators

    public var fileName: String { rawValue + ".csv" }

    /// What the file is called in messages in Chinese.
    var chineseName: String {
        switch self {
        case .entities: return "单位"
        case .projects: return "项目"
        case .plan: return "分配方案"
        case .transfers: return "拨付"
        case .spending: return "支出"
        case .receipts: return "到账"
        case .indicators: return "绩效指标"
        }
    }

    public var isRequired: Bool {
        switch self {
        case .entities, .projects, .plan, .transfers: return true
        case .spending, .receipts, .indicators: return false
        }
    }

    /// Negative amounts are reversals (红字冲销) or refunds only in these files.
    var allowsNegativeAmounts: Bool { self == .transfers || self == .spending || self == .receipts }

    /// Files whose rows stream into a book rather than being kept as read.
    var isStreamed: Bool { self == .transfers || self == .spending || self == .receipts }

    public var columns: [ColumnSpec] {
        switch self {
        case .entities: return [
            .init(.id, ["单位编码", "编码"], required: true),
            .init(.name, ["单位名称", "名称"], required: true),
            .init(.level, ["层级", "级次"], required: true),
            .init(.parent, ["上级单位", "上级编码"], required: false),
        ]
        case .projects: return [
            .init(.code, ["项目编码", "编码"], required: true),
            .init(.name, ["项目名称", "名称"], required: true),
            .init(.parent, ["上级项目"], required: false),
            .init(.budget, ["预算", "预算金额", "资金安排"], required: false),
            .init(.kind, ["类别"], required: false),
        ]
        case .plan: return [
            .init(.line, ["序号"], required: false),
            .init(.project, ["项目编码"], required: true),
            .init(.from, ["拨出单位", "下达单位"], required: true),
            .init(.to, ["接收单位", "承担单位"], required: true),
            .init(.amount, ["金额", "计划金额"], required: true),
            .init(.method, ["分配方式", "分配方法"], required: false),
            .init(.document, ["文号"], required: false),
            .init(.due, ["到位期限", "下达期限", "到位时限"], required: false),
        ]
        case .transfers: return [
            .init(.voucher, ["凭证号"], required: true),
            .init(.date, ["日期", "拨付日期"], required: true),
            .init(.project, ["项目编码"], required: true),
            .init(.from, ["拨出单位"], required: true),
            .init(.to, ["接收单位"], required: true),
            .init(.amount, ["金额"], required: true),
            .init(.status, ["状态"], required: false),
            .init(.document, ["文号"], required: false),
            .init(.note, ["备注", "摘要"], required: false),
        ]
        case .spending: return [
            .init(.voucher, ["凭证号"], required: true),
            .init(.date, ["日期", "支付日期"], required: true),
            .init(.entity, ["单位", "支付单位", "单位编码"], required: true),
            .init(.project, ["项目编码"], required: true),
            .init(.amount, ["金额"], required: true),
            .init(.status, ["状态", "支付状态"], required: false),
            .init(.payee, ["收款方", "收款人", "收款单位"], required: false),
            .init(.note, ["备注", "摘要"], required: false),
        ]
        case .receipts: return [
            .init(.voucher, ["凭证号", "收款凭证号"], required: true),
            .init(.date, ["到账日期", "入账日期", "日期"], required: true),
            .init(.project, ["项目编码"], required: true),
            .init(.from, ["拨出单位", "付款单位"], required: true),
            .init(.to, ["接收单位", "收款单位"], required: true),
            .init(.amount, ["金额", "到账金额"], required: true),
            .init(.ref, ["对方凭证号", "拨付凭证号"], required: false),
            .init(.note, ["摘要", "备注"], required: false),
        ]
        case .indicators: return [
            .init(.project, ["项目编码"], required: true),
            .init(.level1, ["一级指标"], required: false),
            .init(.level2, ["二级指标"], required: false),
            .init(.name, ["三级指标", "指标名称"], required: true),
            .init(.target, ["指标值", "目标值", "预期值"], required: true),
            .init(.actual, ["实现值", "实际值", "完成值"], required: false),
        ]
        }
    }
}

public enum Column: String, Sendable, CaseIterable {
    case id, name, level, parent, code, budget, kind, line, project, from, to, amount, method, document, due
    case voucher, date, status, note, entity, payee, level1, level2, target, actual, ref

    var isAmount: Bool { self == .amount || self == .budget }

    /// Position among all columns, for array look-ups on the per-row path.
    var ordinal: Int {
        switch self {
        case .id: return 0
        case .name: return 1
        case .level: return 2
        case .parent: return 3
        case .code: return 4
        case .budget: return 5
        case .kind: return 6
        case .line: return 7
        case .project: return 8
        case .from: return 9
        case .to: return 10
        case .amount: return 11
        case .method: return 12
        case .document: return 13
        case .due: return 14
        case .voucher: return 15
        case .date: return 16
        case .status: return 17
        case .note: return 18
        case .entity: return 19
        case .payee: return 20
        case .level1: return 21
        case .level2: return 22
        case .target: return 23
        case .actual: return 24
        case .ref: return 25
        }
    }
}

public struct ColumnSpec: Sendable {
    public let column: Column
    public let aliases: [String]
    public let required: Bool

    init(_ column: Column, _ aliases: [String], required: Bool) {
        self.column = column
        self.aliases = aliases
        self.required = required
    }

    /// The header a template writes: both spellings, read back by `HeaderCell`.
    public var templateHeader: String {
        let unit = column.isAmount ? "(万元)" : ""
        return "\(aliases[0])\(unit)/\(column.rawValue)"
    }
}
