import Testing
@testable import FundreconCore

/// The edge and pair tables number keys in the order first seen; the prefetch the books ask
/// for before booking a batch only loads memory: places come out the same with it and
/// without, on an empty table, for new keys and known ones, and across the table's growth.
@Suite struct KeyPlacesTests {
    static func keys(_ n: Int, seed: UInt64) -> [EdgeKey] {
        var state = seed
        return (0..<n).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let r = Int(state >> 33)
            return EdgeKey(project: r % 7, from: (r >> 3) % 300, to: (r >> 12) % 5_000)
        }
    }

    @Test func placesAreFirstSeenOrderWithOrWithoutPrefetching() {
        let stream = Self.keys(20_000, seed: 11)
        var plain = KeyPlaces(), prefetched = KeyPlaces()
        var firstSeen: [EdgeKey: Int] = [:]
        for batch in stride(from: 0, to: stream.count, by: 8).map({ Array(stream[$0..<min($0 + 8, stream.count)]) }) {
            for key in batch { prefetched.prefetch(key) }
            for key in batch {
                let expected = firstSeen[key] ?? firstSeen.count
                let isNew = firstSeen[key] == nil
                if isNew { firstSeen[key] = expected }
                let a = plain.place(of: key), b = prefetched.place(of: key)
                #expect(a.place == expected && a.isNew == isNew)
                #expect(b.place == expected && b.isNew == isNew)
            }
        }
        #expect(prefetched.keys == plain.keys)
        #expect(prefetched.keys.count == firstSeen.count)
        for key in Self.keys(500, seed: 99) {
            prefetched.prefetch(key)
            #expect(prefetched.place(ofKnown: key) == firstSeen[key])
        }
        let empty = KeyPlaces()
        empty.prefetch(stream[0])
        #expect(empty.place(ofKnown: stream[0]) == nil)
    }

    /// The slots hold a key's numbers as 32 bits; keys past that, whose low bits equal another
    /// key's, are still told apart (and every key that fits is answered from its slot alone).
    @Test func keysPastThirtyTwoBitsAreToldApartFromTheirLowBits() {
        var places = KeyPlaces()
        let small = EdgeKey(project: 0, from: 5, to: 7), wide = EdgeKey(project: 0, from: 5 + (1 << 32), to: 7)
        let negative = EdgeKey(project: -1, from: 5, to: 7), wideNegative = EdgeKey(project: -1 - (1 << 32), from: 5, to: 7)
        #expect(places.place(of: wide) == (0, true))
        #expect(places.place(ofKnown: small) == nil)
        #expect(places.place(of: small) == (1, true))
        #expect(places.place(of: negative) == (2, true))
        #expect(places.place(of: wideNegative) == (3, true))
        for (i, key) in [wide, small, negative, wideNegative].enumerated() {
            #expect(places.place(ofKnown: key) == i)
            #expect(places.place(of: key) == (i, false))
        }
        #expect(places.keys == [wide, small, negative, wideNegative])
    }
}
