import Testing
@testable import FundreconCore

/// The fixture with every receiver's own books, each receipt a few days after its transfer.
private func withReceipts(_ receipts: String = """
    voucher,date,project,from,to,amount,ref,note
    R1,2021-03-03,F,P,C,100,T1,
    R2,2021-03-22,F1,C,K,60,,
    R3,2021-03-23,F2,C,G2,40,,
    R4,2021-04-12,F1,K,G1,60,,

    """) -> Fixture {
    var f = Fixture()
    f.files["receipts.csv"] = receipts
    return f
}

private let rcCodes: Set<RuleCode> = [.RC001, .RC002, .RC003, .RC004, .RC005, .RC006]

@Suite struct ReceiptRuleTests {
    @Test func booksThatAgreeGiveNoReceiptFindings() throws {
        let r = withReceipts().reconcile()
        #expect(r.findings.filter { rcCodes.contains($0.code) }.isEmpty)
        let report = try #require(r.receipts)
        #expect(report.hops.map(\.hop) == [Hop(from: .province, to: .city), Hop(from: .city, to: .county),
                                            Hop(from: .city, to: .grantee), Hop(from: .county, to: .grantee)])
        #expect(report.matches.allSatisfy { $0.status == .matched } && report.matches.count == 4)
        #expect(report.hops.reduce(0) { $0 + $1.status(.matched).amount } == 260_000_000)
    }

    @Test func aScopeWithoutReceiptsNeitherMatchesNorSkipsTheRules() {
        let r = Fixture().reconcile()
        #expect(r.receipts == nil)
        #expect(r.skippedRules.allSatisfy { !rcCodes.contains($0) })
    }

    @Test func aReceiptsFileLeftOutWholeSkipsTheRules() {
        let r = withReceipts("voucher,date\nR1,2021-03-03\n").reconcile()
        #expect(r.findings(.IN001).count == 1)
        #expect(rcCodes.isSubset(of: Set(r.skippedRules)))
    }

    @Test func RC001_sentAndNotBookedPastTheInTransitDays() throws {
        var f = withReceipts()
        f.edit("receipts.csv", "R4,2021-04-12,F1,K,G1,60,,\n", "")
        // G1 keeps books: another of its receipts is there.
        f.append("receipts.csv", "R9,2021-04-11,F1,K,G1,0.5,,")
        f.append("transfers.csv", "T9,2021-04-10,F1,K,G1,0.5,ok,,")
        let r = f.reconcile()
        let hit = r.findings(.RC001)
        #expect(hit.count == 1)
        let first = try #require(hit.first)
        #expect(first.primary == SourceRef(file: f.path("transfers.csv"), line: 5))
        #expect(first.message.zh.contains("265 天") && first.to == "G1" && first.project == "F1" && first.amount == 60_000_000)
        #expect(r.findings(.RC005).isEmpty)
        let hop = try #require(r.receipts?.hops.first { $0.hop == Hop(from: .county, to: .grantee) })
        #expect(hop.inTransit[AgingBand.over90.rawValue] == CountedAmount(count: 1, amount: 60_000_000))
    }

    @Test func RC001_forAReceiverWithNothingBookedAmongItsLevelsBooks() throws {
        var f = withReceipts()
        f.edit("entities.csv", "G2,韶关市雷门专利事务所,grantee,C\n", "G2,韶关市雷门专利事务所,grantee,C\nG3,新受款单位,grantee,C\n")
        f.edit("plan.csv", "4,F1,K,G1,60,competitive,,2021-05-31\n", "4,F1,K,G1,60,competitive,,2021-05-31\n5,F2,C,G3,1,competitive,,2021-05-31\n")
        f.append("transfers.csv", "T5,2021-04-11,F2,C,G3,1,ok,,")
        let r = f.reconcile()
        // G3 has no row, but the city's other grantee's books are there.
        #expect(r.findings(.RC001).map(\.primary.line) == [6])
        #expect(r.findings(.RC001).first?.to == "G3")
    }

    @Test func RC001_quietWhenNoReceiverOfTheSenderAndLevelHasBooks() throws {
        var f = withReceipts()
        f.edit("receipts.csv", "R4,2021-04-12,F1,K,G1,60,,\n", "")
        let r = f.reconcile()
        #expect(r.findings(.RC001).isEmpty && r.findings(.RC005).isEmpty)
        let hop = try #require(r.receipts?.hops.first { $0.hop == Hop(from: .county, to: .grantee) })
        #expect(hop.notCovered == CountedAmount(count: 1, amount: 60_000_000))
    }

    @Test func RC005_inTransitWithinTheDaysAndRC001Past() {
        var f = withReceipts()
        f.edit("receipts.csv", "R4,2021-04-12,F1,K,G1,60,,\n", "R9,2021-04-11,F9,K,G1,0.5,,\n")
        f.edit("projects.csv", "F2,商标品牌指导站,F,40,\n", "F2,商标品牌指导站,F,40,\nF9,其他,,1,\n")
        let young = f.reconcile(settings { $0.asOf = day("2021-04-20") })
        #expect(young.findings(.RC005).map(\.primary.line) == [5] && young.findings(.RC001).isEmpty)
        #expect(young.findings(.RC005).first?.message.en.contains("10 days later") == true)
        let old = f.reconcile(settings { $0.asOf = day("2021-04-26") })
        #expect(old.findings(.RC001).map(\.primary.line) == [5] && old.findings(.RC005).isEmpty)
        let patient = f.reconcile(settings {
            $0.asOf = day("2021-04-26")
            $0.inTransitDays = 20
        })
        #expect(patient.findings(.RC005).count == 1 && patient.findings(.RC001).isEmpty)
    }

    @Test func RC005_quietOnceBooked() {
        #expect(withReceipts().reconcile(settings { $0.asOf = day("2021-04-20") }).findings(.RC005).isEmpty)
    }

    @Test func RC002_bookedAndSentByNobody() throws {
        var f = withReceipts()
        f.append("receipts.csv", "R5,2021-05-01,F2,C,G2,12.5,,")
        f.append("receipts.csv", "R6,2021-06-01,F2,C,G2,7,T404,")
        f.append("receipts.csv", "R7,2021-07-01,F2,C,G2,8,T2,")
        let r = f.reconcile()
        let hit = r.findings(.RC002)
        #expect(hit.map(\.primary.line) == [6, 7, 8])
        #expect(hit.allSatisfy { $0.primary.file == f.path("receipts.csv") })
        #expect(hit.first?.amount == 12_500_000 && hit.first?.from == "C" && hit.first?.to == "G2")
        try #require(hit.count == 3)
        #expect(hit[1].message.zh.contains("不存在"))
        #expect(hit[2].message.zh.contains("第 3 行"))
    }

    @Test func RC002_quietWhenEveryReceiptHasItsTransfer() {
        #expect(withReceipts().reconcile().findings(.RC002).isEmpty)
    }

    @Test func RC003_amountsDifferAndTheCauseIsNamed() throws {
        var f = withReceipts()
        f.edit("receipts.csv", "R3,2021-03-23,F2,C,G2,40,,", "R3,2021-03-23,F2,C,G2,40元,,")
        f.edit("receipts.csv", "R2,2021-03-22,F1,C,K,60,,", "R2,2021-03-22,F1,C,K,-60,,")
        f.edit("receipts.csv", "R1,2021-03-03,F,P,C,100,T1,", "R1,2021-03-03,F,P,C,99,T1,")
        let r = f.reconcile()
        let hit = r.findings(.RC003)
        #expect(hit.map(\.primary.line) == [2, 3, 4])
        #expect(hit.map { $0.related.first?.line } == [2, 3, 4])
        try #require(hit.count == 3)
        #expect(hit[0].message.en.contains("cause unknown"))  // by the voucher it names, whatever the cause
        #expect(hit[1].message.zh.contains("正负号相反"))
        #expect(hit[2].message.zh.contains("元/万元混用"))
        let causes = r.receipts?.matches.filter { $0.status == .amountDiffers }.sorted { $0.from < $1.from }.map(\.cause)
        #expect(causes == [.unknown, .sign, .unit(power: -4)])
    }

    /// The sender's voucher is read as its trimmed text however it is written: plain ASCII is
    /// packed from the row as read, anything else through the text, and both must name T1.
    @Test(arguments: ["T1", " T1 ", "\"T1\"", "\"T1\u{3000}\"", "\u{3000}T1", "\u{FEFF}T1", "\"\tT1\r\n\""])
    func RC003_aReferenceFindsItsTransferHoweverItIsPadded(_ written: String) throws {
        var f = withReceipts()
        // 99 against 100 has no recognised cause: only the voucher it names can pair them.
        f.edit("receipts.csv", "R1,2021-03-03,F,P,C,100,T1,", "R1,2021-03-03,F,P,C,99,\(written),")
        let r = f.reconcile()
        #expect(r.findings(.RC003).map(\.primary.line) == [2])
        #expect(r.findings(.RC002).isEmpty)
    }

    @Test(arguments: ["T2", "T 1", "\"T\"\"1\"", "Ｔ1"])
    func RC002_aReferenceToAnotherVoucherPairsNothing(_ written: String) {
        var f = withReceipts()
        f.edit("receipts.csv", "R1,2021-03-03,F,P,C,100,T1,", "R1,2021-03-03,F,P,C,99,\(written),")
        let r = f.reconcile()
        #expect(r.findings(.RC003).isEmpty)
        #expect(r.findings(.RC002).map(\.primary.line) == [2])
    }

    @Test func RC003_quietWhenTheAmountsAgree() {
        #expect(withReceipts().reconcile().findings(.RC003).isEmpty)
    }

    @Test func RC004_bookedUnderAnotherProject() throws {
        var f = withReceipts()
        f.edit("receipts.csv", "R3,2021-03-23,F2,C,G2,40,,", "R3,2021-03-23,F1,C,G2,40,,")
        let r = f.reconcile()
        let hit = try #require(r.findings(.RC004).first)
        #expect(r.findings(.RC004).count == 1 && hit.primary.line == 4 && hit.related.map(\.line) == [4])
        #expect(hit.message.zh.contains("F2") && hit.message.zh.contains("F1"))
        #expect(r.findings(.RC002).isEmpty && r.findings(.RC001).isEmpty)
    }

    @Test func RC004_quietWhenTheProjectsAgree() {
        #expect(withReceipts().reconcile().findings(.RC004).isEmpty)
    }

    @Test func RC006_oneTransferBookedInPartsAndOneReceiptForTwoTransfers() throws {
        var f = withReceipts()
        f.edit("receipts.csv", "R4,2021-04-12,F1,K,G1,60,,\n", "R4,2021-04-12,F1,K,G1,25,,\nR5,2021-04-13,F1,K,G1,35,,\n")
        f.edit("transfers.csv", "T3,2021-03-21,F2,C,G2,40,ok,,\n", "T3,2021-03-21,F2,C,G2,15,ok,,\nT3b,2021-03-22,F2,C,G2,25,ok,,\n")
        let r = f.reconcile()
        let hit = r.findings(.RC006).sorted { $0.primary < $1.primary }
        #expect(hit.count == 2)
        #expect(hit.first?.primary == SourceRef(file: f.path("receipts.csv"), line: 4))
        #expect(hit.first?.related.map(\.line) == [4, 5])
        #expect(hit.last?.primary == SourceRef(file: f.path("transfers.csv"), line: 6))
        #expect(hit.last?.related.map(\.line) == [5, 6])
        #expect(r.findings.filter { [.RC001, .RC002, .RC003].contains($0.code) }.isEmpty)
    }

    @Test func RC006_quietWhenEachReceiptHasOneTransfer() {
        #expect(withReceipts().reconcile().findings(.RC006).isEmpty)
    }

    @Test func checkMatchesTheBooksWithoutAPlanAndTakesTheLatestDateAsOfToday() {
        var f = withReceipts()
        f.edit("receipts.csv", "R4,2021-04-12,F1,K,G1,60,,\n", "R9,2021-04-11,F1,K,G1,0.5,,\n")
        f.append("transfers.csv", "T9,2021-04-10,F1,K,G1,0.5,ok,,")
        f.files["plan.csv"] = nil
        let r = f.check()
        // The latest date is 2021-04-11: T4 of 2021-04-10 has waited a day.
        #expect(r.findings(.RC005).map(\.primary.line) == [5])
        #expect(r.findings(.RC001).isEmpty)
    }

    @Test func receiptRowsGoThroughTheInputRules() {
        var f = withReceipts()
        f.append("receipts.csv", "R2,2021-05-01,F1,C,K,1,,")
        f.append("receipts.csv", "R8,2021-05-02,F1,C,K,一百,,")
        f.append("receipts.csv", "R10,2021-05-03,F1,G1,K,1,,")
        let r = f.reconcile()
        #expect(r.findings(.IN003).map(\.primary.line) == [6])
        #expect(r.findings(.IN005).map(\.primary.line) == [7])
        #expect(r.findings(.IN008).map(\.primary.line) == [8])
        let stats = r.scope.stats(.receipts)
        #expect(stats?.rowsRead == 7 && stats?.rowsRejected == 3)
        #expect(r.findings(.RC002).isEmpty)
    }

    @Test func chineseHeadersAreRead() {
        let r = withReceipts("""
            凭证号,入账日期,项目编码,拨出单位,接收单位,金额,对方凭证号,摘要
            R1,2021-03-03,F,P,C,100,T1,省级下达

            """).reconcile()
        #expect(r.scope.stats(.receipts)?.rowsUsed == 1)
        #expect(r.receipts?.matches.first { $0.to == 1 }?.status == .matched)
        #expect(r.receipts?.matches.first?.receipts.first?.voucher == "R1")
        #expect(r.receipts?.matches.first?.transfers.first?.voucher == "T1")
    }
}

/// RC findings are known across runs by the voucher of the row they rest on.
@Suite struct ReceiptFindingIdentityTests {
    @Test func eachRCFindingNamesItsRowsVoucherAndTwoOnOneEdgeStayApart() throws {
        var f = withReceipts()
        f.append("receipts.csv", "R5,2021-05-01,F2,C,G2,12.5,,")
        f.append("receipts.csv", "R6,2021-06-01,F2,C,G2,7,,")
        f.edit("receipts.csv", "R4,2021-04-12,F1,K,G1,60,,\n", "R4,2021-04-12,F1,K,G1,6,,\n")
        let r = f.reconcile()
        #expect(r.findings(.RC002).map(\.voucher) == ["R5", "R6"])
        #expect(r.findings(.RC003).map(\.voucher) == ["R4"])
        let keys = r.findings(.RC002).map(\.identity)
        #expect(Set(keys).count == 2 && keys.allSatisfy { $0.hasPrefix("RC002|receipts.csv|F2|C|G2|") })
        let line = Diagnostics.json(try #require(r.findings(.RC003).first), .zh)
        #expect(line.contains("\"cause\":\"unit\",\"voucher\":\"R4\",\"key\":\"RC003|receipts.csv|F1|K|G1||R4\""))
        #expect(f.check().findings(.RC002).map(\.voucher) == ["R5", "R6"])
    }

    @Test func aTransferFindingNamesTheTransfersVoucher() {
        var f = withReceipts()
        f.edit("receipts.csv", "R3,2021-03-23,F2,C,G2,40,,\n", "R3,2021-03-24,F2,C,G2,0.5,,\n")
        #expect(f.reconcile().findings(.RC001).map(\.voucher) == ["T3"])
    }
}
