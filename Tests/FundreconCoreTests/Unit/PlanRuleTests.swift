import Testing
@testable import FundreconCore

@Suite struct PlanRuleTests {
    @Test func PL001_subBudgetsThatDoNotAddUp() {
        var f = Fixture()
        f.edit("projects.csv", "F2,商标品牌指导站,F,40,", "F2,商标品牌指导站,F,45,")
        let hits = f.check().findings(.PL001)
        #expect(hits.count == 1)
        #expect(hits.first?.primary.file == f.path("projects.csv") && hits.first?.primary.line == 2)
        #expect(hits.first?.amount == 5_000_000)
        #expect(Set(hits.first?.related.compactMap(\.line) ?? []) == [3, 4])
    }

    @Test func PL001_namesTheYuanWanYuanMixUp() {
        var f = Fixture()
        f.edit("projects.csv", "F2,商标品牌指导站,F,40,", "F2,商标品牌指导站,F,40元,")
        f.append("projects.csv", "F2a,指导站甲,F2,20,")
        f.append("projects.csv", "F2b,指导站乙,F2,20,")
        let hits = f.check().findings(.PL001)
        #expect(hits.contains { $0.primary.line == 4 && $0.message.zh.contains("一万倍") })
    }

    @Test func PL001_quietWhenSomeChildrenHaveNoBudgetAndTheRestFit() {
        var f = Fixture()
        f.edit("projects.csv", "F2,商标品牌指导站,F,40,", "F2,商标品牌指导站,F,,")
        #expect(f.check().findings(.PL001).isEmpty)
    }

    @Test func PL002_aLevelAllocatesMoreThanTheBudget() {
        var f = Fixture()
        // The seed's item 1: grantees under a 100 万元 line get 50 万元 each, three of them.
        f.append("entities.csv", "G3,华研（韶关）知识产权运营服务有限公司,grantee,C")
        f.append("plan.csv", "5,F2,C,G3,40,competitive,,2021-04-30")
        let hits = f.check().findings(.PL002)
        #expect(hits.count == 1)
        #expect(hits.first?.project == "F2")
        #expect(hits.first?.primary.line == 6)  // the line that pushed the total over
        #expect(hits.first?.amount == 40_000_000)
    }

    @Test func PL002_aSubProjectOverrunIsReportedOnceNotAtEveryAncestor() {
        var f = Fixture()
        f.edit("plan.csv", "3,F2,C,G2,40,", "3,F2,C,G2,70,")
        let hits = f.check().findings(.PL002)
        #expect(hits.map(\.project) == ["F2"])
    }

    @Test func PL002_quietWhenEachLevelPassesTheSameMoney() {
        // P→C 100, C→K 60 + C→G2 40, K→G1 60: three levels, each within 100.
        #expect(Fixture().check().findings(.PL002).isEmpty)
    }

    @Test func PL003_aUnitPassesOnMoreThanItReceives() {
        var f = Fixture()
        f.edit("plan.csv", "4,F1,K,G1,60,", "4,F1,K,G1,65,")
        let result = f.check()
        let hits = result.findings(.PL003)
        #expect(hits.count == 1)
        #expect(hits.first?.entity == "K" && hits.first?.project == "F1")
        #expect(hits.first?.primary.line == 5 && hits.first?.amount == 5_000_000)
        #expect(hits.first?.related.contains { $0.line == 3 } == true)
    }

    @Test func PL003_quietWhenACityPassesOnSubProjectsOfWhatItReceived() {
        // C receives the root F and passes on F1 and F2: grouped under F, 100 in, 100 out.
        #expect(Fixture().check().findings(.PL003).isEmpty)
    }

    @Test func PL004_allocationOutsideTheSubtree() {
        var f = Fixture()
        f.append("entities.csv", "K2,新丰县财政局,county,C")
        f.append("entities.csv", "G4,新丰县某企业,grantee,K2")
        f.edit("plan.csv", "4,F1,K,G1,60,", "4,F1,K,G4,60,")
        f.edit("transfers.csv", "T4,2021-04-10,F1,K,G1,60", "T4,2021-04-10,F1,K,G4,60")
        f.edit("spending.csv", "S1,2021-06-01,G1,", "S1,2021-06-01,G4,")
        let hits = f.check().findings(.PL004)
        #expect(hits.count == 1)
        #expect(hits.first?.primary.line == 5 && hits.first?.from == "K" && hits.first?.to == "G4")
        #expect(hits.first?.severity == .warning)
    }

    @Test func PL004_quietForSkippedLevelsInsideTheSubtree() {
        var f = Fixture()
        f.append("plan.csv", "5,F,P,G1,0,earmarked,,")  // province straight to a grantee under it
        #expect(f.check().findings(.PL004).isEmpty)
    }
}
