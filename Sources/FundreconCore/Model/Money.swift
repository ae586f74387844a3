/// Money is held as an integer count of 分 (fen). 1 元 = 100 分, 1 万元 = 1,000,000 分.
public typealias Fen = Int64

/// The unit an amount is written in.
public enum AmountUnit: String, Sendable, Equatable, CaseIterable {
    case yuan = "元"
    case wanYuan = "万元"
    case yiYuan = "亿元"

    public var fenPerUnit: Int64 {
        switch self {
        case .yuan: return 100
        case .wanYuan: return 1_000_000
        case .yiYuan: return 10_000_000_000
        }
    }

    /// Reads a unit word as written in a header, a value or a setting.
    public init?(word: String) {
        switch word.lowercased().trimmingBlanks() {
        case "元", "yuan", "rmb", "cny", "元整": self = .yuan
        case "万元", "万", "wan", "wanyuan", "wan yuan", "10k yuan", "万元整": self = .wanYuan
        case "亿元", "亿", "yi", "yiyuan": self = .yiYuan
        default: return nil
        }
    }
}

public enum MoneyFormat {
    /// A fen amount as a 万元 decimal string without trailing zeros: 749_898_600 分 → "749.8986".
    public static func wanYuan(_ fen: Fen) -> String {
        decimal(fen, scaleDigits: 6, minFraction: 0)
    }

    public static func yuan(_ fen: Fen) -> String {
        decimal(fen, scaleDigits: 2, minFraction: 2)
    }

    public static func inUnit(_ fen: Fen, _ unit: AmountUnit) -> String {
        switch unit {
        case .yuan: return yuan(fen)
        case .wanYuan: return wanYuan(fen)
        case .yiYuan: return decimal(fen, scaleDigits: 10, minFraction: 0)
        }
    }

    static func decimal(_ value: Int64, scaleDigits: Int, minFraction: Int) -> String {
        let negative = value < 0
        let magnitude = value.magnitude
        var scale: UInt64 = 1
        for _ in 0..<scaleDigits { scale *= 10 }
        let whole = magnitude / scale
        var fraction = String(magnitude % scale)
        fraction = String(repeating: "0", count: scaleDigits - fraction.count) + fraction
        while fraction.count > minFraction && fraction.last == "0" { fraction.removeLast() }
        let body = fraction.isEmpty ? String(whole) : "\(whole).\(fraction)"
        return negative ? "-" + body : body
    }
}

extension String {
    /// Trims ASCII blanks and the ideographic space U+3000 that Chinese input methods type.
    func trimmingBlanks() -> String {
        // Most values have nothing to trim: tell that from the end scalars, without walking
        // the text as characters (a tenth of reading a big entities.csv went there).
        if let first = unicodeScalars.first, let last = unicodeScalars.last,
           !String.isBlank(first) && first != "\u{FEFF}" && !String.isBlank(last) { return self }
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" || c == "\u{3000}" || c == "\r" || c == "\n" || c == "\u{FEFF}" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\u{3000}" || c == "\r" || c == "\n" { s.removeLast() }
        return String(s)
    }

    private static func isBlank(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\u{3000}" || c == "\r" || c == "\n"
    }
}
