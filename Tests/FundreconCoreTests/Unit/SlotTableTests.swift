import Testing
@testable import FundreconCore

/// The zero-filled slots under the voucher window and the hash tables: mapped or on the
/// heap, they start empty, keep what is written, and are values.
@Suite struct SlotTableTests {
    /// 8 MiB of UInt64 (mapped with huge pages asked for) and 100 slots (on the heap).
    @Test(arguments: [1 << 20, 100])
    func startsZeroedAndKeepsWhatIsWritten(count: Int) {
        var table = SlotTable<UInt64>(count: count)
        #expect(table.count == count)
        #expect(table[0] == 0 && table[count / 2] == 0 && table[count - 1] == 0)
        var expected: [Int: UInt64] = [:]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<min(1_000, count / 4) {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let i = Int(state >> 33) % count
            table[i] = state
            expected[i] = state
        }
        for (i, v) in expected { #expect(table[i] == v) }
        let untouched = (0..<count).filter { expected[$0] == nil }.prefix(50)
        #expect(untouched.count == 50)
        #expect(untouched.allSatisfy { table[$0] == 0 })
    }

    /// A copy written to is a table of its own; the original keeps its slots.
    @Test(arguments: [1 << 20, 100])
    func aCopyIsAValue(count: Int) {
        var original = SlotTable<UInt32>(count: count)
        original[7] = 70
        var copy = original
        copy[7] = 71
        copy[8] = 80
        #expect(original[7] == 70 && original[8] == 0)
        #expect(copy[7] == 71 && copy[8] == 80)
    }
}
