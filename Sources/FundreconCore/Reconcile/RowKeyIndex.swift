/// A row's identity for duplicate and replacement look-ups: two small ids, a third key
/// (a unit, or a payee's hash), the amount and the day. 28 bytes, compared exactly.
struct RowKey: Hashable, Sendable {
    let a: Int32
    let b: Int32
    let c: Int64
    let amount: Fen
    let day: Int32

    /// A transfer: project, from, to.
    init(project: Int, from: Int, to: Int, amount: Fen, day: Day) {
        a = Int32(truncatingIfNeeded: project)
        b = Int32(truncatingIfNeeded: from)
        c = Int64(to)
        self.amount = amount
        self.day = day.daysSinceEpoch
    }

    /// A payment: unit, project, payee (hashed).
    init(entity: Int, project: Int, payee: UInt64, amount: Fen, day: Day) {
        a = Int32(truncatingIfNeeded: entity)
        b = Int32(truncatingIfNeeded: project)
        c = Int64(bitPattern: payee)
        self.amount = amount
        self.day = day.daysSinceEpoch
    }

    func on(_ day: Int32, amount: Fen) -> RowKey { RowKey(a: a, b: b, c: c, amount: amount, day: day) }

    init(a: Int32, b: Int32, c: Int64, amount: Fen, day: Int32) {
        self.a = a
        self.b = b
        self.c = c
        self.amount = amount
        self.day = day
    }
}

/// First line of every row key seen: open addressing over one array of 32-byte slots (a probe
/// is one cache line; line 0 marks an empty slot, CSV data lines start at 2), about 45 bytes a
/// row and no allocation. Finds duplicates (FL007) and later replacements (FL009, BL004).
struct RowKeyIndex: Sendable {
    private struct Slot: Sendable {
        var ids: UInt64 = 0  // a << 32 | b
        var c: Int64 = 0
        var amount: Int64 = 0
        var day: Int32 = 0
        var line: Int32 = 0
    }

    private var slots: SlotTable<Slot>
    private(set) var count = 0
    /// Latest day of any key, bounding the "a later row on any day" searches.
    private(set) var lastDay: Int32 = .min

    init(capacity: Int = 1024) {
        var size = 16
        while size * 3 < capacity * 4 { size <<= 1 }
        slots = SlotTable(count: size)
    }

    @inline(__always)
    private static func ids(_ k: RowKey) -> UInt64 { UInt64(UInt32(bitPattern: k.a)) << 32 | UInt64(UInt32(bitPattern: k.b)) }

    @inline(__always)
    private static func hash(_ k: RowKey) -> Int {
        var h = ids(k) &* 0x9E37_79B9_7F4A_7C15
        h = (h ^ UInt64(bitPattern: k.c)) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ UInt64(bitPattern: k.amount)) &* 0x94D0_49BB_1331_11EB
        h = (h ^ UInt64(UInt32(bitPattern: k.day))) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    /// The slot holding `key`, or the empty slot where it would go.
    private func slot(_ key: RowKey) -> (Int, found: Bool) {
        let mask = slots.count - 1
        let ids = RowKeyIndex.ids(key)
        var s = RowKeyIndex.hash(key) & mask
        return slots.withUnsafeBufferPointer { table in
            while table[s].line != 0 {
                let t = table[s]
                if t.ids == ids && t.c == key.c && t.amount == key.amount && t.day == key.day { return (s, true) }
                s = (s + 1) & mask
            }
            return (s, false)
        }
    }

    /// Records the key; returns the line of an earlier row with the same key, if any.
    mutating func insert(_ key: RowKey, line: Int) -> Int? {
        if (count + 1) * 4 > slots.count * 3 { grow() }
        let (s, found) = slot(key)
        if found { return Int(slots[s].line) }
        slots[s] = Slot(ids: RowKeyIndex.ids(key), c: key.c, amount: key.amount, day: key.day, line: Int32(clamping: max(line, 1)))
        count += 1
        lastDay = max(lastDay, key.day)
        return nil
    }

    func line(of key: RowKey) -> Int? {
        let (s, found) = slot(key)
        return found ? Int(slots[s].line) : nil
    }

    /// The first row with the key's ids and `amount` dated on or after the key's day.
    func firstOnOrAfter(_ key: RowKey, amount: Fen) -> (day: Int32, line: Int)? {
        guard key.day <= lastDay else { return nil }
        for d in key.day...lastDay {
            if let l = line(of: key.on(d, amount: amount)) { return (d, l) }
        }
        return nil
    }

    private mutating func grow() {
        let old = slots
        let lastDay = self.lastDay
        self = RowKeyIndex(capacity: old.count)  // capacity × 4/3 rounds up to twice the slots
        for t in old.elements where t.line != 0 {
            let key = RowKey(a: Int32(truncatingIfNeeded: t.ids >> 32), b: Int32(truncatingIfNeeded: t.ids), c: t.c, amount: t.amount, day: t.day)
            _ = insert(key, line: Int(t.line))
        }
        self.lastDay = lastDay
    }
}
