import Testing
@testable import FundreconCore

@Suite struct AmountCauseTests {
    @Test func eachCauseIsRecognised() {
        #expect(AmountCause.classify(expected: 400_000, actual: 4_000_000_000) == .unit(power: 4))
        #expect(AmountCause.classify(expected: 4_000_000_000, actual: 400_000) == .unit(power: -4))
        #expect(AmountCause.classify(expected: 123_456, actual: -123_456) == .sign)
        #expect(AmountCause.classify(expected: 1_234_567, actual: 1_243_567) == .transposition)
        #expect(AmountCause.classify(expected: 1_234_567, actual: 7_234_561) == .transposition)
        #expect(AmountCause.classify(expected: 1_234_567, actual: 1_234_600) == .rounding)
        #expect(AmountCause.classify(expected: 123_456_789, actual: 123_460_000) == .rounding)
    }

    @Test func otherDifferencesAreUnknown() {
        #expect(AmountCause.classify(expected: 1_234_567, actual: 1_234_568) == .unknown)
        #expect(AmountCause.classify(expected: 1_234_567, actual: 1_324_576) == .unknown)  // two swaps
        #expect(AmountCause.classify(expected: 400_000, actual: 1_200_000) == .unknown)  // ×3
        #expect(AmountCause.classify(expected: 1_234_567, actual: 1_234_700) == .unknown)  // not the rounding
        #expect(AmountCause.classify(expected: 0, actual: 5) == .unknown)
        #expect(AmountCause.classify(expected: 5, actual: 5) == .unknown)
    }
}

/// The same classifier names why an edge's transfers differ from its plan.
@Suite struct VarianceCauseTests {
    @Test func anExcessThatIsARowEnteredTwiceIsADuplicatedRow() throws {
        var f = Fixture()
        f.edit("transfers.csv", "T3,2021-03-21,F2,C,G2,40,ok,,", "T3,2021-03-21,F2,C,G2,30,ok,,\nT3b,2021-03-22,F2,C,G2,10,ok,,\nT3c,2021-03-25,F2,C,G2,10,ok,,")
        let r = f.reconcile()
        let edge = try #require(r.edge("F2", "C", "G2"))
        #expect(edge.status == .over && edge.cause == .duplicatedRow(line: 6))
        let hit = try #require(r.findings(.FL004).first)
        #expect(hit.cause == .duplicatedRow(line: 6) && hit.message.zh.contains("第 6 行重复录入"))
    }

    @Test func aShortfallThatIsAFailedRowIsAMissingRow() throws {
        var f = Fixture()
        f.edit("transfers.csv", "T3,2021-03-21,F2,C,G2,40,ok,,", "T3,2021-03-21,F2,C,G2,25,ok,,\nT3b,2021-03-22,F2,C,G2,15,failed,,")
        let edge = try #require(f.reconcile().edge("F2", "C", "G2"))
        #expect(edge.status == .under && edge.cause == .missingRow(line: 5))
    }

    @Test func figuresAloneNameUnitSignAndTransposition() throws {
        var f = Fixture()
        f.edit("transfers.csv", "T3,2021-03-21,F2,C,G2,40,ok,,", "T3,2021-03-21,F2,C,G2,40元,ok,,")
        f.edit("transfers.csv", "T2,2021-03-20,F1,C,K,60,ok,,", "T2,2021-03-20,F1,C,K,6,ok,,")
        f.edit("plan.csv", "4,F1,K,G1,60,", "4,F1,K,G1,61.2,")
        f.edit("transfers.csv", "T4,2021-04-10,F1,K,G1,60,ok,,", "T4,2021-04-10,F1,K,G1,62.1,ok,,")
        let r = f.reconcile()
        #expect(r.edge("F2", "C", "G2")?.cause == .unit(power: -4))
        #expect(r.findings(.FL008).first?.cause == .unit(power: -4))
        #expect(r.edge("F1", "C", "K")?.cause == .unit(power: -1))
        #expect(r.edge("F1", "K", "G1")?.cause == .transposition)
        #expect(r.findings(.FL004).first { $0.to == "G1" }?.message.en.contains("two digits transposed") == true)
    }

    @Test func matchedEdgesHaveNoCauseAndAnUnknownOneIsNotInTheMessage() throws {
        var f = Fixture()
        f.edit("transfers.csv", "T3,2021-03-21,F2,C,G2,40,ok,,", "T3,2021-03-21,F2,C,G2,37,ok,,")
        let r = f.reconcile()
        #expect(r.edge("F1", "C", "K")?.cause == nil)
        #expect(r.edge("F2", "C", "G2")?.cause == .unknown)
        let hit = try #require(r.findings(.FL003).first)
        #expect(hit.cause == .unknown && !hit.message.zh.contains("可能原因"))
        let json = JSONReport.render(r, scopeName: "t", generatedAt: "x", version: "0")
        #expect(json.contains("\"status\":\"under\",\"cause\":\"unknown\"") && json.contains("\"cause\":\"unknown\",\"key\""))
    }
}
