/// The levels money passes through, in order: province < city < county < grantee.
public enum Level: Int, Comparable, Sendable, CaseIterable {
    case province = 0, city, county, grantee

    public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }

    public init?(text: String) {
        switch text.trimmingBlanks().lowercased() {
        case "province", "省", "省级": self = .province
        case "city", "市", "市级", "地级市": self = .city
        case "county", "县", "区", "县级", "县级市", "县区", "县(市、区)": self = .county
        case "grantee", "单位", "企业", "承担单位", "项目承担单位": self = .grantee
        default: return nil
        }
    }

    public var english: String {
        switch self {
        case .province: return "province"
        case .city: return "city"
        case .county: return "county"
        case .grantee: return "grantee"
        }
    }

    public var chinese: String {
        switch self {
        case .province: return "省"
        case .city: return "市"
        case .county: return "县"
        case .grantee: return "单位"
        }
    }
}

/// The fate of a transfer row's own payment.
public enum TransferStatus: Sendable, Equatable {
    case ok, failed, returned

    public init?(text: String) {
        switch text.trimmingBlanks().lowercased() {
        case "", "ok", "成功", "已拨付", "正常": self = .ok
        case "failed", "fail", "失败", "拨付失败": self = .failed
        case "returned", "退回", "退票", "已退回": self = .returned
        default: return nil
        }
    }
}

public enum SpendingStatus: Sendable, Equatable {
    case paid, failed

    public init?(text: String) {
        switch text.trimmingBlanks().lowercased() {
        case "", "paid", "已支付", "支付成功", "成功": self = .paid
        case "failed", "fail", "支付失败", "失败": self = .failed
        default: return nil
        }
    }
}

public enum AllocationMethod: String, Sendable {
    case competitive, factor, collective, postSubsidy = "post-subsidy", earmarked

    public init?(text: String) {
        switch text.trimmingBlanks().lowercased() {
        case "competitive", "竞争性分配", "竞争性": self = .competitive
        case "factor", "因素分配", "因素法", "因素法分配": self = .factor
        case "collective", "集体研究", "集体研究分配": self = .collective
        case "post-subsidy", "postsubsidy", "后补助": self = .postSubsidy
        case "earmarked", "戴帽", "戴帽下达": self = .earmarked
        default: return nil
        }
    }

    public var chinese: String {
        switch self {
        case .competitive: return "竞争性分配"
        case .factor: return "因素分配"
        case .collective: return "集体研究"
        case .postSubsidy: return "后补助"
        case .earmarked: return "戴帽"
        }
    }
}

public enum ProjectKind: Sendable, Equatable {
    case regular
    /// A working-expense line (工作经费), capped by rule BL005.
    case workExpense

    public init?(text: String) {
        switch text.trimmingBlanks().lowercased() {
        case "": self = .regular
        case "work-expense", "工作经费", "work expense": self = .workExpense
        default: return nil
        }
    }
}

/// A row of a hierarchy (units or projects): its key and the parent it names.
protocol HierarchyNode {
    var key: String { get }
    var parentRef: String? { get }
    var line: Int { get }
}

/// A unit in the hierarchy (entities.csv).
public struct Entity: Sendable, HierarchyNode {
    public let id: String
    public let name: String
    public let level: Level
    public let parentRef: String?
    public let line: Int
    /// Index of the parent entity, once resolved; nil for a root or an orphan.
    public internal(set) var parent: Int?

    var key: String { id }
}

/// A fund or sub-project (projects.csv).
public struct Project: Sendable, HierarchyNode {
    public let code: String
    public let name: String
    public let parentRef: String?
    public let budget: Fen?
    public let kind: ProjectKind
    public let line: Int
    public internal(set) var parent: Int?

    var key: String { code }
}

/// One line of the allocation plan (plan.csv).
public struct PlanLine: Sendable {
    public let label: String?
    public let project: Int
    public let from: Int
    public let to: Int
    public let amount: Fen
    public let method: AllocationMethod?
    public let document: String?
    public let due: Day?
    public let line: Int
}
