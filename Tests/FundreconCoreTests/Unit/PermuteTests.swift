import Testing
@testable import FundreconCore

/// The findings are put in report order by moving each into its place (`Array.permute`), not
/// by copying them out in order: the result must be the copy's, for any permutation.
@Suite struct PermuteTests {
    @Test(arguments: [0, 1, 2, 7, 1_000])
    func elementsEndWhereAPlainCopyInOrderPutsThem(count: Int) {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D &+ UInt64(count)
        for _ in 0..<20 {
            var order = Array(0..<count)
            for i in order.indices.reversed() where i > 0 {  // Fisher–Yates
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                order.swapAt(i, Int(state >> 33) % (i + 1))
            }
            let original = (0..<count).map { "finding \($0)" }
            var moved = original
            moved.permute(to: order)
            #expect(moved == order.map { original[$0] })
        }
    }
}
