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

    private init(a: Int32, b: Int32, c: Int64, amount: Fen, day: Int32) {
        self.a = a
        self.b = b
        self.c = c
        self.amount = amount
        self.day = day
    }
}

/// First line of every row key seen: open addressing over flat arrays, so a row costs about
/// 40 bytes and no allocation. Finds duplicates (FL007) and later replacements (FL009, BL004).
struct RowKeyIndex: Sendable {
    private var keys: [RowKey?]
    private var lines: [Int32]
    private(set) var count = 0
    /// Latest day of any key, bounding the "a later row on any day" searches.
    private(set) var lastDay: Int32 = .min

    init(capacity: Int = 1024) {
        var size = 16
        while size * 3 < capacity * 4 { size <<= 1 }
        keys = Array(repeating: nil, count: size)
        lines = Array(repeating: 0, count: size)
    }

    /// Records the key; returns the line of an earlier row with the same key, if any.
    mutating func insert(_ key: RowKey, line: Int) -> Int? {
        if (count + 1) * 4 > keys.count * 3 { grow() }
        let mask = keys.count - 1
        var s = key.hashValue & mask
        while let existing = keys[s] {
            if existing == key { return Int(lines[s]) }
            s = (s + 1) & mask
        }
        keys[s] = key
        lines[s] = Int32(clamping: line)
        count += 1
        lastDay = max(lastDay, key.day)
        return nil
    }

    func line(of key: RowKey) -> Int? {
        let mask = keys.count - 1
        var s = key.hashValue & mask
        while let existing = keys[s] {
            if existing == key { return Int(lines[s]) }
            s = (s + 1) & mask
        }
        return nil
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
        let old = zip(keys, lines)
        let size = keys.count * 2
        keys = Array(repeating: nil, count: size)
        lines = Array(repeating: 0, count: size)
        count = 0
        let lastDay = self.lastDay
        for case let (key?, line) in old { _ = insert(key, line: Int(line)) }
        self.lastDay = lastDay
    }
}
