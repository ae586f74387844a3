import Foundation
import PropertyBased
import Testing
@testable import FundreconCore

/// A random, internally consistent scope: the plan closes at every level and the transfers
/// pay it on time; optionally some rows are spoiled so they must be rejected.
struct GeneratedLedger {
    var files: [String: String] = [:]
    /// Amounts (分) of the transfer rows that must be accepted, and of the spending rows.
    var acceptedTransfers: [Fen] = []
    var acceptedSpending: [Fen] = []
    var spoiled: [String: Int] = [:]


    static func wan(_ fen: Fen) -> String { MoneyFormat.wanYuan(fen) }

    init(seed: UInt64, spoil: Bool) {
        var rng = SplitMix(state: seed)
        var entities = "id,name,level,parent\nP,省厅,province,\n"
        var grantees: [(id: String, parent: String, project: String, amount: Fen)] = []
        var counties: [(id: String, city: String)] = []
        let subprojects = (1...rng.int(1...3)).map { "F\($0)" }
        let cities = (1...rng.int(1...3)).map { "C\($0)" }
        for c in cities {
            entities += "\(c),\(c)市,city,P\n"
            for k in 0..<rng.int(0...2) {
                let id = "\(c)K\(k)"
                counties.append((id, c))
                entities += "\(id),\(id)县,county,\(c)\n"
            }
        }
        let parents = cities + counties.map(\.id)
        var n = 0
        for parent in parents {
            for _ in 0..<rng.int(1...3) {
                n += 1
                let id = "G\(n)"
                entities += "\(id),承担单位\(n),grantee,\(parent)\n"
                // 0.0001 万元 steps up to 50 万元: exact in 分, four decimals at most.
                grantees.append((id, parent, subprojects[rng.int(0...(subprojects.count - 1))], Fen(rng.int(1...500_000)) * 100))
            }
        }
        var budget: [String: Fen] = [:]
        for g in grantees { budget[g.project, default: 0] += g.amount }
        let total = grantees.reduce(0) { $0 + $1.amount }
        var projects = "code,name,parent,budget,kind\nF,专项资金,,\(GeneratedLedger.wan(total)),\n"
        for p in subprojects { projects += "\(p),子项目\(p),F,\(GeneratedLedger.wan(budget[p] ?? 0)),\n" }

        // Plan lines (project, from, to, amount) by stage: province → city, city → county, → grantee.
        func sum(_ ids: [String]) -> Fen { grantees.filter { ids.contains($0.parent) }.reduce(0) { $0 + $1.amount } }
        var stages: [[(String, String, String, Fen)]] = [[], [], []]
        for c in cities {
            let mine = [c] + counties.filter { $0.city == c }.map(\.id)
            stages[0].append(("F", "P", c, sum(mine)))
        }
        for k in counties { stages[1].append(("F", k.city, k.id, sum([k.id]))) }
        for g in grantees { stages[2].append((g.project, g.parent, g.id, g.amount)) }

        var plan = "line,project,from,to,amount,method,document,due\n"
        var transfers = "voucher,date,project,from,to,amount,status,document,note\n"
        var spending = "voucher,date,entity,project,amount,status,payee,note\n"
        var line = 0, voucher = 0
        let start = Day(year: 2021, month: 2, day: 1)!
        // Each stage pays within five days, ten days after the one before: no unit holds money 30 days.
        for (s, stage) in stages.enumerated() {
            let base = start.adding(days: 10 * s)
            for (project, from, to, amount) in stage where amount > 0 {
                line += 1
                plan += "\(line),\(project),\(from),\(to),\(GeneratedLedger.wan(amount)),factor,,\(base.adding(days: 20))\n"
                let parts = rng.int(1...3)
                var left = amount
                for i in 0..<parts {
                    let part = i == parts - 1 ? left : (left / Fen(parts) / 100) * 100
                    left -= part
                    voucher += 1
                    let spoilIt = spoil && rng.int(0...9) == 0
                    let amountText = spoilIt ? "abc" : GeneratedLedger.wan(part)
                    if spoilIt { spoiled["transfers.csv", default: 0] += 1 } else { acceptedTransfers.append(part) }
                    // Instalments on distinct days: two equal rows on one day are a possible duplicate (FL007).
                    transfers += "V\(voucher),\(base.adding(days: 2 * i)),\(project),\(from),\(to),\(amountText),ok,,\n"
                }
            }
        }
        for g in grantees {
            voucher += 1
            let spoilIt = spoil && rng.int(0...9) == 0
            if spoilIt { spoiled["spending.csv", default: 0] += 1 } else { acceptedSpending.append(g.amount) }
            spending += "S\(voucher),\(spoilIt ? "2021-02-30" : start.adding(days: 60 + rng.int(0...100)).description),\(g.id),\(g.project),\(GeneratedLedger.wan(g.amount)),paid,供应商,\n"
        }
        files = ["entities.csv": entities, "projects.csv": projects, "plan.csv": plan, "transfers.csv": transfers, "spending.csv": spending]
    }

    func fixture() -> Fixture { Fixture(files) }
}

@Suite struct LedgerProperties {
    @Test func aLedgerThatFollowsThePlanOnTimeHasNoFlowOrBalanceErrorsOrWarnings() async {
        await propertyCheck(count: 60, input: Gen.uint(in: 0...UInt.max)) { seed in
            let ledger = GeneratedLedger(seed: UInt64(seed), spoil: false)
            let r = ledger.fixture().reconcile()
            let serious = r.findings.filter { $0.severity >= .warning }
            #expect(serious.isEmpty, "\(serious.map { Diagnostics.line($0, format: .text, language: .en) })")
            #expect(r.edges.allSatisfy { $0.status == .matched })
        }
    }

    @Test func totalsEqualTheAcceptedRowsToTheFenAndEveryRowIsAccountedFor() async {
        await propertyCheck(count: 60, input: Gen.uint(in: 0...UInt.max)) { seed in
            let ledger = GeneratedLedger(seed: UInt64(seed), spoil: true)
            let r = ledger.fixture().reconcile()
            #expect(r.totals.transferred + r.totals.transferredAfterAsOf + r.totals.notMoved == ledger.acceptedTransfers.reduce(0, +))
            #expect(r.totals.spent == ledger.acceptedSpending.reduce(0, +))
            #expect(r.totals.planned == r.scope.plan.reduce(0) { $0 + $1.amount })
            for s in r.scope.stats where s.present {
                #expect(s.rowsRead == s.rowsUsed + s.rowsRejected)
                #expect(s.rowsRejected == ledger.spoiled[s.file.fileName] ?? 0, "\(s.file)")
            }
            // And the JSON says the same.
            let json = JSONReport.render(r, scopeName: "t", generatedAt: "x", version: "0")
            #expect(json.contains("\"transferred_fen\":\(r.totals.transferred)"))
        }
    }
}

@Suite struct RepeatedRowProperties {
    /// FL007's two ways of finding a row with the day and amount of an earlier one on its
    /// edge (comparing with the rows before, for a few; a table of those seen, for many) agree.
    @Test func comparingAndHashingFindTheSameRepeatedRows() async {
        await propertyCheck(count: 200, input: Gen.uint(in: 0...UInt.max)) { seed in
            var rng = SplitMix(state: UInt64(seed))
            let n = rng.int(2...200)
            // Few days and amounts, so that repeats are common.
            let days = (0..<n).map { _ in Int32(rng.int(0...4)) }
            let amounts = (0..<n).map { _ in Fen(rng.int(1...3)) * 100 }
            let lines = (0..<n).map { Int32(2 + $0 * 3) }
            var book = EdgeBook()
            book.rows = EdgeRows(days: days, amounts: amounts, lines: lines)
            book.okRows = n
            let compared = book.repeatedRowsByComparing().map { "\($0.line)<\($0.earlier)" }.sorted()
            let hashed = book.repeatedRowsByHashing().map { "\($0.line)<\($0.earlier)" }.sorted()
            #expect(compared == hashed)
            #expect(!compared.isEmpty || Set(zip(days, amounts).map { "\($0)-\($1)" }).count == n)
        }
    }
}

@Suite struct BalanceParts {
    /// Balances worked out in runs of units, put one after another, are those of one run:
    /// the same results in the same order, the same findings in the same order.
    @Test func balancesInPartsAreTheBalancesOfOneRun() async {
        await propertyCheck(count: 20, input: Gen.uint(in: 0...UInt.max)) { seed in
            let fixture = GeneratedLedger(seed: UInt64(seed), spoil: true).fixture()
            fixture.write()
            let loader = ScopeLoader(settings: Settings(), fileExists: FileSystem.isFile)
            let book = LedgerBook(loader.load(ScopeSources.folder(fixture.dir, existing: FileSystem.isFile), books: LedgerBook.books()))
            let period = Period.resolve(settings: Settings(), latestDate: book.latestTransferDay, today: Day(year: 2022, month: 3, day: 1)!)
            let ledger = book.seal(unitIndex: true)
            let rules = BalancePass(context: RuleContext(kind: .reconcile, scope: loader.scope, ledger: ledger, settings: Settings(), period: period, tree: ProjectTree(loader.scope.projects)), scope: loader.scope, ledger: ledger)
            var whole = FindingLog()
            let one = rules.run(into: &whole)
            for parts in [2, 3] {
                // The runs cut by movements cover every unit once, in order.
                let runs = ledger.flowUnitRuns(parts)
                #expect(runs.count == parts)
                #expect(Array(runs.joined()) == ledger.flowUnits)
                var log = FindingLog()
                let results = (0..<parts).flatMap { rules.run(part: $0, of: parts, into: &log) }
                #expect(results.map { "\($0.unit)/\($0.project)/\($0.received)/\($0.spent)" } == one.map { "\($0.unit)/\($0.project)/\($0.received)/\($0.spent)" })
                #expect(log.findings.map { "\($0.code) \($0.primary) \($0.message.en)" } == whole.findings.map { "\($0.code) \($0.primary) \($0.message.en)" })
            }
            #expect(!one.isEmpty)
        }
    }
}

@Suite struct MovementOrder {
    /// The packed sort key orders movements as (day, kind, line) does, days before 1970 too.
    @Test func packedKeyOrdersLikeDayKindLine() async {
        await propertyCheck(count: 200, input: Gen.uint(in: 0...UInt.max)) { seed in
            var rng = SplitMix(state: UInt64(seed))
            let kinds: [FlowEvent.Kind] = [.received, .passedOn, .spent, .failedSpending]
            let events = (0..<rng.int(0...30)).map { _ in
                FlowEvent(day: Int32(rng.int(-800...800)), amount: Fen(rng.int(1...9)), kind: kinds[rng.int(0...3)],
                          line: Int32(rng.int(2...60)), file: UInt8(rng.int(0...1)))
            }
            let expected = events.sorted { ($0.day, $0.kind.rawValue, $0.line) < ($1.day, $1.kind.rawValue, $1.line) }
            let got = BalancePass.inOrder(events)
            #expect(got.map { "\($0.day) \($0.kind) \($0.line)" } == expected.map { "\($0.day) \($0.kind) \($0.line)" })
        }
    }
}

/// BL004's re-payment search passes most paid rows over by a bit filter; it must find what
/// a plain look-up of every row finds.
@Suite struct RepaidFailedPayments {
    static func plain(_ failed: [PaidRow], _ paid: [PaidRow]) -> [Bool] {
        failed.map { f in paid.contains { $0.key == f.key && $0.day >= f.day } }
    }

    @Test func theFilteredSearchAgreesWithAPlainOne() {
        for seed in 1...40 as ClosedRange<UInt64> {
            var rng = SplitMix(state: seed)
            // Few distinct payees, amounts and places, so that keys meet often.
            func row() -> PaidRow {
                PaidRow(payee: UInt64(rng.int(0...5)) &* 0x1234_5678_9ABC, amount: Fen(rng.int(1...4) * 100),
                        place: Int32(rng.int(0...3)), day: Int32(rng.int(18_000...18_030)))
            }
            let failed = (0..<rng.int(0...20)).map { _ in row() }
            let paid = (0..<rng.int(0...400)).map { _ in row() }
            #expect(FailedPaymentsNotRepaid.repaid(failed, paid) == (failed.isEmpty ? [] : RepaidFailedPayments.plain(failed, paid)), "seed \(seed)")
        }
    }
}
