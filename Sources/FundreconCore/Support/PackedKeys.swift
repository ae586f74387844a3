#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Packed vouchers and their first lines. Ledgers number their vouchers in sequence, one
/// sequence per sender, so most packed keys land in a window of consecutive numbers opened
/// at their sequence's first key (`NumberWindows`): a line per number, found by subtraction
/// and filled in order (no cache miss, 4 bytes a voucher). Any other key goes to a hash
/// table. A key's place never changes once it is put (a window never moves; closed, the
/// windows hand every key to the table), so a voucher is always looked for where it was put.
struct PackedKeys: Sendable {
    /// nil once closed: the keys did not come numbered in sequence.
    private var windows: NumberWindows?
    private var hashed: HashedKeys
    /// After `settle()`, the hashed keys by line, when that is smaller than their table.
    private var hashedByLine: KeysByLine?
    private var settled = false
    /// Whether `settle()` moved the hashed keys to a column by line.
    var holdsHashedKeysByLine: Bool { hashedByLine != nil }
    /// Rows expected (from `reserve`): sizes the window, and the hash table once it is needed.
    private var expected: Int
    private var inserted = 0
    private var hashedReserved = false
    /// Keys seen before the windows must prove themselves: by then half of them must be in
    /// one, or their keys move to the hash table and they close.
    static let trial = 1024

    init(capacity: Int) {
        expected = capacity
        hashed = HashedKeys(capacity: 64)
    }

    /// Sized for an eighth more than asked: the count is an estimate.
    mutating func reserve(_ keys: Int) {
        expected = max(expected, keys + keys / 8)
    }

    /// No more look-ups or inserts, only `forEach`: the hashed keys move to a column by line
    /// (8 bytes a line) when it is smaller than their table (16 bytes a key at 3/4 load), as
    /// for a file whose vouchers are scattered, which are all hashed: 10^7 of them take 80 MB
    /// instead of 186 while the matching runs. The table goes as the column is made when this
    /// value holds it alone.
    mutating func settle() {
        settled = true
        guard hashed.count > 0 else { return }
        var low = UInt32.max, high: UInt32 = 0
        hashed.forEach { _, line in
            low = min(low, line)
            high = max(high, line)
        }
        let span = Int(high - low) + 1
        guard span < 2 * hashed.count else { return }
        var keys = [UInt64](repeating: 0, count: span)
        hashed.forEach { key, line in keys[Int(line - low)] = key }  // a line holds one voucher
        hashed = HashedKeys(capacity: 16)
        hashedByLine = KeysByLine(first: low, keys: keys)
    }

    /// For an insert: only a hashed key's slot is worth loading early, as the windows are
    /// written in order.
    func prefetch(_ key: UInt64) {
        if windows?.place(of: key) == nil { hashed.prefetch(key) }
    }

    /// For a look-up: the key's slot, wherever it is.
    func prefetchLookUp(_ key: UInt64) {
        // Through `windows?`, not a bound copy: a copy would retain and release its arrays.
        if windows?.prefetch(key) != true { hashed.prefetch(key) }
    }

    /// The key's line, when it is here.
    func line(of key: UInt64) -> UInt32? {
        precondition(!settled, "a look-up in settled keys")
        if let line = windows?.line(of: key) { return line == 0 ? nil : line }
        return hashed.line(of: key)
    }

    /// Keys held in the windows of numbers rather than the hash table.
    var keysInWindows: Int { windows?.count ?? 0 }

    func forEach(_ body: (UInt64, UInt32) -> Void) {
        windows?.forEach(body)
        hashed.forEach(body)
        hashedByLine?.forEach(body)
    }

    /// Adds the key with its line (a line is never 0); when it was there already, returns
    /// the first line instead.
    mutating func insert(_ key: UInt64, line: UInt32) -> UInt32? {
        precondition(!settled, "an insert into settled keys")
        inserted += 1
        if inserted == 1 { windows = NumberWindows(size: max(2 * expected, 1 << 12)) }
        // Not numbered in sequence: the windows would only scatter their pages.
        if inserted == PackedKeys.trial, let held = windows?.count, held * 2 < inserted { closeWindows() }
        if let place = windows?.placeOpening(key) {
            let first = windows?.line(at: place) ?? 0
            if first != 0 { return first }
            windows?.set(place, line)
            if windows?.isSparse == true { closeWindows() }
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

    /// Moves the windows' keys to the hash table, sized for the whole file, which takes
    /// every key from here on.
    private mutating func closeWindows() {
        hashedReserved = true
        hashed.reserve(expected)
        windows?.forEach { _ = hashed.insert($0, line: $1) }
        windows = nil
    }
}

/// Keys by line, from line `first` on; 0 where a line has none.
private struct KeysByLine: Sendable {
    let first: UInt32
    let keys: [UInt64]

    func forEach(_ body: (UInt64, UInt32) -> Void) {
        for (i, key) in keys.enumerated() where key != 0 { body(key, first + UInt32(i)) }
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
