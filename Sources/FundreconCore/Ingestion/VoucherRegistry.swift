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

/// Packed vouchers and their first lines. Ledgers number their vouchers in sequence, so
/// most packed keys land in a window of consecutive numbers opened at the first key: a
/// line per number, found by subtraction and filled in order (no cache miss, 4 bytes a
/// voucher). Any other key goes to a hash table. A key's place depends on the key alone
/// (the window never moves), so a voucher is always looked for where it was put.
struct PackedKeys: Sendable {
    private var window: NumberWindow?
    private var hashed: HashedKeys
    /// Rows expected (from `reserve`): sizes the window, and the hash table once it is needed.
    private var expected: Int
    private var inserted = 0
    private var hashedReserved = false
    /// Keys seen before the window must prove itself: by then half of them must be in it,
    /// or its keys move to the hash table and it closes.
    static let trial = 1024

    init(capacity: Int) {
        expected = capacity
        hashed = HashedKeys(capacity: 64)
    }

    /// Sized for an eighth more than asked: the count is an estimate.
    mutating func reserve(_ keys: Int) {
        expected = max(expected, keys + keys / 8)
    }

    @inline(__always)
    private func windowSlot(_ key: UInt64) -> Int? {
        guard let window else { return nil }
        return window.slot(of: key)
    }

    /// Only a hashed key's slot is worth loading early: the window is written in order.
    func prefetch(_ key: UInt64) {
        if windowSlot(key) == nil { hashed.prefetch(key) }
    }

    /// The key's line, when it is here.
    func line(of key: UInt64) -> UInt32? {
        if let slot = windowSlot(key), let window {
            let line = window.lines[slot]
            return line == 0 ? nil : line
        }
        return hashed.line(of: key)
    }

    func forEach(_ body: (UInt64, UInt32) -> Void) {
        window?.forEach(body)
        hashed.forEach(body)
    }

    /// Adds the key with its line (a line is never 0); when it was there already, returns
    /// the first line instead.
    mutating func insert(_ key: UInt64, line: UInt32) -> UInt32? {
        inserted += 1
        if inserted == 1 { window = NumberWindow(opening: key, size: max(2 * expected, 1 << 12)) }
        if inserted == PackedKeys.trial, let window, window.count * 2 < inserted {
            // Not numbered in sequence: the window would only scatter its pages.
            hashedReserved = true
            hashed.reserve(expected)
            window.forEach { _ = hashed.insert($0, line: $1) }
            self.window = nil
        }
        if let slot = windowSlot(key) {
            let first = window?.lines[slot] ?? 0
            if first != 0 { return first }
            window?.set(slot, line)
            return nil
        }
        // Out-of-sequence vouchers are few in a numbered ledger: the hash table grows as
        // they come. Once they are an eighth of the keys, it is sized for the whole file.
        if !hashedReserved && inserted >= PackedKeys.trial && (hashed.count + 1) * 8 > inserted {
            hashedReserved = true
            hashed.reserve(expected)
        }
        return hashed.insert(key, line: line)
    }
}

/// Lines of consecutive voucher numbers of one shape and digit count, from `base` on. Its
/// pages are mapped as they are first written (`SlotTable`), so an unused stretch costs
/// nothing.
private struct NumberWindow: Sendable {
    /// The key's shape and digit count (its bits above the number).
    let group: UInt64
    let base: UInt64
    var lines: SlotTable<UInt32>
    /// Slots written so far lie within [low, high].
    private var low = Int.max, high = -1
    private(set) var count = 0

    static let numberMask: UInt64 = 1 << 50 - 1

    /// Opens the window around `key`'s number, a little below it for vouchers out of order.
    init(opening key: UInt64, size: Int) {
        group = key >> 50
        let number = key & NumberWindow.numberMask
        base = number - min(number, UInt64(size / 8))
        lines = SlotTable(count: size)
    }

    @inline(__always)
    func slot(of key: UInt64) -> Int? {
        guard key >> 50 == group else { return nil }
        let offset = (key & NumberWindow.numberMask) &- base
        return offset < UInt64(lines.count) ? Int(offset) : nil
    }

    mutating func set(_ slot: Int, _ line: UInt32) {
        lines[slot] = line
        count += 1
        low = min(low, slot)
        high = max(high, slot)
    }

    func forEach(_ body: (UInt64, UInt32) -> Void) {
        guard low <= high else { return }
        for slot in low...high where lines[slot] != 0 { body(group << 50 | (base + UInt64(slot)), lines[slot]) }
    }
}

/// Packed keys and their first lines by open addressing over two zero-filled tables. The
/// table is sized to the expected count, not to a power of two (a slot is picked by
/// multiplying the hash into the range), so 10^7 vouchers take 160 MB, not 200.
private struct HashedKeys: Sendable {
    private var keys: SlotTable<UInt64>  // 0 = empty
    private var lines: SlotTable<UInt32>
    private(set) var count = 0

    init(capacity: Int) {
        let size = HashedKeys.size(for: capacity)
        keys = SlotTable(count: size)
        lines = SlotTable(count: size)
    }

    /// Load at most 3/4.
    private static func size(for keys: Int) -> Int { max(16, keys / 3 * 4 + 4) }

    /// Room for `keys` keys without growing.
    mutating func reserve(_ keys: Int) {
        let size = HashedKeys.size(for: keys)
        if size > self.keys.count { rehash(size) }
    }

    @inline(__always)
    private static func slot(_ key: UInt64, _ size: Int) -> Int {
        var h = key
        h ^= h >> 31; h = h &* 0x7fb5_d329_728e_a185; h ^= h >> 27; h = h &* 0x81da_def4_bc2d_d44d; h ^= h >> 33
        return Int(truncatingIfNeeded: h.multipliedFullWidth(by: UInt64(size)).high)
    }

    /// Both tables: a new key writes its line too, and a write that misses holds up the
    /// writes behind it (perf put the stall on the reader's next stores).
    func prefetch(_ key: UInt64) {
        let s = HashedKeys.slot(key, keys.count)
        keys.prefetch(s)
        lines.prefetch(s)
    }

    /// The key's line, when it is here.
    func line(of key: UInt64) -> UInt32? {
        let size = keys.count
        var s = HashedKeys.slot(key, size)
        while true {
            let k = keys[s]
            if k == key { return lines[s] }
            if k == 0 { return nil }
            s = s + 1 == size ? 0 : s + 1
        }
    }

    func forEach(_ body: (UInt64, UInt32) -> Void) {
        for i in 0..<keys.count where keys[i] != 0 { body(keys[i], lines[i]) }
    }

    /// Adds the key with its line; when it was there already, returns the first line instead.
    mutating func insert(_ key: UInt64, line: UInt32) -> UInt32? {
        let size = keys.count
        var s = HashedKeys.slot(key, size)
        while true {
            let k = keys[s]
            if k == key { return lines[s] }
            if k == 0 { break }
            s = s + 1 == size ? 0 : s + 1
        }
        keys[s] = key
        lines[s] = line
        count += 1
        if count * 4 > size * 3 { rehash(size * 2) }
        return nil
    }

    private mutating func rehash(_ size: Int) {
        var newKeys = SlotTable<UInt64>(count: size), newLines = SlotTable<UInt32>(count: size)
        for i in 0..<keys.count where keys[i] != 0 {
            var s = HashedKeys.slot(keys[i], size)
            while newKeys[s] != 0 { s = s + 1 == size ? 0 : s + 1 }
            newKeys[s] = keys[i]
            newLines[s] = lines[i]
        }
        keys = newKeys
        lines = newLines
    }
}
