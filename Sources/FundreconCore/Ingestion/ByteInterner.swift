/// Maps byte strings to dense small integers (0, 1, 2, …) without making a String per
/// look-up: keys live back to back in one arena, the table holds (hash, index) pairs.
/// Used for unit and project references on the per-row path and for voucher keys, where a
/// Set<String> would cost an allocation and ~50 bytes of overhead per row.
public struct ByteInterner: Sendable {
    private var arena: [UInt8] = []
    private var ends: [Int] = []          // key i is arena[ends[i-1] ..< ends[i]]
    private var slots: [UInt64]           // 0 = empty, else (hash32 << 32) | (index + 1)
    private var mask: Int

    public init(capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    public var count: Int { ends.count }

    @inline(__always)
    static func hash(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a, then a final mix for the low bits
        for c in b { h = (h ^ UInt64(c)) &* 0x0000_0100_0000_01B3 }
        h ^= h >> 29; h = h &* 0xbf58_476d_1ce4_e5b9; h ^= h >> 32
        return h
    }

    private func keyEquals(_ index: Int, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = index == 0 ? 0 : ends[index - 1]
        let end = ends[index]
        guard end - start == b.count else { return false }
        return arena.withUnsafeBufferPointer { a in
            for k in 0..<b.count where a[start + k] != b[k] { return false }
            return true
        }
    }

    public func lookup(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        let h = ByteInterner.hash(b)
        let tag = h >> 32
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let slot = slots[s]
            if slot == 0 { return nil }
            if slot >> 32 == tag {
                let index = Int(slot & 0xFFFF_FFFF) - 1
                if keyEquals(index, b) { return index }
            }
            s = (s + 1) & mask
        }
    }

    public func lookup(_ text: String) -> Int? {
        var copy = text
        return copy.withUTF8 { lookup($0) }
    }

    /// Returns the key's index and whether it was new.
    @discardableResult
    public mutating func intern(_ b: UnsafeBufferPointer<UInt8>) -> (index: Int, inserted: Bool) {
        let h = ByteInterner.hash(b)
        let tag = h >> 32
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let slot = slots[s]
            if slot == 0 { break }
            if slot >> 32 == tag {
                let index = Int(slot & 0xFFFF_FFFF) - 1
                if keyEquals(index, b) { return (index, false) }
            }
            s = (s + 1) & mask
        }
        let index = ends.count
        arena.append(contentsOf: b)
        ends.append(arena.count)
        slots[s] = (tag << 32) | UInt64(index + 1)
        if ends.count * 2 > slots.count { grow() }
        return (index, true)
    }

    @discardableResult
    public mutating func intern(_ text: String) -> (index: Int, inserted: Bool) {
        var copy = text
        return copy.withUTF8 { intern($0) }
    }

    public func key(_ index: Int) -> String {
        let start = index == 0 ? 0 : ends[index - 1]
        return arena.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<ends[index]]), as: UTF8.self) }
    }

    private mutating func grow() {
        let size = slots.count * 2
        var newSlots = [UInt64](repeating: 0, count: size)
        let newMask = size - 1
        arena.withUnsafeBufferPointer { a in
            for index in 0..<ends.count {
                let start = index == 0 ? 0 : ends[index - 1]
                let h = ByteInterner.hash(UnsafeBufferPointer(rebasing: a[start..<ends[index]]))
                var s = Int(truncatingIfNeeded: h) & newMask
                while newSlots[s] != 0 { s = (s + 1) & newMask }
                newSlots[s] = ((h >> 32) << 32) | UInt64(index + 1)
            }
        }
        slots = newSlots
        mask = newMask
    }
}
