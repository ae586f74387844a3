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

    @Test func keysNumberedPerSenderMoveToAColumnByLineAndAllComeBack() {
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
