import Testing
@testable import FundreconCore

@Suite struct ByteInternerBehaviour {
    @Test func indicesAreDenseStableAndSurviveGrowth() {
        var interner = ByteInterner(capacity: 4)
        var keys: [String] = []
        for i in 0..<50_000 { keys.append(i % 7 == 0 ? String(repeating: "长", count: 50 + i % 90) + "\(i)" : "SG-2021-\(i)") }
        for (i, k) in keys.enumerated() {
            let r = interner.intern(k)
            #expect(r.index == i && r.inserted)
        }
        #expect(interner.count == keys.count)
        for (i, k) in keys.enumerated() where i % 97 == 0 {
            #expect(interner.lookup(k) == i)
            #expect(interner.intern(k) == (i, false))
        }
        #expect(interner.lookup("SG-2021-50000") == nil)
    }

    @Test func emptyAndPrefixKeysAreDistinct() {
        var interner = ByteInterner()
        #expect(interner.intern("").index == 0)
        #expect(interner.intern("T1").index == 1)
        #expect(interner.intern("T10").index == 2)
        #expect(interner.lookup("") == 0 && interner.lookup("T1") == 1 && interner.lookup("T") == nil)
    }

    @Test func reservingKeepsContents() {
        var interner = ByteInterner()
        interner.intern("甲")
        interner.reserve(keys: 100_000)
        #expect(interner.lookup("甲") == 0)
        #expect(interner.intern("乙") == (1, true))
    }

    /// The two-step look-up the row readers use (`prefetch`, then `prefetchKey`, then a look-up
    /// with the hash the first step gave) finds what a plain look-up finds, for keys that are
    /// there, keys that are not and keys that share a slot's neighbourhood.
    @Test func aLookUpWithThePrefetchedHashFindsWhatAPlainOneFinds() {
        var interner = ByteInterner()
        let keys = (0..<5_000).map { "G\(String($0 * 7_919 % 100_003))" }
        for k in keys { interner.intern(k) }
        let asked = keys + (0..<500).map { "X\($0)" } + ["", "G", "G0"]
        for k in asked {
            var text = k
            let (plain, stepped) = text.withUTF8 { b -> (Int?, Int?) in
                let h = interner.prefetch(b)
                interner.prefetchKey(hash: h)
                return (interner.lookup(b), interner.lookup(b, hash: h))
            }
            #expect(stepped == plain)
            #expect(plain == keys.firstIndex(of: k))
        }
        ByteInterner().prefetchKey(hash: 12_345)  // an empty table has no record to load
    }
}
