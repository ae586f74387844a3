/// Why two amounts that should be equal differ, as far as the figures alone tell: the
/// mistakes people make typing money. One classifier for a receipt against its transfer
/// (RC003) and for an edge's transfers against its plan (FL003, FL004, FL008).
public enum AmountCause: Sendable, Equatable {
    /// The second is the first times 10^power (power negative: divided): 元 for 万元 is ±4.
    case unit(power: Int)
    /// The same amount with the opposite sign (红字 for 蓝字).
    case sign
    /// Two digits swapped (12 written 21): the difference is a multiple of 9.
    case transposition
    /// One is the other rounded to whole 元 or coarser.
    case rounding
    /// A row of the edge is there twice, and the extra money is that row's amount.
    case duplicatedRow(line: Int)
    /// A row of the edge that did not move money (失败, 退回) has exactly the missing amount.
    case missingRow(line: Int)
    case unknown

    /// The cause of `actual` where `expected` was due, from the figures alone.
    public static func classify(expected: Fen, actual: Fen) -> AmountCause {
        guard expected != actual, expected != 0, actual != 0 else { return .unknown }
        if actual == -expected { return .sign }
        if (expected < 0) == (actual < 0) {
            if let power = powerOfTen(actual, over: expected) { return .unit(power: power) }
            if let power = powerOfTen(expected, over: actual) { return .unit(power: -power) }
            if isTransposition(expected.magnitude, actual.magnitude) { return .transposition }
            if isRounding(expected, actual) || isRounding(actual, expected) { return .rounding }
        }
        return .unknown
    }

    /// n in 1...12 when a = b × 10^n.
    private static func powerOfTen(_ a: Fen, over b: Fen) -> Int? {
        guard a.magnitude > b.magnitude, a % b == 0 else { return nil }
        var ratio = a / b, n = 0
        while ratio % 10 == 0 && n < 12 {
            ratio /= 10
            n += 1
        }
        return ratio == 1 && n > 0 ? n : nil
    }

    /// Same number of digits, equal but in two places, whose digits are each other's.
    static func isTransposition(_ a: UInt64, _ b: UInt64) -> Bool {
        let x = Array(String(a).utf8), y = Array(String(b).utf8)
        guard x.count == y.count else { return false }
        let differ = x.indices.filter { x[$0] != y[$0] }
        guard differ.count == 2 else { return false }
        return x[differ[0]] == y[differ[1]] && x[differ[1]] == y[differ[0]]
    }

    /// `rounded` is `exact` rounded half away from zero to whole 元, 十元, 百元, 千元 or 万元.
    private static func isRounding(_ exact: Fen, _ rounded: Fen) -> Bool {
        var step: Fen = 100
        while step <= 1_000_000 {
            if rounded % step == 0 && exact % step != 0 {
                let half = step / 2
                let down = exact / step * step
                let nearest = exact >= 0 ? (exact - down >= half ? down + step : down)
                                         : (down - exact >= half ? down - step : down)
                if nearest == rounded { return true }
            }
            step *= 10
        }
        return false
    }

    /// What a finance officer reads as the cause.
    public var message: Message {
        switch self {
        case .unit(let power):
            if abs(power) == 4 {
                return Message(zh: "元/万元混用（相差一万倍）", en: "元 and 万元 mixed up (a factor of 10,000)")
            }
            let factor = "10^\(abs(power))"
            return Message(zh: "单位或小数点错误（相差 \(factor) 倍）", en: "a unit or decimal point slip (a factor of \(factor))")
        case .sign: return Message(zh: "正负号相反（红字/蓝字）", en: "the sign is reversed (red and black entries)")
        case .transposition: return Message(zh: "两位数字颠倒", en: "two digits transposed")
        case .rounding: return Message(zh: "四舍五入差异", en: "a rounding difference")
        case .duplicatedRow(let line):
            return Message(zh: "第 \(line) 行重复录入，差额正是该行金额", en: "line \(line) is entered twice, and the difference is its amount")
        case .missingRow(let line):
            return Message(zh: "差额正是拨付记录第 \(line) 行（失败或退回，未计入）的金额",
                           en: "the difference is the amount of transfers.csv line \(line), which failed or was returned and is not counted")
        case .unknown: return Message(zh: "原因不明", en: "cause unknown")
        }
    }

    /// A short stable name, for the JSON report.
    public var code: String {
        switch self {
        case .unit: return "unit"
        case .sign: return "sign"
        case .transposition: return "transposition"
        case .rounding: return "rounding"
        case .duplicatedRow: return "duplicated-row"
        case .missingRow: return "missing-row"
        case .unknown: return "unknown"
        }
    }
}
