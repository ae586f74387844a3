import Foundation
import Testing
import CDeflateLevel
@testable import FundreconCore

/// Workbooks are checked by reading them back, not by trusting the writer.
@Suite struct WorkbookReadBack {
    /// The fixture with one edge under-paid, one over-paid and one never paid.
    static func scope() -> Fixture {
        var f = Fixture()
        f.edit("transfers.csv", "T3,2021-03-21,F2,C,G2,40,", "T3,2021-03-21,F2,C,G2,30,")
        f.edit("spending.csv", "S2,2021-06-01,G2,F2,40,", "S2,2021-06-01,G2,F2,30,")
        f.edit("transfers.csv", "T4,2021-04-10,F1,K,G1,60,ok,,\n", "")
        f.files["spending.csv"] = f.files["spending.csv"]?.replacingOccurrences(of: "S1,2021-06-01,G1,F1,60,paid,供应商甲,\n", with: "")
        return f
    }

    static func write(_ f: Fixture, lang: Language = .zh, rowsPerSheet: Int? = nil, linksPerSheet: Int? = nil) throws -> XLSXFile {
        var s = Settings()
        s.lang = lang
        let result = f.reconcile(s)
        var report = WorkbookReport(result, scopeName: "测试", generatedAt: "2022-03-01T00:00:00Z", version: "0.1.0")
        if let rowsPerSheet { report.rowsPerSheet = rowsPerSheet }
        if let linksPerSheet { report.linksPerSheet = linksPerSheet }
        let path = Fixture.makeTempDir() + "/report.xlsx"
        try report.write(to: path, created: 1_646_092_800)
        return try XLSXFile(path)
    }

    @Test func sheetsAndHeadersInChinese() throws {
        let x = try WorkbookReadBack.write(WorkbookReadBack.scope())
        #expect(x.sheets.map(\.name) == ["概览", "省→市", "市→县", "市→单位", "县→单位", "单位结余", "绩效指标", "异常清单", "数据来源"])
        let s = try x.sheet("市→单位")
        #expect(s["A1"]?.shown == "项目编码" && s["E1"]?.shown == "计划金额（万元）" && s["H1"]?.shown == "差额率" && s["I1"]?.shown == "状态")
    }

    @Test func sheetsAndHeadersInEnglish() throws {
        let x = try WorkbookReadBack.write(WorkbookReadBack.scope(), lang: .en)
        #expect(x.sheets.map(\.name) == ["Summary", "Province→City", "City→County", "City→Grantee", "County→Grantee", "Balances", "Indicators", "Findings", "Inputs"])
        let s = try x.sheet("City→Grantee")
        #expect(s["E1"]?.shown == "Planned (万元)" && s["G1"]?.shown == "Variance (万元)" && s["I2"]?.shown == "under")
    }

    @Test func varianceIsAFormulaWithItsValueCached() throws {
        let s = try WorkbookReadBack.write(WorkbookReadBack.scope()).sheet("市→单位")
        // C → G2: planned 40, transferred 30.
        #expect(s["E2"]?.value == "40" && s["F2"]?.value == "30")
        #expect(s["G2"]?.formula == "F2-E2" && s["G2"]?.value == "-10")
        #expect(s["H2"]?.formula == "IF(E2=0,\"\",G2/E2)" && s["H2"]?.value == "-0.25")
        #expect(s["I2"]?.shown == "拨付不足")
        #expect(s["R1"]?.shown == "差异原因" && s["R2"]?.shown == "原因不明")
    }

    @Test func totalsRowUsesSubtotalSoFiltersKeepItRight() throws {
        let s = try WorkbookReadBack.write(WorkbookReadBack.scope()).sheet("市→单位")
        #expect(s["A3"]?.shown == "合计（随筛选变化）")
        #expect(s["E3"]?.formula == "SUBTOTAL(109,E2:E2)" && s["E3"]?.value == "40")
        #expect(s["G3"]?.formula == "SUBTOTAL(109,G2:G2)" && s["G3"]?.value == "-10")
    }

    @Test func frozenHeaderAutofilterConditionalFormatsAndPrintSetup() throws {
        let x = try WorkbookReadBack.write(WorkbookReadBack.scope())
        let s = try x.sheet("县→单位")
        #expect(s.xml.contains("<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"))
        #expect(s.xml.contains("<autoFilter ref=\"A1:Y2\"/>"))
        #expect(s.xml.contains("<formula>$I2=\"超额拨付\"</formula>"))
        #expect(s.xml.contains("<formula>$I2=\"拨付不足\"</formula>"))
        #expect(s.xml.contains("<formula>$I2=\"未拨付\"</formula>"))
        #expect(s.xml.contains("orientation=\"landscape\"") && s.xml.contains("fitToHeight=\"0\""))
        #expect(s["I2"]?.shown == "未拨付")
        let workbook = try x.part("xl/workbook.xml")
        #expect(workbook.contains("_xlnm.Print_Titles") && workbook.contains("'县→单位'!$1:$1"))
        let core = try x.part("docProps/core.xml")
        #expect(core.contains("<dc:title>专项资金对账报告：测试</dc:title>") && core.contains("2022-03-01T00:00:00Z"))
    }

    @Test func findingsLinkToTheRowTheyConcern() throws {
        let x = try WorkbookReadBack.write(WorkbookReadBack.scope())
        let findings = try x.sheet("异常清单")
        let rows = (2...findings.lastRow).filter { findings["B\($0)"]?.shown == "FL002" }
        let row = try #require(rows.first)
        #expect(findings["L\(row)"]?.shown == "查看")
        // The FL002 on K → G1 links to that edge's row on the county sheet.
        #expect(findings.xml.contains("<hyperlink ref=\"L\(row)\" location=\"'县→单位'!A2\""))
    }

    @Test func pastExcelsLinkLimitTheTargetIsWrittenAsText() throws {
        let x = try WorkbookReadBack.write(WorkbookReadBack.scope(), linksPerSheet: 1)
        let findings = try x.sheet("异常清单")
        let goTo = (2...findings.lastRow).compactMap { findings["L\($0)"]?.shown }.filter { !$0.isEmpty }
        #expect(goTo.count >= 2 && goTo.first == "查看")
        #expect(goTo.dropFirst().allSatisfy { $0.hasPrefix("'") && $0.contains("!A") })
        #expect(findings.xml.components(separatedBy: "<hyperlink ").count - 1 == 1)
    }

    @Test func hostileTextFromTheCSVStaysText() throws {
        var f = WorkbookReadBack.scope()
        f.edit("entities.csv", "G2,韶关市雷门专利事务所,grantee,C", "G2,\"=cmd|' /C calc'!A0\",grantee,C")
        f.edit("entities.csv", "K,乳源县财政局", "K,@SUM(1+1)")
        let s = try WorkbookReadBack.write(f).sheet("市→单位")
        #expect(s["D2"]?.shown == "=cmd|' /C calc'!A0" && s["D2"]?.type == "inlineStr" && s["D2"]?.formula == nil)
        let balances = try WorkbookReadBack.write(f).sheet("单位结余")
        let hostile = balances.cells.values.filter { $0.shown == "@SUM(1+1)" }
        #expect(!hostile.isEmpty && hostile.allSatisfy { $0.formula == nil })
    }

    @Test func aSheetPastItsRowLimitContinuesOnASecondSheet() throws {
        var f = Fixture()
        for i in 3...7 {
            f.append("entities.csv", "G\(i),承担单位\(i),grantee,C")
            f.append("plan.csv", "\(i + 2),F2,C,G\(i),0,,,")
        }
        let x = try WorkbookReadBack.write(f, rowsPerSheet: 4)
        #expect(x.sheets.map(\.name).contains("市→单位 (2)"))
        let second = try x.sheet("市→单位 (2)")
        #expect(second["A1"]?.shown == "项目编码" && second["D3"]?.shown == "承担单位7")
        // The summary says which tables go on, with their rows and the sheets they go on to.
        let summary = try x.sheet("概览")
        let row = try #require((1...summary.lastRow).first { summary["A\($0)"]?.shown == "分表续写（每表最多 4 行数据）" })
        let listed = (row + 1...summary.lastRow).prefix { summary["A\($0)"] != nil && summary["C\($0)"] != nil }
            .map { [summary["A\($0)"]?.shown, summary["B\($0)"]?.shown, summary["C\($0)"]?.shown] }
        #expect(listed.contains(["市→单位", "6", "市→单位 (2)"]), "\(listed)")
        #expect(listed.allSatisfy { x.sheets.map(\.name).contains($0[0] ?? "") })
    }

    @Test func aWorkbookWhoseSheetsAllFitSaysNothingOfContinuing() throws {
        let x = try WorkbookReadBack.write(WorkbookReadBack.scope())
        let summary = try x.sheet("概览")
        #expect(summary.lastRow > 10)
        #expect(!(1...summary.lastRow).contains { summary["A\($0)"]?.shown.hasPrefix("分表续写") == true })
    }

    @Test func theSameResultGivesTheSameBytes() throws {
        let f = WorkbookReadBack.scope()
        let result = f.reconcile()
        let report = WorkbookReport(result, scopeName: "s", generatedAt: "t", version: "v")
        let a = Fixture.makeTempDir() + "/a.xlsx", b = Fixture.makeTempDir() + "/b.xlsx"
        try report.write(to: a, created: 1_646_092_800)
        try report.write(to: b, created: 1_646_092_800)
        let first = try Data(contentsOf: URL(fileURLWithPath: a)), second = try Data(contentsOf: URL(fileURLWithPath: b))
        #expect(!first.isEmpty && first == second)
    }

    @Test func fastCompressionWritesTheSamePartsInALargerFile() throws {
        let f = NightlyOperation.bigScope(edges: 2000)
        f.write()
        var report = WorkbookReport(f.reconcile(), scopeName: "s", generatedAt: "t", version: "v")
        let fast = Fixture.makeTempDir() + "/fast.xlsx", small = Fixture.makeTempDir() + "/small.xlsx"
        report.compression = .fast
        try report.write(to: fast, created: 1_646_092_800)
        report.compression = .small
        try report.write(to: small, created: 1_646_092_800)
        let a = try XLSXFile(fast), b = try XLSXFile(small)
        let parts = a.archive.map(\.path).sorted()
        #expect(parts == b.archive.map(\.path).sorted() && parts.contains("xl/worksheets/sheet1.xml"))
        for part in parts { #expect(try a.part(part) == b.part(part), "\(part)") }
        let sizes = try [fast, small].map { try FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int ?? 0 }
        #expect(sizes[0] > sizes[1], "level 1 must have been used for the fast file: \(sizes)")
    }

    /// Writes the big scope's workbook with a switch of the close off, then on, and answers
    /// both files' bytes, the parts of the second, and how far `reached` moved meanwhile.
    static func closedBothWays(_ toggle: WritableKeyPath<WorkbookReport, Bool>, reached: () -> Int)
        throws -> (off: Data, on: Data, parts: [String], reached: Int) {
        let f = NightlyOperation.bigScope(edges: 2000)
        f.write()
        var report = WorkbookReport(f.reconcile(), scopeName: "s", generatedAt: "t", version: "v")
        report.rowsPerSheet = 700
        let off = Fixture.makeTempDir() + "/off.xlsx", on = Fixture.makeTempDir() + "/on.xlsx"
        report[keyPath: toggle] = false
        try report.write(to: off, created: 1_646_092_800)
        let before = reached()
        report[keyPath: toggle] = true
        try report.write(to: on, created: 1_646_092_800)
        let parts = try XLSXFile(on).archive.map(\.path)
        #expect(parts.filter { $0.hasPrefix("xl/worksheets/sheet") }.count > 8, "\(parts)")
        return (try Data(contentsOf: URL(fileURLWithPath: off)), try Data(contentsOf: URL(fileURLWithPath: on)),
                parts, reached() - before)
    }

    @Test func partsCompressedOnASecondThreadGiveTheSameFile() throws {
        let w = try Self.closedBothWays(\.compressAlongside) { fundrecon_zip_entries_compressed_aside() }
        // Every part went through the second thread (other tests may close workbooks meanwhile).
        #expect(w.reached >= w.parts.count)
        #expect(w.off.count > 100_000 && w.off == w.on, "\(w.off.count) bytes alone, \(w.on.count) aside")
    }

    @Test func sheetsReadInPlaceGiveTheSameFileAsTheirCopies() throws {
        let w = try Self.closedBothWays(\.readRowsInPlace) { fundrecon_sheets_read_in_place() }
        #expect(w.reached >= w.parts.filter { $0.hasPrefix("xl/worksheets/sheet") }.count)
        #expect(w.off.count > 100_000 && w.off == w.on, "\(w.off.count) bytes copied, \(w.on.count) in place")
    }

    @Test func cellsWrittenDirectlyGiveTheSameFileAsLibxlsxwritersOwnWriters() throws {
        let w = try Self.closedBothWays(\.writeCellsDirectly) { fundrecon_cells_written_here() }
        #expect(w.reached > 10_000, "\(w.reached) cells written directly")
        #expect(w.off.count > 100_000 && w.off == w.on, "\(w.off.count) bytes by libxlsxwriter, \(w.on.count) directly")
    }

    @Test func rowsWrittenOnSeveralThreadsGiveTheSameFileAsOneThread() throws {
        let f = NightlyOperation.bigScope(edges: 2000)
        f.write()
        var report = WorkbookReport(f.reconcile(), scopeName: "s", generatedAt: "t", version: "v")
        // Small sheets: the parts of one table land on different threads.
        report.rowsPerSheet = 700
        let one = Fixture.makeTempDir() + "/one.xlsx", many = Fixture.makeTempDir() + "/many.xlsx"
        report.fillThreads = 1
        try report.write(to: one, created: 1_646_092_800)
        report.fillThreads = 4
        try report.write(to: many, created: 1_646_092_800)
        let a = try XLSXFile(one), b = try XLSXFile(many)
        let parts = a.archive.map(\.path).sorted()
        #expect(parts == b.archive.map(\.path).sorted())
        #expect(parts.filter { $0.hasPrefix("xl/worksheets/sheet") }.count > 8, "\(parts)")
        for part in parts { #expect(try a.part(part) == b.part(part), "\(part)") }
    }

    @Test func summaryCarriesTotalsCountsAndAChart() throws {
        let x = try WorkbookReadBack.write(WorkbookReadBack.scope())
        let s = try x.sheet("概览")
        let texts = Set(s.cells.values.map(\.shown))
        #expect(texts.isSuperset(of: ["省→市", "市→县", "市→单位", "县→单位", "拨付不足", "未拨付", "entities.csv", "transfers.csv"]))
        #expect(x.archive["xl/charts/chart1.xml"] != nil)
        let inputs = try x.sheet("数据来源")
        #expect((inputs["H2"]?.shown.count ?? 0) == 64)
    }
}
