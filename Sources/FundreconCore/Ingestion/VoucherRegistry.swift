#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Voucher numbers seen in one file, for IN003: exact, and small for the usual shape.
///
/// Most vouchers are text around one run of digits ("T0000000001", "记-2021-0012345",
/// "付字第123号"). Such a voucher is packed into 8 bytes: the number of its shape (the text
/// before and after its last run of digits, interned once), the run's length and its value.
/// Packing is one-to-one, so two vouchers are equal exactly when their packed forms are; a
/// packed voucher and its first line take 4 bytes of table when numbered in sequence (see
/// `PackedKeys`), 12 otherwise, instead of the ~33 of the text. Anything else (no digit, a run longer than 15 digits, past 1,022 shapes) is kept byte
/// for byte.
public struct VoucherRegistry: Sendable {
    private var shapes = ByteInterner(capacity: 64)
    private var packed = PackedKeys(capacity: 1024)
    private var others = ByteInterner(capacity: 64)
    private var otherLines: [Int32] = []
    private let scratch = ShapeScratch()

    public init() {}

    /// Where a voucher goes, worked out (and its slot being loaded) before it is registered.
    public enum Probe: Sendable {
        case packed(key: UInt64)
        case other(hash: UInt64)
    }

    mutating func reserve(_ rows: Int) {
        packed.reserve(rows)
    }

    /// Packs the voucher when it can and starts loading its slot.
    func probe(_ b: UnsafeBufferPointer<UInt8>) -> Probe {
        if let key = packedKey(b) {
            packed.prefetch(key)
            return .packed(key: key)
        }
        return .other(hash: others.prefetch(b))
    }

    /// Registers a voucher; returns the line it was first seen on when it was seen before.
    mutating func register(_ b: UnsafeBufferPointer<UInt8>, line: Int, probe: Probe? = nil) -> Int? {
        var target = probe ?? self.probe(b)
        if case .other = target {
            // A shape is learned the first time it is seen, so a voucher is packed from its
            // first row on or never: the same text always lands in the same table.
            learnShape(of: b)
            if let key = packedKey(b) { target = .packed(key: key) }
        }
        switch target {
        case .packed(let key):
            return packed.insert(key, line: UInt32(clamping: line)).map(Int.init)
        case .other(let hash):
            let (index, inserted) = others.intern(b, hash: hash)
            if inserted {
                otherLines.append(Int32(clamping: line))
                return nil
            }
            return otherLines.indices.contains(index) ? Int(otherLines[index]) : nil
        }
    }

    /// The first line of a voucher, when it is here; learns nothing. A voucher whose shape is
    /// known now is packed if it is here at all: its shape was learnt no later than its first
    /// row. One whose shape is not known went to the plain table, if anywhere.
    func firstLine(of b: UnsafeBufferPointer<UInt8>) -> Int? {
        if let key = packedKey(b) { return packed.line(of: key).map(Int.init) }
        return others.lookup(b).flatMap { otherLines.indices.contains($0) ? Int(otherLines[$0]) : nil }
    }

    /// Every voucher here that `earlier` (the registry of the file's first part) holds too:
    /// its first line here and its first line there.
    func repeats(of earlier: VoucherRegistry) -> [(line: Int, earlier: Int)] {
        var found: [(line: Int, earlier: Int)] = []
        let shapeTexts = shapes.keys()
        // A shape here is the same text as a shape there: renumber the packed key.
        let renumbered: [Int?] = shapeTexts.map { text in text.withUnsafeBufferPointer { earlier.shapes.lookup($0) } }
        let earlierLearnsNoMore = earlier.shapes.count >= VoucherRegistry.maxShapes
        var batch: [(key: UInt64, line: UInt32)] = []
        batch.reserveCapacity(1024)
        func flush() {
            // The look-ups miss the cache: ask for a block of slots first, then read them.
            for entry in batch { earlier.packed.prefetch(entry.key) }
            for entry in batch {
                if let first = earlier.packed.line(of: entry.key) { found.append((Int(entry.line), Int(first))) }
            }
            batch.removeAll(keepingCapacity: true)
        }
        packed.forEach { key, line in
            let shape = Int(key >> 54) - 1
            guard renumbered.indices.contains(shape) else { return }
            if let there = renumbered[shape] {
                batch.append((UInt64(there + 1) << 54 | key & (1 << 54 - 1), line))
                if batch.count == 1024 { flush() }
            } else if earlierLearnsNoMore {
                // Unknown there only because its table was full: spell it and look plainly.
                let text = VoucherRegistry.spell(key, shape: shapeTexts[shape])
                if let first = text.withUnsafeBufferPointer({ earlier.firstLine(of: $0) }) { found.append((Int(line), first)) }
            }
        }
        flush()
        others.forEachKey { index, text in
            if otherLines.indices.contains(index), let first = earlier.firstLine(of: text) {
                found.append((Int(otherLines[index]), first))
            }
        }
        return found
    }

    /// The voucher a packed key stands for: its shape with the digit run put back.
    private static func spell(_ key: UInt64, shape: [UInt8]) -> [UInt8] {
        let length = Int(key >> 50 & 0xF)
        var value = key & (1 << 50 - 1)
        var digits = [UInt8](repeating: 48, count: length)
        for i in stride(from: length - 1, through: 0, by: -1) {
            digits[i] = UInt8(48 + value % 10)
            value /= 10
        }
        var text: [UInt8] = []
        for c in shape { if c == 0xFF { text += digits } else { text.append(c) } }
        return text
    }

    static let maxDigits = 15  // 10^15 < 2^50
    static let maxShapes = 1022  // shape number + 1 in 10 bits, never all ones

    /// (shape + 1) << 54 | run length << 50 | run value; never 0. nil when the voucher does not
    /// have the packable shape.
    private func packedKey(_ b: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard let run = VoucherRegistry.lastDigitRun(b) else { return nil }
        var value: UInt64 = 0
        for i in run { value = value &* 10 &+ UInt64(b[i] &- 48) }
        guard let shape = shapeNumber(b, runStart: run.lowerBound, runEnd: run.upperBound) else { return nil }
        return UInt64(shape + 1) << 54 | UInt64(run.count) << 50 | value
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
    private func shapeNumber(_ b: UnsafeBufferPointer<UInt8>, runStart: Int, runEnd: Int) -> Int? {
        if let known = scratch.lastNumber(of: b, runStart: runStart, runEnd: runEnd) { return known }
        guard let shape = scratch.shape(of: b, runStart: runStart, runEnd: runEnd),
              let number = shapes.lookup(shape) else { return nil }
        scratch.remember(b, runStart: runStart, runEnd: runEnd, number)  // a known shape keeps its number
        return number
    }

    /// Learns a new shape (at most `maxShapes`; none once that many are known).
    private mutating func learnShape(of b: UnsafeBufferPointer<UInt8>) {
        guard shapes.count < VoucherRegistry.maxShapes, let run = VoucherRegistry.lastDigitRun(b),
              let shape = scratch.shape(of: b, runStart: run.lowerBound, runEnd: run.upperBound) else { return }
        shapes.intern(shape)
    }

    @inline(__always)
    private static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
}

/// Room to spell a voucher's shape: the text before its digit run, a 0xFF byte (never in
/// UTF-8) and the text after it. Kept by the registry so the per-row path neither allocates
/// nor passes the registry into a closure (each such capture copied it: two retains and two
/// releases of each of its tables per row, 12% of `check` in perf).
private final class ShapeScratch: @unchecked Sendable {
    private var bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
    private var capacity = 64
    /// The text around the digits of the last voucher whose shape was known, and that
    /// shape's number: a file's vouchers mostly share one shape, so most are matched to it
    /// by comparing their text in place, without spelling their shape.
    private var last = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
    private var lastCapacity = 64
    private var lastPrefix = 0, lastSuffix = 0
    private var lastNumber = -1

    func lastNumber(of b: UnsafeBufferPointer<UInt8>, runStart: Int, runEnd: Int) -> Int? {
        guard lastNumber >= 0, runStart == lastPrefix, b.count - runEnd == lastSuffix, let base = b.baseAddress else { return nil }
        if lastPrefix > 0 && memcmp(base, last, lastPrefix) != 0 { return nil }
        if lastSuffix > 0 && memcmp(base + runEnd, last + lastPrefix, lastSuffix) != 0 { return nil }
        return lastNumber
    }

    func remember(_ b: UnsafeBufferPointer<UInt8>, runStart: Int, runEnd: Int, _ number: Int) {
        let n = runStart + b.count - runEnd
        if n > lastCapacity {
            last.deallocate()
            lastCapacity = n
            last = .allocate(capacity: n)
        }
        for i in 0..<runStart { last[i] = b[i] }
        for i in runEnd..<b.count { last[runStart + i - runEnd] = b[i] }
        lastPrefix = runStart
        lastSuffix = b.count - runEnd
        lastNumber = number
    }

    deinit {
        bytes.deallocate()
        last.deallocate()
    }

    /// The shape, valid until the next call; nil when the voucher itself holds a 0xFF byte
    /// and the shape would not be one-to-one. Used by the one thread reading the file.
    func shape(of b: UnsafeBufferPointer<UInt8>, runStart: Int, runEnd: Int) -> UnsafeBufferPointer<UInt8>? {
        if b.contains(0xFF) { return nil }
        let n = b.count - (runEnd - runStart) + 1
        if n > capacity {
            bytes.deallocate()
            capacity = n
            bytes = .allocate(capacity: n)
        }
        var k = 0
        for i in 0..<runStart { bytes[k] = b[i]; k += 1 }
        bytes[k] = 0xFF; k += 1
        for i in runEnd..<b.count { bytes[k] = b[i]; k += 1 }
        return UnsafeBufferPointer(start: bytes, count: k)
    }
}
