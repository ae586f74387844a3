import CSupport

/// Values by key, iterated in the order the keys were first seen: an array of values and
/// the keys' places, made once when a file has been read.
struct KeyedTable<Value: Sendable>: Sequence, Sendable {
    private var places = KeyPlaces()
    private(set) var values: [Value] = []

    init() {}

    init(_ places: KeyPlaces, values: [Value]) {
        self.places = places
        self.values = values
    }

    var keys: [EdgeKey] { places.keys }
    var count: Int { places.keys.count }

    subscript(key: EdgeKey) -> Value? { places.place(ofKnown: key).map { values[$0] } }

    func makeIterator() -> some IteratorProtocol<(key: EdgeKey, value: Value)> {
        zip(places.keys, values).lazy.map { (key: $0.0, value: $0.1) }.makeIterator()
    }
}

typealias EdgeTable = KeyedTable<EdgeBook>

/// Numbers keys 0, 1, 2, … in the order they are first seen, while a file streams. An open
/// table of places with a cheap mix of the three integers: the standard dictionary's seeded
/// hashing of an `EdgeKey` costs a tenth of reading a transfer row.
struct KeyPlaces: Sendable {
    private(set) var keys: [EdgeKey] = []
    private var slots: [Int32] = []  // place + 1; 0 empty
    private var last = (key: EdgeKey(project: -1, from: -1, to: -1), place: -1)

    @inline(__always)
    private static func slot(_ key: EdgeKey, _ mask: Int) -> Int {
        var h = UInt64(truncatingIfNeeded: key.project) &* 0x9E37_79B9_7F4A_7C15
        h ^= UInt64(truncatingIfNeeded: key.from) &* 0xC2B2_AE3D_27D4_EB4F
        h ^= UInt64(truncatingIfNeeded: key.to) &* 0x1656_67B1_9E37_79F9
        h ^= h >> 29; h = h &* 0xBF58_476D_1CE4_E5B9; h ^= h >> 32
        return Int(truncatingIfNeeded: h) & mask
    }

    /// Starts loading the slot `place(of:)` will look at first for `key`, so that a batch of
    /// look-ups overlaps its cache misses.
    func prefetch(_ key: EdgeKey) {
        guard !slots.isEmpty, last.key != key else { return }
        let s = KeyPlaces.slot(key, slots.count - 1)
        slots.withUnsafeBufferPointer { b in
            if let base = b.baseAddress { fundrecon_prefetch(base + s) }
        }
    }

    /// Once `prefetch(key)` has had time to load the slot: starts loading the key the slot
    /// names, the look-up's second miss (the keys lie in first-seen order, the slots in hash
    /// order). A batch asks this for all its keys before looking any up.
    func prefetchKey(_ key: EdgeKey) {
        guard !slots.isEmpty, last.key != key else { return }
        let p = Int(slots[KeyPlaces.slot(key, slots.count - 1)]) - 1
        guard p >= 0 else { return }
        keys.withUnsafeBufferPointer { b in
            if let base = b.baseAddress, p < b.count { fundrecon_prefetch(base + p) }
        }
    }

    /// The key's place, when it has one.
    func place(ofKnown key: EdgeKey) -> Int? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var s = KeyPlaces.slot(key, mask)
        while true {
            let p = Int(slots[s]) - 1
            if p < 0 { return nil }
            if keys[p] == key { return p }
            s = (s + 1) & mask
        }
    }

    /// The key's place, and whether it is new.
    mutating func place(of key: EdgeKey) -> (place: Int, isNew: Bool) {
        // Ledgers list runs of one edge: the row before is the likeliest match.
        if last.key == key { return (last.place, false) }
        if (keys.count + 1) * 4 > slots.count * 3 { grow() }
        let mask = slots.count - 1
        var s = KeyPlaces.slot(key, mask)
        while true {
            let p = Int(slots[s]) - 1
            if p < 0 { break }
            if keys[p] == key {
                last = (key, p)
                return (p, false)
            }
            s = (s + 1) & mask
        }
        let place = keys.count
        keys.append(key)
        slots[s] = Int32(clamping: place + 1)
        last = (key, place)
        return (place, true)
    }

    private mutating func grow() {
        let size = max(64, slots.count * 2)
        slots = [Int32](repeating: 0, count: size)
        let mask = size - 1
        for (p, key) in keys.enumerated() {
            var s = KeyPlaces.slot(key, mask)
            while slots[s] != 0 { s = (s + 1) & mask }
            slots[s] = Int32(clamping: p + 1)
        }
    }
}
