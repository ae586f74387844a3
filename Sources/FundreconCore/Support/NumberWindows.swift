/// Lines of vouchers numbered in sequence, a window of consecutive numbers for each group of
/// keys (a shape and digit count, `key >> 50`): a ledger numbers its vouchers in one
/// sequence ("T0000000001", …), a province's file in one sequence per sender ("C04-2021-…",
/// "K033-2021-…", a couple of hundred of them). A window is opened at its group's first key,
/// a little below it for vouchers out of order, and never moves, so a key's place depends on
/// the key and the windows opened before it: a key outside its group's window, or of a group
/// that found no room, is for the caller's hash table, then and on every later look-up.
///
/// A window holds a line per number, 4 bytes, written in order: no cache miss and no table
/// of 16 bytes a key. Its pages are mapped as they are first written (`SlotTable`): the first
/// window asks for 2 MiB pages (a ledger's one sequence is looked up at random by receipts),
/// the others for small ones, as most hold a small share of the file.
struct NumberWindows: Sendable {
    private var windows: [NumberWindow] = []
    /// Each group's window number + 1, 0 for none; empty until the first window opens.
    private var byGroup: [UInt16] = []
    /// Lines each window can hold.
    let size: Int
    /// Keys held.
    private(set) var count = 0
    /// Lines between each window's lowest and highest written slot, added up: the most the
    /// windows' written pages can hold.
    private(set) var span = 0

    static let maxWindows = 1024
    static let groups = 1 << 14

    init(size: Int) { self.size = size }

    /// A key's window and slot there.
    struct Place {
        let window: Int
        let slot: Int
    }

    /// The key's place in its group's window; nil when it has none or the key lies outside.
    @inline(__always)
    func place(of key: UInt64) -> Place? {
        let group = Int(truncatingIfNeeded: key >> 50)
        guard group < byGroup.count else { return nil }
        let w = Int(byGroup[group]) - 1
        guard w >= 0, let slot = windows[w].slot(of: key) else { return nil }
        return Place(window: w, slot: slot)
    }

    /// `place(of:)`, opening the group's window at `key` when it has none and there is room.
    mutating func placeOpening(_ key: UInt64) -> Place? {
        let group = Int(truncatingIfNeeded: key >> 50)
        guard group >= 0 && group < Self.groups else { return nil }
        if byGroup.isEmpty { byGroup = [UInt16](repeating: 0, count: Self.groups) }
        if byGroup[group] == 0 {
            guard windows.count < Self.maxWindows else { return nil }
            windows.append(NumberWindow(opening: key, size: size, pages: windows.isEmpty ? .huge : .small))
            byGroup[group] = UInt16(windows.count)
        }
        return place(of: key)
    }

    func line(at p: Place) -> UInt32 { windows[p.window].lines[p.slot] }

    /// The line at the key's place (0: none yet); nil when the key has no place here.
    @inline(__always)
    func line(of key: UInt64) -> UInt32? { place(of: key).map(line(at:)) }

    mutating func set(_ p: Place, _ line: UInt32) {
        let before = windows[p.window].span
        windows[p.window].set(p.slot, line)
        span += windows[p.window].span - before
        count += 1
    }

    /// Whether the windows' written pages may come to hold more than a hash table of the file's
    /// keys would (about 21 bytes a key against 4 a line): the lines they span pass the keys
    /// expected (half a window) and `spanPerKey` times the keys they hold or are expected. So
    /// it goes when each sender's transfers are every tenth voucher of its books; a ledger
    /// numbered in one sequence but listed in another order spans its keys once and stays.
    var isSparse: Bool {
        let expected = size / 2
        return span > expected && span > Self.spanPerKey * min(expected, count)
    }

    static let spanPerKey = 5

    /// Starts loading a key's slot, for a look-up soon after (not for writing in order);
    /// false when the key has no place here.
    func prefetch(_ key: UInt64) -> Bool {
        guard let p = place(of: key) else { return false }
        windows[p.window].lines.prefetch(p.slot)
        return true
    }

    func forEach(_ body: (UInt64, UInt32) -> Void) {
        for w in windows { w.forEach(body) }
    }
}

/// Lines of consecutive voucher numbers of one group, from `base` on.
private struct NumberWindow: Sendable {
    /// The key's shape and digit count (its bits above the number).
    let group: UInt64
    let base: UInt64
    var lines: SlotTable<UInt32>
    /// Slots written so far lie within [low, high].
    private var low = Int.max, high = -1

    static let numberMask: UInt64 = 1 << 50 - 1

    /// Opens the window around `key`'s number, a little below it for vouchers out of order.
    init(opening key: UInt64, size: Int, pages: SlotTable<UInt32>.Pages) {
        group = key >> 50
        let number = key & NumberWindow.numberMask
        base = number - min(number, UInt64(size / 8))
        lines = SlotTable(count: size, pages: pages)
    }

    var span: Int { high >= low ? high - low + 1 : 0 }

    @inline(__always)
    func slot(of key: UInt64) -> Int? {
        guard key >> 50 == group else { return nil }
        let offset = (key & NumberWindow.numberMask) &- base
        return offset < UInt64(lines.count) ? Int(offset) : nil
    }

    mutating func set(_ slot: Int, _ line: UInt32) {
        lines[slot] = line
        low = min(low, slot)
        high = max(high, slot)
    }

    func forEach(_ body: (UInt64, UInt32) -> Void) {
        guard low <= high else { return }
        for slot in low...high where lines[slot] != 0 { body(group << 50 | (base + UInt64(slot)), lines[slot]) }
    }
}
