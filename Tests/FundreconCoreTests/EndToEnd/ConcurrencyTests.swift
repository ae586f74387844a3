import Foundation
import Testing
@testable import FundreconCore

/// The helpers that spread a run over the cores keep order and lose nothing.
@Suite struct SpreadingWork {
    /// Keeps what the drain thread is handed, and what it was told before.
    struct Received: RowBook {
        var rows: [Int] = []
        var expected: Int?
        mutating func expect(rows: Int) { expected = rows }
        mutating func add(_ row: Int) { rows.append(row) }
        mutating func finish() {}
    }

    @Test func handOffDeliversEveryRowInOrderAcrossBatchesAndGivesTheBookBack() {
        for count in [0, 1, 4095, 4096, 4097, 50_001] {
            let handOff = HandOff(Received())
            handOff.expect(rows: count)
            for i in 0..<count { handOff.add(i) }
            let received = handOff.finish()
            #expect(received.rows == Array(0..<count), "\(count) rows")
            #expect(received.expected == count)
        }
    }

    @Test func concurrentlyReturnsResultsInInputOrder() {
        let results = Concurrently.map(Array(0..<5)) { i -> Int in
            usleep(useconds_t((5 - i) * 2_000))  // the later ones finish first
            return i * i
        }
        #expect(results == [0, 1, 4, 9, 16])
    }

    /// The registry runs rules at once, in lanes; run one after another on this thread, each
    /// rule's parts give the same findings, edges and balances in the same order.
    @Test func rulesRunAtOnceGiveWhatTheyGiveOneAfterAnother() {
        var f = WorkbookReadBack.scope()  // under-, over- and never-paid edges
        f.files["transfers.csv"] = (f.files["transfers.csv"] ?? "") + "T9,2021-13-45,F1,K,G1,1,ok,,\nT10,2021-03-21,F2,C,G2,30,ok,,\n"
        f.files["spending.csv"] = (f.files["spending.csv"] ?? "") + "S9,2021-06-01,G1,F1,70,failed,供应商甲,\n"
        f.write()
        let loader = ScopeLoader(settings: Settings(), fileExists: FileSystem.isFile)
        let book = LedgerBook(loader.load(ScopeSources.folder(f.dir, existing: FileSystem.isFile), books: LedgerBook.books()))
        let period = Period.resolve(settings: Settings(), latestDate: book.latestTransferDay, today: Day(year: 2022, month: 3, day: 1)!)
        let context = RuleContext(kind: .reconcile, scope: loader.scope, ledger: book.seal(unitIndex: true), settings: Settings(), period: period,
                                  tree: ProjectTree(loader.scope.projects))
        let (atOnce, skipped) = RuleRegistry.run(context)
        var inTurn: [RuleOutput] = []
        for rule in RuleRegistry.all where !rule.codes(in: .reconcile).isEmpty && rule.needs.allSatisfy(loader.scope.isUsable) {
            for part in 0..<rule.parts { inTurn.append(rule.run(part: part, of: rule.parts, context)) }
        }
        func describe(_ outputs: [RuleOutput]) -> [String] {
            outputs.map { o in
                o.log.findings.map { "\($0.code) \($0.primary) \($0.message.en)" }.joined(separator: "\n")
                    + " | " + o.edges.map { "\($0.key) \($0.status) \($0.transferred)" }.joined(separator: ",")
                    + " | " + o.balances.map { "\($0.unit)/\($0.project) \($0.received) \($0.spent)" }.joined(separator: ",")
                    + " | " + o.indicators.map { "\($0.row.line) \($0.status)" }.joined(separator: ",")
            }
        }
        #expect(skipped.isEmpty)
        #expect(describe(atOnce) == describe(inTurn))
        let codes = Set(atOnce.flatMap { $0.log.findings.map(\.code) })
        for code in [RuleCode.FL002, .FL004, .FL007, .BL001, .BL004] { #expect(codes.contains(code), "\(code)") }
    }
}
