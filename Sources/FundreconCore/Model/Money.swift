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
        // Digits written into a small buffer: messages format a few amounts each, twice (zh,
        // en), for over a hundred thousand findings; strings built and trimmed a character
        // at a time cost a tenth of the rules.
        let magnitude = value.magnitude
        var scale: UInt64 = 1
        for _ in 0..<scaleDigits { scale *= 10 }
        let whole = magnitude / scale, fraction = magnitude % scale
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buf in
            // [sign][whole digits] ending at 31, the point at 32, the fraction from 33.
            var f = fraction
            for k in stride(from: scaleDigits - 1, through: 0, by: -1) {
                buf[33 + k] = 0x30 + UInt8(f % 10)
                f /= 10
            }
            var kept = scaleDigits
            while kept > minFraction && buf[33 + kept - 1] == 0x30 { kept -= 1 }
            var start = 32, w = whole
            repeat {
                start -= 1
                buf[start] = 0x30 + UInt8(w % 10)
                w /= 10
            } while w > 0
            if value < 0 {
                start -= 1
                buf[start] = UInt8(ascii: "-")
            }
            buf[32] = UInt8(ascii: ".")
            let end = kept > 0 ? 33 + kept : 32
            return String(decoding: UnsafeBufferPointer(rebasing: buf[start..<end]), as: UTF8.self)
        }
    }
}

extension String {
    /// Trims ASCII blanks and the ideographic space U+3000 that Chinese input methods type.
    func trimmingBlanks() -> String {
        // Most values have nothing to trim: tell that from the end scalars, without walking
        // the text as characters (a tenth of reading a big entities.csv went there).
        if let first = unicodeScalars.first, let last = unicodeScalars.last,
           !String.isBlank(first) && first != "\u{FEFF}" && !String.isBlank(last) { return self }
        // By scalars, not characters: "\r\n" is one character, equal to neither blank.
        let scalars = unicodeScalars
        var start = scalars.startIndex, end = scalars.endIndex
        while start < end && (String.isBlank(scalars[start]) || scalars[start] == "\u{FEFF}") { start = scalars.index(after: start) }
        while end > start && String.isBlank(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return String(scalars[start..<end])
    }

    private static func isBlank(_ c: Unicode.Scalar) -> Bool {
        c.isASCII ? isBlankASCII(UInt8(c.value)) : c == "\u{3000}"
    }

    private static func isBlankASCII(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A }

    /// Whether the UTF-8 `b` is a text `trimmingBlanks` gives back as it is, told from its
    /// bytes without making it: ASCII (so decoding cannot change a byte) with no blank at
    /// either end.
    static func trimsToItself(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = b.first, let last = b.last, !isBlankASCII(first), !isBlankASCII(last) else { return false }
        var all: UInt8 = 0
        for c in b { all |= c }
        return all < 0x80
    }
}
