import CSupport

/// Maps byte strings to dense small integers (0, 1, 2, …) without making a String per
/// look-up. Used for unit and project references on the per-row path and for voucher keys,
/// where a Set<String> would cost an allocation and ~50 bytes of overhead per row.
///
/// Layout: keys live back to back in one arena as [length varint][bytes][index, 4 bytes];
/// each table slot packs a 24-bit hash tag with the key's 40-bit arena offset. About
/// key length + 16 bytes per key, exact (keys are compared byte for byte, never by hash alone).
public struct ByteInterner: Sendable {
    private var arena: [UInt8] = []
    private var slots: SlotTable<UInt64>  // 0 = empty, else (tag << 40) | (offset + 1)
    private var mask: Int
    public private(set) var count = 0

    private static let offsetBits: UInt64 = 40
    private static let offsetMask: UInt64 = (1 << 40) - 1

    public init(capacity: Int = 64) {
        slots = SlotTable(count: ByteInterner.tableSize(for: capacity))
        mask = slots.count - 1
    }

    private static func tableSize(for keys: Int) -> Int {
        var size = 16
        while size * 3 < keys * 4 { size <<= 1 }  // keep the load at or below 3/4
        return size
    }

    /// Sizes the table for about `keys` keys up front, so a large file does not pay for
    /// repeated rehashing (and the transient double table it needs).
    public mutating func reserve(keys: Int, bytesPerKey: Int = 16) {
        let size = ByteInterner.tableSize(for: keys)
        if size > slots.count { rehash(size) }
        arena.reserveCapacity(keys * (bytesPerKey + 5))
    }

    @inline(__always)
    static func hash(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a, then a final mix for the low bits
        for c in b { h = (h ^ UInt64(c)) &* 0x0000_0100_0000_01B3 }
        h ^= h >> 29; h = h &* 0xbf58_476d_1ce4_e5b9; h ^= h >> 32
        return h
    }

    @inline(__always)
    private static func tag(_ h: UInt64) -> UInt64 { h >> 40 }

    /// Reads the record at `offset`: (key start, key length).
    @inline(__always)
    private func record(at offset: Int, _ a: UnsafeBufferPointer<UInt8>) -> (start: Int, length: Int) {
        var o = offset
        var length = 0, shift = 0
        while true {
            let byte = a[o]; o += 1
            length |= Int(byte & 0x7F) << shift
            if byte < 0x80 { break }
            shift += 7
        }
        return (o, length)
    }

    /// Slot position holding `b`, or the empty slot where it would go.
    private func find(_ b: UnsafeBufferPointer<UInt8>, _ h: UInt64) -> (slot: Int, index: Int?) {
        let tag = ByteInterner.tag(h)
        var s = Int(truncatingIfNeeded: h) & mask
        return arena.withUnsafeBufferPointer { a in
            while true {
                let slot = slots[s]
                if slot == 0 { return (s, nil) }
                if slot >> ByteInterner.offsetBits == tag {
                    let offset = Int(slot & ByteInterner.offsetMask) - 1
                    let (start, length) = record(at: offset, a)
                    if length == b.count && ByteInterner.equal(a, at: start, b) {
                        return (s, indexAt(start + length, a))
                    }
                }
                s = (s + 1) & mask
            }
        }
    }

    @inline(__always)
    private static func equal(_ a: UnsafeBufferPointer<UInt8>, at start: Int, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        for i in 0..<b.count where a[start + i] != b[i] { return false }
        return true
    }

    @inline(__always)
    private func indexAt(_ o: Int, _ a: UnsafeBufferPointer<UInt8>) -> Int {
        Int(a[o]) | Int(a[o + 1]) << 8 | Int(a[o + 2]) << 16 | Int(a[o + 3]) << 24
    }

    public func lookup(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        find(b, ByteInterner.hash(b)).index
    }

    /// `lookup` with the key's hash from `prefetch`.
    public func lookup(_ b: UnsafeBufferPointer<UInt8>, hash h: UInt64) -> Int? {
        find(b, h).index
    }

    /// Once `prefetch` has had time to load the slot: starts loading the key record the slot
    /// points at, the look-up's second miss (records lie in the order keys were added, slots
    /// in hash order). Reads only the first slot; a key further along is loaded when looked up.
    public func prefetchKey(hash h: UInt64) {
        let slot = slots[Int(truncatingIfNeeded: h) & mask]
        guard slot != 0, slot >> ByteInterner.offsetBits == ByteInterner.tag(h) else { return }
        let offset = Int(slot & ByteInterner.offsetMask) - 1
        arena.withUnsafeBufferPointer { a in
            guard let base = a.baseAddress, offset >= 0, offset < a.count else { return }
            fundrecon_prefetch(base + offset)
            // A record is its length, key and index, under 64 bytes for an id: at most two lines.
            fundrecon_prefetch(base + min(offset + 24, a.count - 1))
        }
    }

    public func lookup(_ text: String) -> Int? {
        var copy = text
        return copy.withUTF8 { lookup($0) }
    }

    /// Hashes a key and starts loading its slot, for an `intern(_:hash:)` a little later:
    /// the cache miss of a big table then overlaps other work.
    public func prefetch(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let h = ByteInterner.hash(b)
        slots.prefetch(Int(truncatingIfNeeded: h) & mask)
        return h
    }

    /// Returns the key's index and whether it was new.
    @discardableResult
    public mutating func intern(_ b: UnsafeBufferPointer<UInt8>) -> (index: Int, inserted: Bool) {
        intern(b, hash: ByteInterner.hash(b))
    }

    /// `intern` with the key's hash from `prefetch`.
    @discardableResult
    public mutating func intern(_ b: UnsafeBufferPointer<UInt8>, hash h: UInt64) -> (index: Int, inserted: Bool) {
        let (s, existing) = find(b, h)
        if let existing { return (existing, false) }
        let index = count
        let offset = arena.count
        var length = b.count
        repeat {
            arena.append(UInt8(length & 0x7F) | (length >= 0x80 ? 0x80 : 0))
            length >>= 7
        } while length > 0
        arena.append(contentsOf: b)
        arena.append(UInt8(truncatingIfNeeded: index))
        arena.append(UInt8(truncatingIfNeeded: index >> 8))
        arena.append(UInt8(truncatingIfNeeded: index >> 16))
        arena.append(UInt8(truncatingIfNeeded: index >> 24))
        slots[s] = (ByteInterner.tag(h) << ByteInterner.offsetBits) | UInt64(offset + 1)
        count += 1
        if count * 4 > slots.count * 3 { rehash(slots.count * 2) }
        return (index, true)
    }

    @discardableResult
    public mutating func intern(_ text: String) -> (index: Int, inserted: Bool) {
        var copy = text
        return copy.withUTF8 { intern($0) }
    }

    /// Every key with its index, in the order they were added.
    public func forEachKey(_ body: (Int, UnsafeBufferPointer<UInt8>) -> Void) {
        arena.withUnsafeBufferPointer { a in
            var o = 0
            while o < a.count {
                let (start, length) = record(at: o, a)
                body(indexAt(start + length, a), UnsafeBufferPointer(rebasing: a[start..<(start + length)]))
                o = start + length + 4
            }
        }
    }

    /// The keys in index order.
    public func keys() -> [[UInt8]] {
        var out: [[UInt8]] = []
        out.reserveCapacity(count)
        forEachKey { _, b in out.append(Array(b)) }
        return out
    }

    private mutating func rehash(_ size: Int) {
        var newSlots = SlotTable<UInt64>(count: size)
        let newMask = size - 1
        arena.withUnsafeBufferPointer { a in
            var o = 0
            while o < a.count {
                let (start, length) = record(at: o, a)
                let h = ByteInterner.hash(UnsafeBufferPointer(rebasing: a[start..<(start + length)]))
                var s = Int(truncatingIfNeeded: h) & newMask
                while newSlots[s] != 0 { s = (s + 1) & newMask }
                newSlots[s] = (ByteInterner.tag(h) << ByteInterner.offsetBits) | UInt64(o + 1)
                o = start + length + 4
            }
        }
        slots = newSlots
        mask = newMask
    }
}

