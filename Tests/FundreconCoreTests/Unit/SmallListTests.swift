import Testing
@testable import FundreconCore

@Suite struct SmallListTests {
    @Test func holdsNoneOneOrManyItemsInOrder() {
        let empty = SmallList<Int>([]), one = SmallList([7]), many = SmallList([3, 1, 2])
        #expect(empty.isEmpty && Array(empty) == [])
        #expect(one.count == 1 && Array(one) == [7] && one.first == 7)
        #expect(many.count == 3 && Array(many) == [3, 1, 2] && many[2] == 2)
        #expect(SmallList(["粤财工〔2021〕1号"]).joined(separator: "; ") == "粤财工〔2021〕1号")
        if case .one = one {} else { Issue.record("one item must be kept inline") }
    }
}
