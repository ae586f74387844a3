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
    private var scratch = ShapeScratch()

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
    mutating func probe(_ b: UnsafeBufferPointer<UInt8>) -> Probe {
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
        var reading = self  // packing a voucher uses the scratch; the tables are only read
        return reading.lookUp(b)
    }

    /// `firstLine(of:)` for many look-ups on one thread: packs in this registry's own scratch
    /// instead of copying the registry for each.
    mutating func lookUp(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
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

    /// The vouchers first seen on `lines`, by line, spelt as written.
    func vouchers(onLines lines: LineSet) -> [Int32: String] {
        var found: [Int32: String] = [:]
        guard !lines.isEmpty else { return found }
        let shapeTexts = shapes.keys()
        packed.forEach { key, line in
            let shape = Int(key >> 54) - 1
            guard lines.contains(Int(line)), shapeTexts.indices.contains(shape) else { return }
            found[Int32(clamping: line)] = String(decoding: VoucherRegistry.spell(key, shape: shapeTexts[shape]), as: UTF8.self)
        }
        others.forEachKey { index, text in
            guard otherLines.indices.contains(index), lines.contains(Int(otherLines[index])) else { return }
            found[otherLines[index]] = String(decoding: text, as: UTF8.self)
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
    private mutating func packedKey(_ b: UnsafeBufferPointer<UInt8>) -> UInt64? {
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
    private mutating func shapeNumber(_ b: UnsafeBufferPointer<UInt8>, runStart: Int, runEnd: Int) -> Int? {
        if let known = scratch.lastNumber(of: b, runStart: runStart, runEnd: runEnd) { return known }
        let shapes = self.shapes
        guard let found = scratch.withShape(of: b, runStart: runStart, runEnd: runEnd, { shapes.lookup($0) }),
              let number = found else { return nil }
        scratch.remember(b, runStart: runStart, runEnd: runEnd, number)  // a known shape keeps its number
        return number
    }

    /// Learns a new shape (at most `maxShapes`; none once that many are known).
    private mutating func learnShape(of b: UnsafeBufferPointer<UInt8>) {
        guard shapes.count < VoucherRegistry.maxShapes, let run = VoucherRegistry.lastDigitRun(b),
              let shape = scratch.withShape(of: b, runStart: run.lowerBound, runEnd: run.upperBound, { Array($0) }) else { return }
        shape.withUnsafeBufferPointer { _ = shapes.intern($0) }
    }

    @inline(__always)
    private static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
}

/// Room to spell a voucher's shape: the text before its digit run, a 0xFF byte (never in
/// UTF-8) and the text after it; and the last shape matched. Part of the registry's value
/// (a copy of the registry has its own), reused from row to row so that the per-row path
/// does not allocate.
private struct ShapeScratch: Sendable {
    private var bytes: [UInt8] = []
    /// The text around the digits of the last voucher whose shape was known, and that
    /// shape's number: a file's vouchers mostly share one shape, so most are matched to it
    /// by comparing their text in place, without spelling their shape.
    private var last: [UInt8] = []
    private var lastPrefix = 0, lastSuffix = 0
    private var lastNumber = -1

    func lastNumber(of b: UnsafeBufferPointer<UInt8>, runStart: Int, runEnd: Int) -> Int? {
        guard lastNumber >= 0, runStart == lastPrefix, b.count - runEnd == lastSuffix, let base = b.baseAddress else { return nil }
        let (prefix, suffix) = (lastPrefix, lastSuffix)
        let same = last.withUnsafeBufferPointer { l -> Bool in
            guard let text = l.baseAddress else { return prefix == 0 && suffix == 0 }
            if prefix > 0 && memcmp(base, text, prefix) != 0 { return false }
            if suffix > 0 && memcmp(base + runEnd, text + prefix, suffix) != 0 { return false }
            return true
        }
        return same ? lastNumber : nil
    }

    mutating func remember(_ b: UnsafeBufferPointer<UInt8>, runStart: Int, runEnd: Int, _ number: Int) {
        last.removeAll(keepingCapacity: true)
        last.append(contentsOf: b[0..<runStart])
        last.append(contentsOf: b[runEnd..<b.count])
        lastPrefix = runStart
        lastSuffix = b.count - runEnd
        lastNumber = number
    }

    /// Hands `body` the voucher's shape; nil when the voucher itself holds a 0xFF byte and
    /// the shape would not be one-to-one.
    mutating func withShape<R>(of b: UnsafeBufferPointer<UInt8>, runStart: Int, runEnd: Int,
                               _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R? {
        if b.contains(0xFF) { return nil }
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: b[0..<runStart])
        bytes.append(0xFF)
        bytes.append(contentsOf: b[runEnd..<b.count])
        return bytes.withUnsafeBufferPointer(body)
    }
}

/// The voucher tables of a file read in one or two parts: which line a voucher was first
/// written on, and how the voucher of a line reads.
public struct VoucherTables: Sendable {
    var transfers: [VoucherRegistry] = []
    var receipts: [VoucherRegistry] = []

    public init() {}

    /// The line of transfers.csv whose voucher is `text`; the first part's first. Mutating
    /// only in the tables' scratch: a thread that looks up many holds a copy of its own.
    mutating func transferLine(of text: ArraySlice<UInt8>) -> Int? {
        text.withUnsafeBufferPointer { b in
            for i in transfers.indices { if let line = transfers[i].lookUp(b) { return line } }
            return nil
        }
    }

    static func spelled(_ tables: [VoucherRegistry], lines: LineSet) -> [Int32: String] {
        tables.reduce(into: [:]) { found, table in
            found.merge(table.vouchers(onLines: lines)) { first, _ in first }
        }
    }
}
