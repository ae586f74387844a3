/// Parsers for the values of spec section 2, over the UTF-8 bytes of one field.
/// Full-width digits and punctuation (what Chinese input methods type) are read as ASCII.
public enum AmountParseError: Error, Sendable, Equatable {
    case empty
    case notANumber
    /// More precision than 1 分.
    case tooPrecise
    case tooLarge
}

public enum DateParseError: Error, Sendable, Equatable {
    case empty
    case invalid
}

public enum ValueParsers {
    /// Maps full-width forms to ASCII so the number and date grammars stay ASCII-only.
    /// Returns the normalized byte count, or nil when the field is too long to be a value.
    @inline(__always)
    static func normalizeASCII(_ b: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>) -> Int? {
        var i = 0, o = 0
        let n = b.count
        while i < n {
            guard o < out.count else { return nil }
            let c = b[i]
            if c < 0x80 { out[o] = c; o += 1; i += 1; continue }
            // Full-width block FF01–FF5E is EF BC 81…EF BD 9E and maps to 0x21–0x7E.
            if c == 0xEF && i + 2 < n && (b[i + 1] == 0xBC || b[i + 1] == 0xBD) {
                let cp = (UInt32(b[i + 1] & 0x3F) << 6) | UInt32(b[i + 2] & 0x3F)  // low 12 bits of U+FFxx
                let scalar = 0xF000 | cp
                if scalar >= 0xFF01 && scalar <= 0xFF5E {
                    out[o] = UInt8(scalar - 0xFF01 + 0x21); o += 1; i += 3; continue
                }
            }
            if c == 0xE3 && i + 2 < n && b[i + 1] == 0x80 && b[i + 2] == 0x80 {  // U+3000 ideographic space
                out[o] = 0x20; o += 1; i += 3; continue
            }
            if c == 0xE2 && i + 2 < n && b[i + 1] == 0x88 && b[i + 2] == 0x92 {  // U+2212 minus sign
                out[o] = 0x2D; o += 1; i += 3; continue
            }
            out[o] = c; o += 1; i += 1
        }
        return o
    }

    /// Reads an amount as 分. The unit is the first of: a unit word in the value, `unit`.
    public static func parseAmount(_ bytes: UnsafeBufferPointer<UInt8>, unit defaultUnit: AmountUnit) -> Result<Fen, AmountParseError> {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 96) { tmp in
            guard let n = normalizeASCII(bytes, into: tmp) else { return .failure(.notANumber) }
            return parseNormalizedAmount(UnsafeBufferPointer(rebasing: tmp[0..<n]), unit: defaultUnit)
        }
    }

    public static func parseAmount(_ text: String, unit: AmountUnit) -> Result<Fen, AmountParseError> {
        var copy = text
        return copy.withUTF8 { parseAmount($0, unit: unit) }
    }

    private static func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }

    private static func parseNormalizedAmount(_ b: UnsafeBufferPointer<UInt8>, unit defaultUnit: AmountUnit) -> Result<Fen, AmountParseError> {
        var i = 0
        var n = b.count
        while i < n && isBlank(b[i]) { i += 1 }
        while n > i && isBlank(b[n - 1]) { n -= 1 }
        if i == n { return .failure(.empty) }
        var negative = false
        // A currency sign or code before the number says 元 (unless a unit after it says
        // otherwise): "¥100" is 100 元, never 100 of the default unit.
        var sawCurrency = false
        func skipCurrency() {
            func upper(_ k: Int) -> UInt8 { b[k] & 0xDF }
            if i + 1 < n && b[i] == 0xC2 && b[i + 1] == 0xA5 { i += 2; sawCurrency = true }  // ¥
            else if i + 2 < n && b[i] == 0xEF && b[i + 1] == 0xBF && b[i + 2] == 0xA5 { i += 3; sawCurrency = true }  // ￥
            else if i + 3 <= n && ((upper(i), upper(i + 1), upper(i + 2)) == (0x52, 0x4D, 0x42)  // RMB
                                   || (upper(i), upper(i + 1), upper(i + 2)) == (0x43, 0x4E, 0x59)) {  // CNY
                i += 3
                sawCurrency = true
            }
            while i < n && isBlank(b[i]) { i += 1 }
        }
        skipCurrency()
        if i < n && (b[i] == 0x2D || b[i] == 0x2B) { negative = b[i] == 0x2D; i += 1 }
        skipCurrency()

        // Integer part, with thousands separators only in groups of three (a comma in
        // "1,5" is a European decimal comma and must not silently become 15).
        var whole: Int64 = 0
        var digits = 0
        var groupDigits = 0
        var sawComma = false
        while i < n {
            let c = b[i]
            if c >= 0x30 && c <= 0x39 {
                guard digits < 18 else { return .failure(.tooLarge) }
                whole = whole * 10 + Int64(c - 0x30)
                digits += 1
                groupDigits += 1
                i += 1
            } else if c == 0x2C {
                guard digits > 0, (sawComma ? groupDigits == 3 : groupDigits <= 3) else { return .failure(.notANumber) }
                sawComma = true
                groupDigits = 0
                i += 1
            } else { break }
        }
        if sawComma && groupDigits != 3 { return .failure(.notANumber) }
        var fraction: Int64 = 0
        var fractionDigits = 0
        if i < n && b[i] == 0x2E {
            i += 1
            var zeros = 0  // trailing zeros are not precision
            while i < n && b[i] >= 0x30 && b[i] <= 0x39 {
                if b[i] == 0x30 { zeros += 1 } else {
                    for _ in 0..<zeros {
                        guard fractionDigits < 18 else { return .failure(.tooPrecise) }
                        fraction *= 10; fractionDigits += 1
                    }
                    zeros = 0
                    guard fractionDigits < 18 else { return .failure(.tooPrecise) }
                    fraction = fraction * 10 + Int64(b[i] - 0x30)
                    fractionDigits += 1
                }
                i += 1
            }
            if digits == 0 && fractionDigits == 0 && zeros == 0 { return .failure(.notANumber) }
        } else if digits == 0 {
            return .failure(.notANumber)
        }
        while i < n && isBlank(b[i]) { i += 1 }
        var unit = sawCurrency ? AmountUnit.yuan : defaultUnit
        if i < n {
            let word = String(decoding: UnsafeBufferPointer(rebasing: b[i..<n]), as: UTF8.self)
            guard let u = AmountUnit(word: word) else { return .failure(.notANumber) }
            unit = u
        }
        let perUnit = unit.fenPerUnit
        var scale: Int64 = 1
        for _ in 0..<fractionDigits { scale *= 10 }
        // fraction / scale of a unit must be a whole number of 分; worked out in 128 bits, as
        // 10 decimals of 亿元 times 10^10 分 a 亿元 pass Int64 on the way.
        let fracTimesPer = Int128(fraction) * Int128(perUnit)
        guard fracTimesPer % Int128(scale) == 0 else { return .failure(.tooPrecise) }
        let fractionFen = Int64(fracTimesPer / Int128(scale))  // below one unit: fits
        let (wholeFen, o2) = whole.multipliedReportingOverflow(by: perUnit)
        let (total, o3) = wholeFen.addingReportingOverflow(fractionFen)
        guard !o2 && !o3 else { return .failure(.tooLarge) }
        return .success(negative ? -total : total)
    }

    /// Reads 2021-05-20, 2021/5/20, 2021.5.20, 2021年5月20日 and 20210520. Nothing else:
    /// 5/20/2021 is ambiguous between month-first and day-first exports.
    public static func parseDate(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<Day, DateParseError> {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { tmp in
            guard let n = normalizeASCII(bytes, into: tmp) else { return .failure(.invalid) }
            return parseNormalizedDate(UnsafeBufferPointer(rebasing: tmp[0..<n]))
        }
    }

    public static func parseDate(_ text: String) -> Result<Day, DateParseError> {
        var copy = text
        return copy.withUTF8 { parseDate($0) }
    }

    private static let nian: [UInt8] = Array("年".utf8), yue: [UInt8] = Array("月".utf8), ri: [UInt8] = Array("日".utf8)

    private static func parseNormalizedDate(_ b: UnsafeBufferPointer<UInt8>) -> Result<Day, DateParseError> {
        var i = 0
        var n = b.count
        while i < n && isBlank(b[i]) { i += 1 }
        while n > i && isBlank(b[n - 1]) { n -= 1 }
        if i == n { return .failure(.empty) }
        func number(maxDigits: Int) -> (value: Int, digits: Int) {
            var v = 0, d = 0
            while i < n && d < maxDigits && b[i] >= 0x30 && b[i] <= 0x39 { v = v * 10 + Int(b[i] - 0x30); d += 1; i += 1 }
            return (v, d)
        }
        func match(_ word: [UInt8]) -> Bool {
            guard n - i >= word.count else { return false }
            for k in 0..<word.count where b[i + k] != word[k] { return false }
            i += word.count
            return true
        }
        let first = number(maxDigits: 8)
        let y: Int, m: Int, d: Int
        if first.digits == 8 && i == n {
            y = first.value / 10000; m = first.value / 100 % 100; d = first.value % 100
        } else if first.digits == 4 {
            y = first.value
            if i < n && (b[i] == 0x2D || b[i] == 0x2F || b[i] == 0x2E) {
                let sep = b[i]; i += 1
                let mm = number(maxDigits: 2)
                guard mm.digits > 0, i < n, b[i] == sep else { return .failure(.invalid) }
                i += 1
                let dd = number(maxDigits: 2)
                guard dd.digits > 0, i == n else { return .failure(.invalid) }
                m = mm.value; d = dd.value
            } else if match(nian) {
                let mm = number(maxDigits: 2)
                guard mm.digits > 0, match(yue) else { return .failure(.invalid) }
                let dd = number(maxDigits: 2)
                guard dd.digits > 0 else { return .failure(.invalid) }
                _ = match(ri)
                guard i == n else { return .failure(.invalid) }
                m = mm.value; d = dd.value
            } else { return .failure(.invalid) }
        } else { return .failure(.invalid) }
        guard let day = Day(year: y, month: m, day: d) else { return .failure(.invalid) }
        return .success(day)
    }

    /// Document numbers (文号) compare equal across bracket variants: 粤财工〔2020〕228号,
    /// 粤财工[2020]228号 and 粤财工【2020】228号 are one document.
    public static func normalizeDocument(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for s in text.unicodeScalars {
            switch s {
            case "〔", "﹝", "[", "【", "(", "（", "［": out.unicodeScalars.append("〔")
            case "〕", "﹞", "]", "】", ")", "）", "］": out.unicodeScalars.append("〕")
            case " ", "\t", "\u{3000}": continue
            default: out.unicodeScalars.append(s)
            }
        }
        return out
    }
}
