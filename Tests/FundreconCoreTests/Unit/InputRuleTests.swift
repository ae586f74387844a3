import Foundation
import Testing
@testable import FundreconCore

@Suite struct CleanScope {
    @Test func aCleanScopeHasNoFindingsAndUsesEveryRow() {
        let result = Fixture().check()
        #expect(result.findings.isEmpty, "\(result.findings.map { Diagnostics.line($0, format: .text, language: .en) })")
        #expect(result.skippedRules.isEmpty)
        for s in result.scope.stats {
            #expect(s.present && s.rowsRejected == 0 && s.rowsRead > 0, "\(s.file)")
        }
        #expect(result.scope.stats(.transfers)?.rowsRead == 4)
        #expect(result.exitCode(failOn: .error) == 0)
    }

    @Test func chineseHeadersInAnyOrderReadLikeEnglishOnes() {
        var f = Fixture()
        f.files["transfers.csv"] = """
        金额（万元）,接收单位,拨出单位,项目编码,拨付日期,凭证号
        100,C,P,F,2021-03-01,T1
        60,K,C,F1,2021年4月1日,T2

        """
        let result = f.check()
        #expect(result.findings.isEmpty)
        #expect(result.scope.stats(.transfers)?.rowsUsed == 2)
    }

    @Test func namesWorkWhereIdsAre() {
        var f = Fixture()
        f.edit("transfers.csv", "T2,2021-03-20,F1,C,K,60", "T2,2021-03-20,强县工程,韶关市财政局,乳源县财政局,60")
        #expect(f.check().findings.isEmpty)
    }
}

@Suite struct InputRules {
    @Test func IN001_missingRequiredFile() {
        var f = Fixture()
        f.files["plan.csv"] = nil
        let result = f.check()
        let hits = result.findings(.IN001)
        #expect(hits.count == 1)
        #expect(hits.first?.primary.file == f.path("plan.csv"))
        #expect(result.skippedRules.contains(.PL002))
        #expect(result.exitCode(failOn: .error) == 1)
    }

    @Test func IN001_missingRequiredColumnLeavesTheFileOutWhole() {
        var f = Fixture()
        f.edit("transfers.csv", "voucher,date,project,from,to,amount", "voucher,date,project,from,to,sum")
        let result = f.check()
        let hit = result.findings(.IN001).first
        #expect(hit?.primary.file == f.path("transfers.csv") && hit?.primary.line == 1)
        #expect(hit?.message.en.contains("amount") == true)
        let stats = result.scope.stats(.transfers)
        #expect(stats?.rejectedWhole == true && stats?.rowsRead == 4 && stats?.rowsRejected == 4)
        #expect(result.findings(.IN010).count == 1)  // "sum" was ignored, and said so
    }

    @Test func IN001_quietWhenOptionalFilesAreAbsent() {
        var f = Fixture()
        f.files["spending.csv"] = nil
        f.files["indicators.csv"] = nil
        #expect(f.check().findings.isEmpty)
    }

    @Test func IN002_undecodableFileIsLeftOutWhole() {
        var f = Fixture()
        f.write()
        let bytes = Array("voucher,date,project,from,to,amount\n".utf8) + [0xFF, 0xFE, 0xFD, 0x2C, 0x0A]
        #expect(FileManager.default.createFile(atPath: f.path("transfers.csv"), contents: Data(bytes)), "the test wrote its file")
        f.files["transfers.csv"] = nil
        let result = CheckRun.run(ScopeSources.folder(f.dir, existing: FileSystem.isFile), settings: Settings(), fileExists: FileSystem.isFile)
        let hits = result.findings(.IN002)
        #expect(hits.count == 1 && hits.first?.primary.file == f.path("transfers.csv"))
        #expect(result.scope.stats(.transfers)?.rejectedWhole == true)
        #expect(result.scope.stats(.transfers)?.rowsRejected == 1)
    }

    @Test func IN002_quietOnGB18030() {
        var f = Fixture()
        f.write()
        let text = f.files["entities.csv"] ?? ""
        #expect(FileManager.default.createFile(atPath: f.path("entities.csv"), contents: Data(gb18030(text.replacingOccurrences(of: "\n", with: "\r\n")))), "the test wrote its file")
        f.files["entities.csv"] = nil
        let result = CheckRun.run(ScopeSources.folder(f.dir, existing: FileSystem.isFile), settings: Settings(), fileExists: FileSystem.isFile)
        #expect(result.findings.isEmpty)
        #expect(result.scope.stats(.entities)?.encoding == .gb18030)
        #expect(result.scope.entities.map(\.name).contains("乳源东阳光药业有限公司"))
    }

    @Test func IN003_duplicateVoucherPointsAtBothRows() {
        var f = Fixture()
        f.append("transfers.csv", "T2,2021-04-05,F1,C,K,1,ok,,")
        let result = f.check()
        let hit = result.findings(.IN003).first
        #expect(result.findings(.IN003).count == 1)
        #expect(hit?.primary.line == 6 && hit?.primary.column == 1)
        #expect(hit?.related.first?.line == 3)
        #expect(result.scope.stats(.transfers)?.rowsRejected == 1)
    }

    @Test func IN003_duplicateEntityIdAndProjectCode() {
        var f = Fixture()
        f.append("entities.csv", "K,另一个县,county,C")
        f.append("projects.csv", "F2,重复项目,F,0,")
        let result = f.check()
        let hits = result.findings(.IN003)
        #expect(hits.count == 2)
        #expect(hits.contains { $0.primary.file == f.path("entities.csv") && $0.primary.line == 7 })
        #expect(hits.contains { $0.primary.file == f.path("projects.csv") && $0.primary.line == 5 })
    }

    @Test func IN004_fieldCountAndUnterminatedQuote() {
        var f = Fixture()
        f.edit("transfers.csv", "T3,2021-03-21,F2,C,G2,40,ok,,", "T3,2021-03-21,F2,C,G2,40")
        f.append("transfers.csv", "T9,2021-05-02,F2,C,G2,\"1,ok,,")
        f.append("transfers.csv", "T10,2021-05-03,F2,C,G2,1,ok,,,extra")
        let result = f.check()
        let hits = result.findings(.IN004)
        #expect(hits.count == 3)
        #expect(hits.contains { $0.primary.line == 4 && $0.message.en.contains("6 fields") })
        #expect(hits.contains { $0.primary.line == 6 && $0.message.en.contains("unterminated") })
        #expect(hits.contains { $0.primary.line == 7 && $0.primary.column == column(of: 9, in: "T10,2021-05-03,F2,C,G2,1,ok,,,extra") })
        // The row after the broken quote is still read.
        #expect(result.scope.stats(.transfers)?.rowsRead == 6)
        #expect(result.scope.stats(.transfers)?.rowsRejected == 3)
    }

    @Test func IN004_quietOnTrailingEmptyFieldsThatExcelAdds() {
        var f = Fixture()
        f.edit("transfers.csv", "T3,2021-03-21,F2,C,G2,40,ok,,", "T3,2021-03-21,F2,C,G2,40,ok,,,,")
        #expect(f.check().findings.isEmpty)
    }

    @Test func IN005_badAmountsAtTheirColumn() {
        var f = Fixture()
        let row = "T3,2021-03-21,F2,C,G2,4O,ok,,"
        f.edit("transfers.csv", "T3,2021-03-21,F2,C,G2,40,ok,,", row)
        f.edit("plan.csv", "3,F2,C,G2,40,", "3,F2,C,G2,-40,")
        f.edit("projects.csv", "F2,商标品牌指导站,F,40,", "F2,商标品牌指导站,F,0.0000001,")
        let result = f.check()
        let hits = result.findings(.IN005)
        #expect(hits.count == 3)
        let transfer = hits.first { $0.primary.file == f.path("transfers.csv") }
        #expect(transfer?.primary.line == 4 && transfer?.primary.column == column(of: 5, in: row))
        #expect(hits.contains { $0.primary.file == f.path("plan.csv") && $0.message.en.contains("negative") })
        #expect(hits.contains { $0.primary.file == f.path("projects.csv") && $0.message.en.contains("finer than 1 分") })
    }

    @Test func IN005_quietOnReversalsAndUnitWords() {
        var f = Fixture()
        f.append("transfers.csv", "T5,2021-05-02,F1,K,G1,\"1,000元\",ok,,重复拨付")
        f.append("transfers.csv", "T6,2021-05-03,F1,K,G1,-1000元,ok,,红字冲销")
        #expect(f.check().findings.isEmpty)
    }

    @Test func IN006_badDates() {
        var f = Fixture()
        let row = "T2,5/20/2021,F1,C,K,60,ok,,"
        f.edit("transfers.csv", "T2,2021-03-20,F1,C,K,60,ok,,", row)
        f.edit("plan.csv", "2021-05-31", "2021-02-30")
        let result = f.check()
        let hits = result.findings(.IN006)
        #expect(hits.count == 2)
        #expect(hits.contains { $0.primary.file == f.path("transfers.csv") && $0.primary.line == 3 && $0.primary.column == column(of: 1, in: row) })
        #expect(hits.contains { $0.primary.file == f.path("plan.csv") && $0.primary.line == 5 })
    }

    @Test func IN007_unknownReferencesLevelAndStatus() {
        var f = Fixture()
        let row = "T4,2021-04-10,F1,K,G9,60,ok,,"
        f.edit("transfers.csv", "T4,2021-04-10,F1,K,G1,60,ok,,", row)
        f.edit("transfers.csv", "T3,2021-03-21,F2,C,G2,40,ok,,", "T3,2021-03-21,F9,C,G2,40,ok,,")
        f.edit("transfers.csv", "T2,2021-03-20,F1,C,K,60,ok,,", "T2,2021-03-20,F1,C,K,60,pending,,")
        f.append("entities.csv", "V,某乡镇,乡镇,K")
        let result = f.check()
        let hits = result.findings(.IN007)
        #expect(hits.count == 4)
        #expect(hits.contains { $0.primary.line == 5 && $0.primary.column == column(of: 4, in: row) && $0.message.en.contains("G9") })
        #expect(hits.contains { $0.primary.line == 4 && $0.message.en.contains("F9") })
        #expect(hits.contains { $0.primary.line == 3 && $0.message.en.contains("pending") })
        #expect(hits.contains { $0.primary.file == f.path("entities.csv") && $0.message.en.contains("乡镇") })
    }

    @Test func IN007_ambiguousNameIsNotGuessed() {
        var f = Fixture()
        f.append("entities.csv", "G3,韶关市雷门专利事务所,grantee,C")
        f.edit("transfers.csv", "T3,2021-03-21,F2,C,G2,40", "T3,2021-03-21,F2,C,韶关市雷门专利事务所,40")
        let hits = f.check().findings(.IN007)
        #expect(hits.count == 1 && hits.first?.message.en.contains("several") == true)
    }

    @Test func IN008_upwardSelfAndSidewaysFlows() {
        var f = Fixture()
        f.append("entities.csv", "K2,新丰县财政局,county,C")
        f.append("transfers.csv", "T5,2021-05-02,F1,K,C,1,ok,,")
        f.append("transfers.csv", "T6,2021-05-02,F1,K,K,1,ok,,")
        f.append("transfers.csv", "T7,2021-05-02,F1,K,K2,1,ok,,")
        let result = f.check()
        let hits = result.findings(.IN008)
        #expect(hits.map { $0.primary.line ?? 0 }.sorted() == [6, 7, 8])
        #expect(hits.allSatisfy { $0.primary.column == column(of: 4, in: "T5,2021-05-02,F1,K,C,1,ok,,") })
        #expect(hits.contains { $0.message.en.contains("up") })
    }

    @Test func IN008_quietWhenAParentPassesToItsChildOfTheSameLevel() {
        var f = Fixture()
        f.append("entities.csv", "C1,韶关市财政局促进科,city,C")
        f.append("transfers.csv", "T5,2021-05-02,F1,C,C1,1,ok,,")
        #expect(f.check().findings(.IN008).isEmpty)
    }

    /// The levels the check compares come with the unit's look-up: by an id kept in the
    /// table's slot, by a longer id, and by a name (which has no slot of its own).
    @Test func IN008_firesWhateverTheUnitsAreNamedBy() {
        var f = Fixture()
        f.append("entities.csv", "91440200MA4UXXXX0X,翁源县专利代办处,county,C")
        f.append("entities.csv", "GL0000001,翁源县某科技有限公司,grantee,91440200MA4UXXXX0X")
        f.append("transfers.csv", "T5,2021-05-02,F1,C,91440200MA4UXXXX0X,1,ok,,")  // down: quiet
        f.append("transfers.csv", "T6,2021-05-02,F1,翁源县某科技有限公司,91440200MA4UXXXX0X,1,ok,,")  // up, by a name
        f.append("transfers.csv", "T7,2021-05-02,F1,91440200MA4UXXXX0X,C,1,ok,,")  // up, by a long id
        f.append("transfers.csv", "T8,2021-05-02,F1,91440200MA4UXXXX0X,GL0000001,1,ok,,")  // down: quiet
        let hits = f.check().findings(.IN008)
        #expect(hits.map { $0.primary.line ?? 0 }.sorted() == [7, 8], "\(hits.map(\.message.en))")
        #expect(hits.allSatisfy { $0.message.en.contains("up") })
    }

    @Test func IN009_cycleAndOrphanInBothHierarchies() {
        var f = Fixture()
        f.edit("entities.csv", "P,广东省财政厅,province,", "P,广东省财政厅,province,K")
        f.append("entities.csv", "X,某单位,grantee,NOPE")
        f.edit("projects.csv", "F,知识产权专项资金,,100,", "F,知识产权专项资金,F2,100,")
        let result = f.check()
        let hits = result.findings(.IN009)
        #expect(hits.count == 3)
        #expect(hits.contains { $0.primary.file == f.path("entities.csv") && $0.message.en.contains("cycle") && $0.primary.line == 2 && $0.related.count == 2 })
        #expect(hits.contains { $0.primary.file == f.path("entities.csv") && $0.primary.line == 7 && $0.message.en.contains("NOPE") })
        #expect(hits.contains { $0.primary.file == f.path("projects.csv") && $0.message.en.contains("cycle") })
    }

    @Test func IN010_unknownColumnListedOnce() {
        var f = Fixture()
        f.addColumn("transfers.csv", "经办人")
        let result = f.check()
        let hits = result.findings(.IN010)
        #expect(hits.count == 1)
        #expect(hits.first?.primary.line == 1 && hits.first?.primary.column == column(of: 9, in: "voucher,date,project,from,to,amount,status,document,note,经办人"))
        #expect(hits.first?.severity == .info)
        #expect(result.exitCode(failOn: .error) == 0)
        #expect(result.exitCode(failOn: .warning) == 0)
    }

    /// Spellings met in provinces' own exports map to their columns (no IN010), and 因素法分配
    /// is the factor method.
    @Test func exportSpellingsOfHeadersAndMethodsAreKnown() {
        var f = Fixture()
        f.edit("spending.csv", "voucher,date,entity,project,amount,status,payee,note", "凭证号,支付日期,单位编码,项目编码,金额,支付状态,收款人,摘要")
        f.edit("plan.csv", "line,project,from,to,amount,method,document,due", "序号,项目编码,拨出单位,接收单位,金额,分配方法,文号,到位时限")
        f.edit("plan.csv", "2,F1,C,K,60,factor,", "2,F1,C,K,60,因素法分配,")
        f.edit("transfers.csv", "voucher,date,project,from,to,amount,status,document,note", "凭证号,拨付日期,项目编码,拨出单位,接收单位,金额,状态,文号,摘要")
        let r = f.check()
        #expect(r.findings.isEmpty, "\(r.findings.map { "\($0.code) \($0.message.en)" })")
        #expect(r.scope.plan.first { $0.line == 3 }?.method == .factor)
    }

    @Test func headerUnitAndSettingUnitDecideTheAmount() {
        var f = Fixture()
        f.edit("transfers.csv", "voucher,date,project,from,to,amount,", "voucher,date,project,from,to,amount(元),")
        f.edit("transfers.csv", "T1,2021-03-01,F,P,C,100,", "T1,2021-03-01,F,P,C,\"1,000,000.00\",")
        f.write()
        let loader = ScopeLoader(settings: Settings(), fileExists: FileSystem.isFile)
        let kept = loader.loadKeepingTransfers(ScopeSources.folder(f.dir, existing: FileSystem.isFile))
        #expect(kept.rows.first { $0.line == 2 }?.amount == 100_000_000)  // 1,000,000.00 元 = 100 万元
    }
}
