import PropertyBased
import Testing
@testable import FundreconCore

/// `IDTable` against a dictionary of byte strings: the same item numbers, in the order the
/// ids were first added, for ids of any length (empty, zero bytes, up to and past the 8 kept
/// in a slot), looked up with and without a probe, across the table's growth.
@Suite struct IDTableTests {
    static let bytes: [UInt8] = [0x00, 0x30, 0x31, 0x47, 0x4B, 0xE4, 0xB8, 0xAD]
    static let id = Gen.element(of: bytes).map { $0 ?? 0x30 }.array(of: 0...12)

    private func intern(_ table: inout IDTable, _ key: [UInt8], prefetched: Bool) -> (item: Int, inserted: Bool) {
        key.withUnsafeBufferPointer { b in table.intern(b, probe: prefetched ? table.prefetch(b) : nil) }
    }

    private func lookup(_ table: IDTable, _ key: [UInt8], prefetched: Bool) -> Int? {
        key.withUnsafeBufferPointer { b in
            let probe = prefetched ? table.prefetch(b) : nil
            if let probe { table.prefetchKey(probe) }
            return table.lookup(b, probe: probe)
        }
    }

    @Test func itemsAreNumberedAsADictionaryNumbersThem() async {
        await propertyCheck(count: 200, input: Self.id.array(of: 0...120), Gen.bool) { keys, prefetched in
            var table = IDTable()
            var oracle: [[UInt8]: Int] = [:]
            for key in keys {
                let expected = oracle[key]
                let got = intern(&table, key, prefetched: prefetched)
                #expect(got.inserted == (expected == nil) && got.item == (expected ?? oracle.count), "\(key)")
                if expected == nil { oracle[key] = oracle.count }
            }
            #expect(table.count == oracle.count)
            for (key, item) in oracle { #expect(lookup(table, key, prefetched: prefetched) == item, "\(key)") }
            // Ids one byte longer, or with a zero byte more, are not the same id.
            for key in oracle.keys where oracle[key + [0]] == nil { #expect(lookup(table, key + [0], prefetched: prefetched) == nil) }
        }
    }

    /// Each item's tag comes back with its look-up, whatever the id's length, across the
    /// table's growth; an id added again keeps the tag it was first added with.
    @Test func eachLookUpGivesTheTagItsItemWasAddedWith() async {
        await propertyCheck(count: 200, input: Self.id.array(of: 0...120), Gen.bool) { keys, prefetched in
            var table = IDTable()
            var oracle: [[UInt8]: (item: Int, tag: UInt8)] = [:]
            for key in keys {
                let tag = UInt8(truncatingIfNeeded: key.count * 37 + key.reduce(0) { $0 + Int($1) })
                let got = key.withUnsafeBufferPointer { b in table.intern(b, probe: prefetched ? table.prefetch(b) : nil, tag: tag) }
                if oracle[key] == nil { oracle[key] = (got.item, tag) }
            }
            for (key, expected) in oracle {
                let found = key.withUnsafeBufferPointer { b in table.lookupTagged(b, probe: prefetched ? table.prefetch(b) : nil) }
                #expect(found?.item == expected.item && found?.tag == expected.tag, "\(key)")
            }
        }
    }

    /// The trick this table is for: ids of up to 8 bytes live in the slots, so a look-up
    /// reads no other memory; longer ones go to the interner behind it.
    @Test func idsOfUpToEightBytesAreKeptInTheirSlots() {
        var table = IDTable()
        table.reserve(keys: 1_000)
        for i in 0..<100_000 { _ = Array("G\(String(format: "%07d", i))".utf8).withUnsafeBufferPointer { table.intern($0) } }
        _ = Array("91440200MA4UXXXX0X".utf8).withUnsafeBufferPointer { table.intern($0) }
        #expect(table.count == 100_001 && table.inSlots == 100_000)
        #expect(table.lookup("G0099999") == 99_999 && table.lookup("91440200MA4UXXXX0X") == 100_000 && table.lookup("G100000") == nil)
    }
}
