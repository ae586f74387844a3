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
/// hashing of an `EdgeKey` costs a tenth of reading a transfer row. Each slot holds its key's
/// three numbers beside the place, so a look-up reads one slot and nothing else: with the
/// keys apart (in first-seen order, the slots in hash order) each look-up of a file in date
/// order missed the cache twice.
struct KeyPlaces: Sendable {
    private(set) var keys: [EdgeKey] = []
    private var slots: [Slot] = []
    private var last = (key: EdgeKey(project: -1, from: -1, to: -1), place: -1)

    /// A key's numbers and its place + 1 (0: empty). A key with a number past Int32 (none a
    /// scope can hold) is marked by a negative place and compared in `keys` instead.
    private struct Slot {
        var project: Int32 = 0, from: Int32 = 0, to: Int32 = 0
        var place: Int32 = 0

        init() {}

        init(_ key: EdgeKey, place: Int) {
            (project, from, to) = (Int32(truncatingIfNeeded: key.project), Int32(truncatingIfNeeded: key.from),
                                   Int32(truncatingIfNeeded: key.to))
            self.place = Int32(clamping: place + 1) * (KeyPlaces.fits(key) ? 1 : -1)
        }
    }

    @inline(__always)
    private static func fits(_ key: EdgeKey) -> Bool {
        Int32(exactly: key.project) != nil && Int32(exactly: key.from) != nil && Int32(exactly: key.to) != nil
    }

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

    /// What the slot at `s` says of `key`: its place, nil when the slot is taken by another
    /// key, or -1 when it is empty.
    @inline(__always)
    private func probe(_ s: Int, _ key: EdgeKey, fits: Bool) -> Int? {
        let slot = slots[s]
        if slot.place == 0 { return -1 }
        if slot.place > 0 && fits {
            let same = slot.project == Int32(truncatingIfNeeded: key.project) && slot.from == Int32(truncatingIfNeeded: key.from)
                && slot.to == Int32(truncatingIfNeeded: key.to)
            return same ? Int(slot.place) - 1 : nil
        }
        let p = Int(slot.place.magnitude) - 1
        return keys[p] == key ? p : nil
    }

    /// The key's place, when it has one.
    func place(ofKnown key: EdgeKey) -> Int? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1, fits = KeyPlaces.fits(key)
        var s = KeyPlaces.slot(key, mask)
        while true {
            if let p = probe(s, key, fits: fits) { return p < 0 ? nil : p }
            s = (s + 1) & mask
        }
    }

    /// The key's place, and whether it is new.
    mutating func place(of key: EdgeKey) -> (place: Int, isNew: Bool) {
        // Ledgers list runs of one edge: the row before is the likeliest match.
        if last.key == key { return (last.place, false) }
        if (keys.count + 1) * 4 > slots.count * 3 { grow() }
        let mask = slots.count - 1, fits = KeyPlaces.fits(key)
        var s = KeyPlaces.slot(key, mask)
        while true {
            if let p = probe(s, key, fits: fits) {
                if p < 0 { break }
                last = (key, p)
                return (p, false)
            }
            s = (s + 1) & mask
        }
        let place = keys.count
        keys.append(key)
        slots[s] = Slot(key, place: place)
        last = (key, place)
        return (place, true)
    }

    private mutating func grow() {
        let size = max(64, slots.count * 2)
        slots = [Slot](repeating: Slot(), count: size)
        let mask = size - 1
        for (p, key) in keys.enumerated() {
            var s = KeyPlaces.slot(key, mask)
            while slots[s].place != 0 { s = (s + 1) & mask }
            slots[s] = Slot(key, place: p)
        }
    }
}
