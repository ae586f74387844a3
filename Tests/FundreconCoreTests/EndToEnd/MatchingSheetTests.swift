import Foundation
import Testing
@testable import FundreconCore

/// The matching sheets and the overview's aging table, read back from the workbook; the
/// JSON's receipts section, parsed.
@Suite struct MatchingSheetReadBack {
    /// Every receiver keeps books: C's grantee G2 booked 40 as 4 (one digit lost), K has not
    /// booked G1's 60, and a receipt at G2 has no transfer.
    static func scope() -> Fixture {
        var f = Fixture()
        f.files["receipts.csv"] = """
            voucher,date,project,from,to,amount,ref,note
            R1,2021-03-03,F,P,C,100,T1,
            R2,2021-03-22,F1,C,K,60,,
            R3,2021-03-23,F2,C,G2,4,,
            R5,2021-05-01,F2,C,G2,12.5,,
            R6,2021-04-11,F1,K,G1,0.5,,

            """
        f.append("transfers.csv", "T9,2021-04-10,F1,K,G1,0.5,ok,,")
        return f
    }

    static func workbook(lang: Language = .zh) throws -> (XLSXFile, ReconcileResult) {
        var s = Settings()
        s.lang = lang
        let result = scope().reconcile(s)
        let path = Fixture.makeTempDir() + "/report.xlsx"
        try WorkbookReport(result, scopeName: "测试", generatedAt: "2022-03-01T00:00:00Z", version: "0.1.0")
            .write(to: path, created: 1_646_092_800)
        return (try XLSXFile(path), result)
    }

    @Test func aMatchingSheetPerHopAfterTheVarianceSheets() throws {
        let (x, _) = try Self.workbook()
        #expect(x.sheets.map(\.name) == ["概览", "省→市", "市→县", "市→单位", "县→单位", "对账（省→市）", "对账（市→县）",
                                         "对账（市→单位）", "对账（县→单位）", "单位结余", "绩效指标", "异常清单", "数据来源"])
        let (english, _) = try Self.workbook(lang: .en)
        #expect(english.sheets.map(\.name).contains("Matching (City→Grantee)"))
    }

    @Test func eachTransferBesideItsReceiptSortedByStatus() throws {
        let (x, _) = try Self.workbook()
        let s = try x.sheet("对账（市→单位）")
        #expect(s["A1"]?.shown == "状态" && s["F1"]?.shown == "拨付凭证号" && s["J1"]?.shown == "入账凭证号" && s["M1"]?.shown == "差额（万元）")
        // Not sent (RC002) before amount differs (RC003).
        #expect(s["A2"]?.shown == "无拨付记录" && s["J2"]?.shown == "R5" && s["L2"]?.value == "12.5" && s["F2"]?.shown == "")
        #expect(s["A3"]?.shown == "金额不符" && s["B3"]?.shown == "单位或小数点错误（相差 10^1 倍）")
        #expect(s["F3"]?.shown == "T3" && s["H3"]?.value == "40" && s["J3"]?.shown == "R3" && s["L3"]?.value == "4")
        #expect(s["M3"]?.formula == "L3-H3" && s["M3"]?.value == "-36")
        #expect(s["N3"]?.value == "2" && s["P3"]?.shown == "transfers.csv:4" && s["Q3"]?.shown == "receipts.csv:4")
        // The totals row sums what the filter shows.
        #expect(s["A4"]?.shown == "合计（随筛选变化）" && s["H4"]?.formula == "SUBTOTAL(109,H2:H3)" && s["L4"]?.value == "16.5")
        #expect(s.xml.contains("<pane ySplit=\"1\"") && s.xml.contains("<autoFilter ref=\"A1:Q3\"/>"))
        #expect(s.xml.contains("<formula>$A2=\"无拨付记录\"</formula>"))
        let county = try x.sheet("对账（县→单位）")
        #expect(county["A2"]?.shown == "未入账（超期）" && county["O2"]?.value == "265" && county["G2"]?.value != nil)
        #expect(county["A3"]?.shown == "已匹配")
    }

    @Test func theOverviewAgesWhatIsInTransit() throws {
        let (x, _) = try Self.workbook()
        let s = try x.sheet("概览")
        let header = try #require((1...s.lastRow).first { s["A\($0)"]?.shown.hasPrefix("到账核对") == true })
        #expect(s["K\(header)"]?.shown == "在途 > 90 天（笔）")
        let county = try #require(((header + 1)...s.lastRow).first { s["A\($0)"]?.shown == "县→单位" })
        #expect(s["B\(county)"]?.value == "60.5" && s["C\(county)"]?.value == "0.5" && s["D\(county)"]?.value == "0.5")
        #expect(s["K\(county)"]?.value == "1" && s["L\(county)"]?.value == "60")
    }

    @Test func receiptFindingsLinkToTheirMatch() throws {
        let (x, _) = try Self.workbook()
        let findings = try x.sheet("异常清单")
        let row = try #require((2...findings.lastRow).first { findings["B\($0)"]?.shown == "RC003" })
        #expect(findings.xml.contains("<hyperlink ref=\"L\(row)\" location=\"'对账（市→单位）'!A3\""))
    }

    @Test func theJSONCarriesEachHopsBooks() throws {
        let result = Self.scope().reconcile()
        let json = JSONReport.render(result, scopeName: "测试", generatedAt: "2022-03-01T00:00:00Z", version: "0.1.0")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let receipts = try #require(object["receipts"] as? [String: Any])
        #expect(receipts["as_of"] as? String == "2021-12-31" && receipts["in_transit_days"] as? Int == 15)
        let hops = try #require(receipts["hops"] as? [[String: Any]])
        let county = try #require(hops.first { $0["hop"] as? String == "county-grantee" })
        #expect(county["sent_fen"] as? Int == 60_500_000 && county["received_fen"] as? Int == 500_000 && county["matched"] as? String == "0.5")
        let aging = try #require(county["in_transit"] as? [[String: Any]])
        #expect(aging.map { $0["days"] as? String } == ["0-15", "16-30", "31-90", "over-90"])
        #expect(aging.last?["count"] as? Int == 1 && aging.last?["fen"] as? Int == 60_000_000 && aging.last?["wan"] as? String == "60")
        let byStatus = try #require(county["matches_by_status"] as? [String: Int])
        #expect(byStatus["overdue"] == 1 && byStatus["matched"] == 1 && byStatus["not-sent"] == 0)
        let grantee = try #require(hops.first { $0["hop"] as? String == "city-grantee" })
        #expect(grantee["not_sent_count"] as? Int == 1 && grantee["not_sent_fen"] as? Int == 12_500_000)
    }

    @Test func withoutReceiptsTheReportHasNoReceiptsSection() throws {
        let json = JSONReport.render(Fixture().reconcile(), scopeName: "测试", generatedAt: "2022-03-01T00:00:00Z", version: "0.1.0")
        #expect(!json.contains("\"receipts\""))
    }
}
