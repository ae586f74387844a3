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
}
