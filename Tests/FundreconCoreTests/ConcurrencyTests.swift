import Foundation
import Testing
@testable import FundreconCore

/// The helpers that spread a run over the cores keep order and lose nothing.
@Suite struct SpreadingWork {
    /// Collects what the second thread is handed; read only after `finish()`.
    final class Received: @unchecked Sendable {
        var rows: [Int] = []
    }

    @Test func handOffDeliversEveryRowInOrderAcrossBatches() {
        for count in [0, 1, 4095, 4096, 4097, 50_001] {
            let received = Received()
            let handOff = HandOff<Int> { received.rows.append($0) }
            for i in 0..<count { handOff.add(i) }
            handOff.finish()
            #expect(received.rows == Array(0..<count), "\(count) rows")
        }
    }

    @Test func concurrentlyReturnsResultsInInputOrder() {
        let results = Concurrently.map(Array(0..<5)) { i -> Int in
            usleep(useconds_t((5 - i) * 2_000))  // the later ones finish first
            return i * i
        }
        #expect(results == [0, 1, 4, 9, 16])
    }

    @Test func readingFilesAtOnceGivesTheSameReportAsTheSample() throws {
        // The sample's findings come out in file order, line by line, whatever thread read them.
        var f = WorkbookReadBack.scope()  // under-, over- and never-paid edges
        f.files["transfers.csv"] = (f.files["transfers.csv"] ?? "") + "T9,2021-13-45,F1,K,G1,1,ok,,\n"
        f.files["spending.csv"] = (f.files["spending.csv"] ?? "") + "S9,2021-06-01,G1,F1,abc,paid,供应商甲,\n"
        f.write()
        let result = f.reconcile()
        let order = InputFile.allCases.map { f.dir + "/" + $0.fileName }
        let ranks = result.findings.map { finding in
            (order.firstIndex(of: finding.primary.file) ?? order.count, finding.primary.line ?? 0)
        }
        let files = Set(result.findings.map(\.primary.file))
        #expect(files.contains(f.dir + "/transfers.csv") && files.contains(f.dir + "/spending.csv"))
        #expect(zip(ranks, ranks.dropFirst()).allSatisfy { $0 <= $1 })
    }
}
