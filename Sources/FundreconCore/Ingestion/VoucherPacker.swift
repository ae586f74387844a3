#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Packs a voucher into 8 bytes when it is text around one run of digits ("T0000000001",
/// "记-2021-0012345", "付字第123号"): the number of its shape (the text before and after its
/// last run of digits, learnt once), the run's length and its value. One-to-one: two vouchers
/// of one packer are equal exactly when their keys are, and a key spells back to the very
/// bytes it was packed from. The voucher tables (`VoucherRegistry`) and the sender's vouchers
/// written on receipts (`WrittenVouchers`) each hold one.
struct VoucherPacker: Sendable {
    /// The shapes learnt, numbered in the order first seen.
    private(set) var shapes = ByteInterner(capacity: 64)
    private var scratch = ShapeScratch()

    static let maxDigits = 15  // 10^15 < 2^50
    static let maxShapes = 1022  // shape number + 1 in 10 bits, never all ones
    /// Every key is at least this: its shape number + 1 is never 0.
    static let smallestKey: UInt64 = 1 << 54

    var learnsNoMore: Bool { shapes.count >= Self.maxShapes }

    /// (shape + 1) << 54 | run length << 50 | run value; never 0. nil when the voucher does not
    /// have a shape learnt so far.
    mutating func key(_ b: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard let run = Self.lastDigitRun(b) else { return nil }
        var value: UInt64 = 0
        for i in run { value = value &* 10 &+ UInt64(b[i] &- 48) }
        guard let shape = shapeNumber(b, runStart: run.lowerBound, runEnd: run.upperBound) else { return nil }
        return UInt64(shape + 1) << 54 | UInt64(run.count) << 50 | value
    }

    /// `key(_:)`, learning the voucher's shape first when it is new; nil when it cannot be
    /// packed (no digit, a run longer than 15 digits, past 1,022 shapes, a 0xFF byte).
    mutating func keyLearning(_ b: UnsafeBufferPointer<UInt8>) -> UInt64? {
        if let key = key(b) { return key }
        learnShape(of: b)
        return key(b)
    }

    /// Learns a new shape (at most `maxShapes`; none once that many are known).
    mutating func learnShape(of b: UnsafeBufferPointer<UInt8>) {
        guard !learnsNoMore, let run = Self.lastDigitRun(b),
              let shape = scratch.withShape(of: b, runStart: run.lowerBound, runEnd: run.upperBound, { Array($0) }) else { return }
        shape.withUnsafeBufferPointer { _ = shapes.intern($0) }
    }

    /// The voucher a key stands for: its shape (from `shapes.keys()`) with the digit run put back.
    static func spell(_ key: UInt64, shape: [UInt8]) -> [UInt8] {
        var text: [UInt8] = []
        spell(key, shape: shape, into: &text)
        return text
    }

    /// `spell(_:shape:)` into `text`, replacing what it held: no allocation once it is large enough.
    static func spell(_ key: UInt64, shape: [UInt8], into text: inout [UInt8]) {
        text.removeAll(keepingCapacity: true)
        let length = Int(key >> 50 & 0xF)
        for c in shape {
            guard c == 0xFF else { text.append(c); continue }
            let start = text.count
            text.append(contentsOf: repeatElement(48, count: length))
            var value = key & (1 << 50 - 1)
            for i in stride(from: start + length - 1, through: start, by: -1) {
                text[i] = UInt8(48 + value % 10)
                value /= 10
            }
        }
    }

    /// The voucher's last run of ASCII digits, when it has one of at most `maxDigits`.
    private static func lastDigitRun(_ b: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        var end = b.count
        while end > 0 && !isDigit(b[end - 1]) { end -= 1 }
        var start = end
        while start > 0 && isDigit(b[start - 1]) { start -= 1 }
        guard end > start, end - start <= maxDigits else { return nil }
        return start..<end
    }

    /// The shape's number, when it is already known: looking it up needs no writing.
    private mutating func shapeNumber(_ b: UnsafeBufferPointer<UInt8>, runStart: Int, runEnd: Int) -> Int? {
        if let known = scratch.lastNumber(of: b, runStart: runStart, runEnd: runEnd) { return known }
        let shapes = self.shapes
        guard let found = scratch.withShape(of: b, runStart: runStart, runEnd: runEnd, { shapes.lookup($0) }),
              let number = found else { return nil }
        scratch.remember(b, runStart: runStart, runEnd: runEnd, number)  // a known shape keeps its number
        return number
    }

    @inline(__always)
    private static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
}

/// Room to spell a voucher's shape: the text before its digit run, a 0xFF byte (never in
/// UTF-8) and the text after it; and the last shape matched. Part of the packer's value
/// (a copy of the packer has its own), reused from row to row so that the per-row path
/// does not allocate.
private struct ShapeScratch: Sendable {
    private var bytes = ByteScratch()
    /// The text around the digits of the last voucher whose shape was known, and that
    /// shape's number: a file's vouchers mostly share one shape, so most are matched to it
    /// by comparing their text in place, without spelling their shape.
    private var last = ByteScratch()
    private var lastPrefix = 0, lastSuffix = 0
    private var lastNumber = -1

    func lastNumber(of b: UnsafeBufferPointer<UInt8>, runStart: Int, runEnd: Int) -> Int? {
        guard lastNumber >= 0, runStart == lastPrefix, b.count - runEnd == lastSuffix, let base = b.baseAddress else { return nil }
        let (prefix, suffix) = (lastPrefix, lastSuffix)
        let same = last.withBytes { l -> Bool in
            guard let text = l.baseAddress else { return prefix == 0 && suffix == 0 }
            if prefix > 0 && memcmp(base, text, prefix) != 0 { return false }
            if suffix > 0 && memcmp(base + runEnd, text + prefix, suffix) != 0 { return false }
            return true
        }
        return same ? lastNumber : nil
    }

    mutating func remember(_ b: UnsafeBufferPointer<UInt8>, runStart: Int, runEnd: Int, _ number: Int) {
        last.removeAll()
        last.append(UnsafeBufferPointer(rebasing: b[0..<runStart]))
        last.append(UnsafeBufferPointer(rebasing: b[runEnd..<b.count]))
        lastPrefix = runStart
        lastSuffix = b.count - runEnd
        lastNumber = number
    }

    /// Hands `body` the voucher's shape; nil when the voucher itself holds a 0xFF byte and
    /// the shape would not be one-to-one.
    mutating func withShape<R>(of b: UnsafeBufferPointer<UInt8>, runStart: Int, runEnd: Int,
                               _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R? {
        if b.contains(0xFF) { return nil }
        bytes.removeAll()
        bytes.append(UnsafeBufferPointer(rebasing: b[0..<runStart]))
        bytes.append(0xFF)
        bytes.append(UnsafeBufferPointer(rebasing: b[runEnd..<b.count]))
        return bytes.withBytes(body)
    }
}
