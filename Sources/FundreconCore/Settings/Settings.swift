import TOMLKit

/// A ratio held as parts per million, so rates compare with money by integer arithmetic.
public struct Ratio: Sendable, Equatable, Comparable, CustomStringConvertible {
    public let ppm: Int64
    public init(ppm: Int64) { self.ppm = ppm }
    public static func < (a: Ratio, b: Ratio) -> Bool { a.ppm < b.ppm }
    public var description: String { MoneyFormat.decimal(ppm, scaleDigits: 6, minFraction: 0) }
}

public enum FailOn: String, Sendable, CaseIterable {
    case error, warning, never

    /// True when a finding of this severity makes the run exit 1.
    public func fails(_ severity: Severity) -> Bool {
        switch self {
        case .error: return severity == .error
        case .warning: return severity >= .warning
        case .never: return false
        }
    }
}

/// Settings of a scope (spec section 6): `fundrecon.toml`, then the command line.
public struct Settings: Sendable, Equatable {
    public var unit: AmountUnit = .wanYuan
    public var periodEnd: Day?
    public var asOf: Day?
    public var tolerance: Fen = 0
    public var tolerancePct: Ratio = Ratio(ppm: 0)
    public var maxHoldDays = 30
    public var maxHoldDaysByLevel: [Level: Int] = [:]
    /// Days a receipt may be booked after its transfer and still match it (RC rules).
    public var receiptWindowDays = 30
    /// Days a transfer may wait for its receipt before it is an error (RC001) and not in transit (RC005).
    public var inTransitDays = 15
    public var minExecutionRate = Ratio(ppm: 1_000_000)
    public var workExpenseCap = Ratio(ppm: 20_000)
    public var failOn: FailOn = .error
    public var lang: Language = .zh

    public init() {}

    public static let fileName = "fundrecon.toml"

    public static let knownKeys: Set<String> = [
        "unit", "period_end", "as_of", "tolerance", "tolerance_pct", "max_hold_days",
        "max_hold_days_by_level", "min_execution_rate", "work_expense_cap", "fail_on", "lang",
        "receipt_window_days", "in_transit_days",
    ]

    /// Reads settings from TOML text over the defaults. Unknown keys and bad values are errors.
    public static func parse(toml text: String, source: String) throws(SettingsError) -> Settings {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw SettingsError("\(source):\(error.source.begin.line):\(error.source.begin.column): \(error.description)")
        } catch {
            throw SettingsError("\(source): \(error)")
        }
        var s = Settings()
        for key in table.keys.sorted() where !knownKeys.contains(key) {
            throw SettingsError("\(source): unknown setting '\(key)' (known: \(knownKeys.sorted().joined(separator: ", ")))")
        }
        func value(_ key: String) -> TOMLValueConvertible? { table[key] }
        if let v = value("unit") {
            guard let text = v.string, let unit = AmountUnit(word: text), unit != .yiYuan else {
                throw SettingsError("\(source): unit must be \"万元\" or \"元\"")
            }
            s.unit = unit
        }
        s.periodEnd = try date(value("period_end"), "period_end", source)
        s.asOf = try date(value("as_of"), "as_of", source)
        if let v = value("tolerance") {
            let r = try ratio(v, "tolerance", source)
            // `tolerance` is in `unit`; ppm × fen-per-unit / 10^6 gives 分, rounded down: at
            // most 10^12 万元, 10^18 分, as `ratio` takes no more.
            s.tolerance = Fen(Int128(r.ppm) * Int128(s.unit.fenPerUnit) / 1_000_000)
        }
        if let v = value("tolerance_pct") { s.tolerancePct = try ratio(v, "tolerance_pct", source) }
        if let v = value("max_hold_days") { s.maxHoldDays = try days(v, "max_hold_days", source) }
        if let v = value("max_hold_days_by_level") {
            guard let t = v.table else { throw SettingsError("\(source): max_hold_days_by_level must be a table such as [max_hold_days_by_level] county = 60") }
            for key in t.keys.sorted() {
                guard let level = Level(text: key), let dv = t[key] else {
                    throw SettingsError("\(source): max_hold_days_by_level: unknown level '\(key)' (province, city, county)")
                }
                s.maxHoldDaysByLevel[level] = try days(dv, "max_hold_days_by_level.\(key)", source)
            }
        }
        if let v = value("receipt_window_days") { s.receiptWindowDays = try days(v, "receipt_window_days", source) }
        if let v = value("in_transit_days") { s.inTransitDays = try days(v, "in_transit_days", source) }
        if let v = value("min_execution_rate") { s.minExecutionRate = try ratio(v, "min_execution_rate", source) }
        if let v = value("work_expense_cap") { s.workExpenseCap = try ratio(v, "work_expense_cap", source) }
        if let v = value("fail_on") {
            guard let text = v.string, let f = FailOn(rawValue: text) else { throw SettingsError("\(source): fail_on must be \"error\", \"warning\" or \"never\"") }
            s.failOn = f
        }
        if let v = value("lang") {
            guard let text = v.string, let l = Language(rawValue: text) else { throw SettingsError("\(source): lang must be \"zh\" or \"en\"") }
            s.lang = l
        }
        return s
    }

    private static func date(_ v: TOMLValueConvertible?, _ key: String, _ source: String) throws(SettingsError) -> Day? {
        guard let v else { return nil }
        if let d = v.date, let day = Day(year: d.year, month: d.month, day: d.day) { return day }
        if let text = v.string, case .success(let day) = ValueParsers.parseDate(text) { return day }
        throw SettingsError("\(source): \(key) must be a date such as 2021-12-31")
    }

    private static func ratio(_ v: TOMLValueConvertible, _ key: String, _ source: String) throws(SettingsError) -> Ratio {
        if let i = v.int, i >= 0, i < 1_000_000 { return Ratio(ppm: Int64(i) * 1_000_000) }
        if let d = v.double, d >= 0, d < 1e12 { return Ratio(ppm: Int64((d * 1_000_000).rounded())) }
        throw SettingsError("\(source): \(key) must be a number ≥ 0")
    }

    private static func days(_ v: TOMLValueConvertible, _ key: String, _ source: String) throws(SettingsError) -> Int {
        guard let i = v.int, i >= 0, i <= 36_500 else { throw SettingsError("\(source): \(key) must be a whole number of days") }
        return i
    }
}

public struct SettingsError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
