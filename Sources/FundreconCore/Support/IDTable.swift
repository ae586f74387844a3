/// Item numbers (0, 1, 2, … in the order added) by id, for the ids of units and projects
/// that every row of the big files looks up. An id of up to 8 bytes (G0180860, K021, 440200)
/// is kept in its slot beside its number, so its look-up costs one cache miss where
/// `ByteInterner` costs two (the slot, then the key's bytes in its arena): in a ledger in
/// date order both units of nearly every row miss. Longer ids go to a `ByteInterner`. An item
/// carries a tag of one byte (a unit's level), which its look-up reads from the same slot.
struct IDTable: Sendable {
    /// A key's hash and which table it belongs in, from `prefetch`, for a look-up a little later.
    struct Probe: Sendable {
        fileprivate let hash: UInt64
        fileprivate let short: Bool
    }

    /// An id of up to 8 bytes: its bytes (little-endian, zero beyond its length), and its
    /// length + 1 in the low byte of `meta`, its tag in the next, the item number above them;
    /// `meta` 0 is empty.
    private struct Slot: BitwiseCopyable {
        var key: UInt64
        var meta: UInt64
    }

    static let shortLength = 8

    private var slots: SlotTable<Slot>
    private var mask: Int
    /// Ids held in the slots.
    private(set) var inSlots = 0
    private var long = ByteInterner()
    /// The item number and tag of each of `long`'s keys, by its index there.
    private var longItems: [Int] = []
    private var longTags: [UInt8] = []
    private(set) var count = 0

    init() {
        slots = SlotTable(count: 16)
        mask = 15
    }

    private static func tableSize(for keys: Int) -> Int {
        var size = 16
        while size * 3 < keys * 4 { size <<= 1 }  // a load of at most 3/4
        return size
    }

    mutating func reserve(keys: Int) {
        let size = Self.tableSize(for: keys)
        if size > slots.count { rehash(size) }
    }

    @inline(__always)
    private static func pack(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var key: UInt64 = 0
        for (i, byte) in b.enumerated() { key |= UInt64(byte) << UInt64(8 * i) }
        return key
    }

    @inline(__always)
    private static func hash(key: UInt64, length: Int) -> UInt64 {
        var h = key ^ (UInt64(length) &* 0x9E37_79B9_7F4A_7C15)
        h ^= h >> 30; h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 27; h = h &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 31)
    }

    /// Hashes `b` and starts loading the slot its look-up will read first.
    func prefetch(_ b: UnsafeBufferPointer<UInt8>) -> Probe {
        guard b.count <= Self.shortLength else { return Probe(hash: long.prefetch(b), short: false) }
        let probe = self.probe(b)
        slots.prefetch(Int(truncatingIfNeeded: probe.hash) & mask)
        return probe
    }

    /// `prefetch` without the load: for a look-up or an insertion made at once.
    func probe(_ b: UnsafeBufferPointer<UInt8>) -> Probe {
        b.count <= Self.shortLength ? Probe(hash: Self.hash(key: Self.pack(b), length: b.count), short: true)
            : Probe(hash: ByteInterner.hash(b), short: false)
    }

    /// Once the slot has had time to load: for a long id, starts loading its key's bytes (the
    /// second miss); a short id has nothing more to load.
    func prefetchKey(_ probe: Probe) {
        if !probe.short { long.prefetchKey(hash: probe.hash) }
    }

    /// The slot holding `key` of `length` bytes, or the empty slot where it would go.
    private func find(_ key: UInt64, _ length: Int, _ h: UInt64) -> (slot: Int, item: Int?) {
        let meta = UInt64(length + 1)
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let slot = slots[s]
            if slot.meta == 0 { return (s, nil) }
            if slot.key == key && slot.meta & 0xFF == meta { return (s, Int(slot.meta >> 16)) }
            s = (s + 1) & mask
        }
    }

    func lookup(_ b: UnsafeBufferPointer<UInt8>, probe: Probe? = nil) -> Int? {
        lookupTagged(b, probe: probe)?.item
    }

    /// The item and the tag it was added with.
    func lookupTagged(_ b: UnsafeBufferPointer<UInt8>, probe: Probe? = nil) -> (item: Int, tag: UInt8)? {
        let probe = probe ?? self.probe(b)
        guard probe.short else { return long.lookup(b, hash: probe.hash).map { (longItems[$0], longTags[$0]) } }
        let (s, item) = find(Self.pack(b), b.count, probe.hash)
        guard let item else { return nil }
        return (item, UInt8(truncatingIfNeeded: slots[s].meta >> 8))
    }

    func lookup(_ text: String) -> Int? {
        var copy = text
        return copy.withUTF8 { lookup($0) }
    }

    /// Adds `b` as item number `count`, with `tag`; when it is there already, its item instead.
    mutating func intern(_ b: UnsafeBufferPointer<UInt8>, probe: Probe? = nil, tag: UInt8 = 0) -> (item: Int, inserted: Bool) {
        let probe = probe ?? self.probe(b)
        guard probe.short else {
            let (index, inserted) = long.intern(b, hash: probe.hash)
            guard inserted else { return (longItems[index], false) }
            longItems.append(count)
            longTags.append(tag)
            count += 1
            return (count - 1, true)
        }
        let key = Self.pack(b)
        let (s, existing) = find(key, b.count, probe.hash)
        if let existing { return (existing, false) }
        slots[s] = Slot(key: key, meta: UInt64(b.count + 1) | UInt64(tag) << 8 | UInt64(count) << 16)
        count += 1
        inSlots += 1
        if inSlots * 4 > slots.count * 3 { rehash(slots.count * 2) }
        return (count - 1, true)
    }

    private mutating func rehash(_ size: Int) {
        var moved = SlotTable<Slot>(count: size)
        let newMask = size - 1
        for i in 0..<slots.count where slots[i].meta != 0 {
            let slot = slots[i]
            var s = Int(truncatingIfNeeded: Self.hash(key: slot.key, length: Int(slot.meta & 0xFF) - 1)) & newMask
            while moved[s].meta != 0 { s = (s + 1) & newMask }
            moved[s] = slot
        }
        slots = moved
        mask = newMask
    }
}
