/// A pull reader over JSON bytes, for taking a few fields out of a big document without
/// building it: the previous night's report (over 100 MB at province scale) took
/// `JSONDecoder` four seconds, a dictionary per object; this reads it at memory speed.
/// Strict enough for our own reports and any valid JSON; anything else reads as nil/false.
struct JSONCursor {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var at = 0
    /// How many bytes have been read.
    var offset: Int { at }

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private var current: UInt8? { at < bytes.count ? bytes[at] : nil }

    private mutating func skipSpace() {
        while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
    }

    /// Consumes `c` (after any blanks) when it comes next.
    private mutating func take(_ c: UInt8) -> Bool {
        skipSpace()
        guard current == c else { return false }
        at += 1
        return true
    }

    private mutating func take(word: StaticString) -> Bool {
        let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard at + w.count <= bytes.count else { return false }
        for k in 0..<w.count where bytes[at + k] != w[k] { return false }
        at += w.count
        return true
    }

    /// True at the end of the document (blanks aside).
    mutating func atEnd() -> Bool {
        skipSpace()
        return at >= bytes.count
    }

    /// `null`, consumed.
    mutating func null() -> Bool {
        skipSpace()
        return current == UInt8(ascii: "n") && take(word: "null")
    }

    /// An object, each member handed to `member` with its key; `member` must consume the
    /// value (or `skipValue()`) and return false to give up.
    mutating func object(_ member: (inout JSONCursor, String) -> Bool) -> Bool {
        guard take(UInt8(ascii: "{")) else { return false }
        if take(UInt8(ascii: "}")) { return true }
        repeat {
            guard let key = string(), take(UInt8(ascii: ":")), member(&self, key) else { return false }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}"))
    }

    /// An array, each element handed to `element`, which must consume it.
    mutating func array(_ element: (inout JSONCursor) -> Bool) -> Bool {
        guard take(UInt8(ascii: "[")) else { return false }
        if take(UInt8(ascii: "]")) { return true }
        repeat {
            guard element(&self) else { return false }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "]"))
    }

    /// A string value, its escapes undone.
    mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = at
        // The common case: no escape, one copy of the bytes.
        while at < bytes.count, bytes[at] != 0x22, bytes[at] != 0x5C {
            if bytes[at] < 0x20 { return nil }
            at += 1
        }
        guard at < bytes.count else { return nil }
        if bytes[at] == 0x22 {
            defer { at += 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
        }
        var out = Array(bytes[start..<at])
        while at < bytes.count {
            let c = bytes[at]
            at += 1
            if c == 0x22 { return String(decoding: out, as: UTF8.self) }
            if c < 0x20 { return nil }
            guard c == 0x5C else { out.append(c); continue }
            guard let e = current else { return nil }
            at += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4() else { return nil }
                // A surrogate pair names one scalar beyond the first plane.
                if (0xD800..<0xDC00).contains(scalar), take(word: "\\u"), let low = hex4(), (0xDC00..<0xE000).contains(low) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                out.append(contentsOf: String(Unicode.Scalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8)
            default: return nil
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard at + 4 <= bytes.count else { return nil }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[at]
            at += 1
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = v << 4 | UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = v << 4 | UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = v << 4 | UInt32(c - UInt8(ascii: "A") + 10)
            default: return nil
            }
        }
        return v
    }

    /// A whole number that fits 64 bits (a fraction or exponent is not one).
    mutating func integer() -> Int64? {
        skipSpace()
        let negative = current == UInt8(ascii: "-")
        if negative { at += 1 }
        var value: Int64 = 0
        var digits = 0
        while let c = current, c >= 0x30 && c <= 0x39 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(c - 0x30))
            guard !o1 && !o2 else { return nil }
            value = s
            digits += 1
            at += 1
        }
        guard digits > 0, current != UInt8(ascii: "."), current != UInt8(ascii: "e"), current != UInt8(ascii: "E") else { return nil }
        return negative ? -value : value
    }

    /// Steps over one value of any kind.
    mutating func skipValue() -> Bool {
        skipSpace()
        guard let c = current else { return false }
        switch c {
        case UInt8(ascii: "\""): return string() != nil
        case UInt8(ascii: "{"): return object { cursor, _ in cursor.skipValue() }
        case UInt8(ascii: "["): return array { $0.skipValue() }
        case UInt8(ascii: "t"): return take(word: "true")
        case UInt8(ascii: "f"): return take(word: "false")
        case UInt8(ascii: "n"): return take(word: "null")
        default:
            let start = at
            while let d = current, (d >= 0x30 && d <= 0x39) || d == UInt8(ascii: "-") || d == UInt8(ascii: "+")
                    || d == UInt8(ascii: ".") || d == UInt8(ascii: "e") || d == UInt8(ascii: "E") { at += 1 }
            return at > start
        }
    }

    /// A string or null (nil inside: null); nil outside: neither.
    mutating func optionalString() -> String?? {
        if null() { return .some(nil) }
        return string().map { .some($0) }
    }

    mutating func optionalInteger() -> Int64?? {
        if null() { return .some(nil) }
        return integer().map { .some($0) }
    }
}
