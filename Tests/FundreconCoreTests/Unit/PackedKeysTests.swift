import Testing
@testable import FundreconCore

/// Settled keys (only spelt from then on) give back every key with its first line, however
/// they were held.
@Suite struct PackedKeysTests {
    static func pairs(_ keys: PackedKeys) -> [UInt64: UInt32] {
        var found: [UInt64: UInt32] = [:]
        keys.forEach { key, line in found[key] = line }
        return found
    }

    /// Keys as they are packed: shape bits above the number, never 0.
    static func key(_ n: UInt64) -> UInt64 { 1 << 54 | 7 << 50 | n }

    @Test func scatteredKeysMoveToAColumnByLineAndAllComeBack() {
        var keys = PackedKeys(capacity: 0)
        keys.reserve(20_000)
        var state: UInt64 = 7
        var expected: [UInt64: UInt32] = [:]
        for line in 2..<20_002 as Range<UInt32> {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let k = Self.key(state >> 20 & 0xFFFF_FFFF)
            if keys.insert(k, line: line) == nil { expected[k] = line }
        }
        #expect(Self.pairs(keys) == expected)
        keys.settle()
        #expect(keys.holdsHashedKeysByLine)
        #expect(Self.pairs(keys) == expected)
    }

    /// Key `n` of sequence `s`: sequences differ in shape and digit count, as senders'
    /// prefixes ("C04-2021-", "K033-2021-") do.
    static func key(sequence s: Int, _ n: UInt64) -> UInt64 { UInt64(s / 16 + 1) << 54 | UInt64(s % 16) << 50 | n }

    /// Inserts every key at lines 2, 3, …; the lines an oracle gives: the first line of
    /// each key, and which inserts were repeats of which line.
    static func insertAll(_ list: [UInt64], reserve: Int) -> (keys: PackedKeys, firstLines: [UInt64: UInt32], ok: Bool) {
        var keys = PackedKeys(capacity: 0)
        keys.reserve(reserve)
        var first: [UInt64: UInt32] = [:]
        var ok = true
        for (i, k) in list.enumerated() {
            let line = UInt32(i + 2)
            let said = keys.insert(k, line: line)
            if said != first[k] { ok = false }
            if first[k] == nil { first[k] = line }
        }
        return (keys, first, ok)
    }

    /// A generator of the tests' own: the same numbers on every run.
    struct Draw {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    @Test func vouchersNumberedPerSenderLandInTheirSendersWindows() {
        // 200 senders, each counting up from its own start, their rows interleaved at random,
        // with a repeat of an earlier voucher now and then.
        var draw = Draw(state: 11)
        var next = (0..<200).map { 1 + UInt64($0) * 37 }
        var list: [UInt64] = []
        for _ in 0..<40_000 {
            if draw.next(50) == 0, !list.isEmpty { list.append(list[draw.next(list.count)]); continue }
            let s = draw.next(200)
            list.append(Self.key(sequence: s, next[s]))
            next[s] += 1
        }
        let (keys, first, ok) = Self.insertAll(list, reserve: list.count)
        #expect(ok)
        #expect(keys.keysInWindows == first.count)
        #expect(Self.pairs(keys) == first)
    }

    @Test func aLedgerInOneSequenceListedInAnotherOrderKeepsItsWindow() {
        var draw = Draw(state: 5)
        // The first voucher first (the window opens a little below the first number), the
        // rest in any order: the window spans the keys once and stays open.
        var list = (1...20_000).map { Self.key(sequence: 3, UInt64($0)) }
        for i in stride(from: list.count - 1, to: 1, by: -1) { list.swapAt(i, 1 + draw.next(i)) }
        let (keys, first, ok) = Self.insertAll(list, reserve: list.count)
        #expect(ok)
        #expect(keys.keysInWindows == 20_000)
        #expect(Self.pairs(keys) == first)
    }

    @Test func everyTenthVoucherOfEachSenderClosesTheWindows() {
        // Each sender's transfers are a tenth of its books' vouchers: windows would hold more
        // pages than the table, so every key goes to the table, the early ones moved there.
        var draw = Draw(state: 9)
        var next = [UInt64](repeating: 1, count: 50)
        var list: [UInt64] = []
        for _ in 0..<30_000 {
            let s = draw.next(50)
            list.append(Self.key(sequence: s, next[s]))
            next[s] += 10
        }
        list += list.prefix(500)  // repeats, looked for where they now are
        let (keys, first, ok) = Self.insertAll(list, reserve: 30_000)
        #expect(ok)
        #expect(keys.keysInWindows == 0)
        #expect(Self.pairs(keys) == first)
    }

    @Test func moreSequencesThanWindowsSpillToTheTableAndAllComeBack() {
        let sequences = NumberWindows.maxWindows + 100
        var list: [UInt64] = []
        for round in 0..<4 as Range<UInt64> {
            for s in 0..<sequences { list.append(Self.key(sequence: s, 1_000 + round)) }
        }
        list += list.suffix(sequences)  // the last round again: repeats in windows and in the table
        let (keys, first, ok) = Self.insertAll(list, reserve: list.count)
        #expect(ok)
        #expect(keys.keysInWindows == NumberWindows.maxWindows * 4)
        #expect(Self.pairs(keys) == first)
    }

    @Test func aNumberedLedgerWithFewStraysKeepsItsTable() {
        var keys = PackedKeys(capacity: 0)
        keys.reserve(20_000)
        var expected: [UInt64: UInt32] = [:]
        for line in 2..<20_002 as Range<UInt32> {
            // One stray far off every hundred rows: too few for a column over every line.
            let k = line % 100 == 0 ? Self.key(9_000_000 + UInt64(line)) : Self.key(1_000 + UInt64(line))
            if keys.insert(k, line: line) == nil { expected[k] = line }
        }
        keys.settle()
        #expect(!keys.holdsHashedKeysByLine)
        #expect(Self.pairs(keys) == expected)
    }
}
