import Foundation
import PropertyBased
import Testing
@testable import FundreconCore

/// A random ledger whose receipts are derived from its transfers by known perturbations, and
/// the RC findings those perturbations must give, worked out here without the matcher: each
/// group of rows sits 100 days from the next (past any window), so a perturbation is judged
/// on its own group alone.
private struct PerturbedBooks {
    enum Perturbation: CaseIterable {
        case exact, exactByReference, drop, add, scale, flipSign, transpose, split, merge, reproject
    }

    /// (code, file, line, the related lines) of each finding the perturbations call for.
    struct Expected: Hashable, Comparable {
        let code: String
        let file: String
        let line: Int
        let related: [Int]

        static func < (a: Expected, b: Expected) -> Bool {
            (a.code, a.file, a.line) != (b.code, b.file, b.line) ? (a.code, a.file, a.line) < (b.code, b.file, b.line)
                : a.related.lexicographicallyPrecedes(b.related)
        }
    }

    var files: [String: String] = [:]
    var expected: [Expected] = []
    var used: [Perturbation] = []
    let asOf: Day

    init(seed: UInt64) {
        var rng = SplitMix(state: seed)
        let start = Day(year: 2021, month: 1, day: 1)!
        let cities = (1...rng.int(1...3)).map { "C\($0)" }
        var transfers = "voucher,date,project,from,to,amount,status,document,note\n"
        var receipts = "voucher,date,project,from,to,amount,ref,note\n"
        var plan = "line,project,from,to,amount,method,document,due\n"
        var tLine = 1, rLine = 1, voucher = 0, planLine = 0
        var latest = start
        var expected: [Expected] = []
        var used: [Perturbation] = []

        /// Seven digits, none of them 0, two of them different: transposable, never a
        /// multiple of 10 (so neither a unit slip nor a rounding by accident).
        func amount() -> Fen {
            while true {
                var a: Fen = 0
                for _ in 0..<7 { a = a * 10 + Fen(rng.int(1...9)) }
                if Set(String(a)).count > 1 { return a }
            }
        }
        func yuan(_ fen: Fen) -> String { MoneyFormat.yuan(fen) + "元" }
        func transfer(_ d: Day, _ project: String, _ city: String, _ fen: Fen) -> (line: Int, voucher: String) {
            voucher += 1
            tLine += 1
            transfers += "T\(voucher),\(d),\(project),P,\(city),\(yuan(fen)),ok,,\n"
            latest = max(latest, d)
            return (tLine, "T\(voucher)")
        }
        func receipt(_ d: Day, _ project: String, _ city: String, _ text: String, ref: String = "") -> Int {
            voucher += 1
            rLine += 1
            receipts += "R\(voucher),\(d),\(project),P,\(city),\(text),\(ref),\n"
            latest = max(latest, d)
            return rLine
        }

        for city in cities {
            var planned: [String: Fen] = [:]
            for g in 0..<rng.int(1...5) {
                let d = start.adding(days: 100 * g + rng.int(0...5))
                let project = rng.int(0...1) == 0 ? "F1" : "F2"
                let other = project == "F1" ? "F2" : "F1"
                let kind = Perturbation.allCases[rng.int(0...(Perturbation.allCases.count - 1))]
                used.append(kind)
                let a = amount()
                let lag = rng.int(0...10)
                switch kind {
                case .exact:
                    _ = transfer(d, project, city, a)
                    _ = receipt(d.adding(days: lag), project, city, yuan(a))
                case .exactByReference:
                    let t = transfer(d, project, city, a)
                    _ = receipt(d.adding(days: lag), project, city, yuan(a), ref: t.voucher)
                case .drop:
                    let t = transfer(d, project, city, a)
                    // Aged past any in-transit limit at the as-of date below.
                    expected.append(Expected(code: "RC001", file: "transfers.csv", line: t.line, related: []))
                case .add:
                    let r = receipt(d, project, city, yuan(a))
                    expected.append(Expected(code: "RC002", file: "receipts.csv", line: r, related: []))
                case .scale:
                    let t = transfer(d, project, city, a)
                    let r = receipt(d.adding(days: lag), project, city, yuan(a * 10_000))
                    expected.append(Expected(code: "RC003", file: "receipts.csv", line: r, related: [t.line]))
                case .flipSign:
                    let t = transfer(d, project, city, a)
                    let r = receipt(d.adding(days: lag), project, city, yuan(-a))
                    expected.append(Expected(code: "RC003", file: "receipts.csv", line: r, related: [t.line]))
                case .transpose:
                    var digits = Array(String(a))
                    var (i, j) = (0, 0)
                    while digits[i] == digits[j] { (i, j) = (rng.int(0...6), rng.int(0...6)) }
                    digits.swapAt(i, j)
                    let t = transfer(d, project, city, a)
                    let r = receipt(d.adding(days: lag), project, city, yuan(Fen(String(digits)) ?? 0))
                    expected.append(Expected(code: "RC003", file: "receipts.csv", line: r, related: [t.line]))
                case .split:
                    let t = transfer(d, project, city, a)
                    let parts = rng.int(2...4)
                    var left = a, lines: [Int] = []
                    for k in 0..<parts {
                        let piece = k == parts - 1 ? left : Fen(rng.int(1...Int(left / Fen(parts))))
                        left -= piece
                        lines.append(receipt(d.adding(days: lag + k), project, city, yuan(piece)))
                    }
                    expected.append(Expected(code: "RC006", file: "transfers.csv", line: t.line, related: lines))
                case .merge:
                    let count = rng.int(2...5)
                    var lines: [Int] = [], sum: Fen = 0
                    for k in 0..<count {
                        let piece = amount()
                        sum += piece
                        lines.append(transfer(d.adding(days: k), project, city, piece).line)
                    }
                    let r = receipt(d.adding(days: count + lag), project, city, yuan(sum))
                    expected.append(Expected(code: "RC006", file: "receipts.csv", line: r, related: lines))
                case .reproject:
                    let t = transfer(d, project, city, a)
                    let r = receipt(d.adding(days: lag), other, city, yuan(a))
                    expected.append(Expected(code: "RC004", file: "receipts.csv", line: r, related: [t.line]))
                }
                planned[project, default: 0] += a
            }
            for (project, fen) in planned.sorted(by: { $0.key < $1.key }) {
                planLine += 1
                plan += "\(planLine),\(project),P,\(city),\(yuan(fen)),factor,,\n"
            }
        }
        // The cities' books are matched when any city's are there.
        if rLine == 1 { expected = [] }
        var entities = "id,name,level,parent\nP,省厅,province,\n"
        for c in cities { entities += "\(c),\(c)市,city,P\n" }
        files = [
            "entities.csv": entities,
            "projects.csv": "code,name,parent,budget,kind\nF1,甲,,,\nF2,乙,,,\n",
            "plan.csv": plan,
            "transfers.csv": transfers,
            "receipts.csv": receipts,
        ]
        self.expected = expected.sorted()
        self.used = used
        asOf = latest.adding(days: 60)
    }
}

@Suite struct ReceiptMatchingProperties {
    @Test func theMatcherReportsExactlyThePerturbationsMade() async {
        await propertyCheck(count: 150, input: Gen.uint(in: 0...UInt.max)) { seed in
            let books = PerturbedBooks(seed: UInt64(seed))
            let fixture = Fixture(books.files)
            let result = fixture.reconcile(settings { $0.asOf = books.asOf })
            let inputErrors = result.findings.filter { $0.code.rawValue.hasPrefix("IN") }
            #expect(inputErrors.isEmpty, "\(inputErrors.map(\.message.en))")
            let found = result.findings.filter { $0.code.rawValue.hasPrefix("RC") }.map { f in
                PerturbedBooks.Expected(code: f.code.rawValue, file: (f.primary.file as NSString).lastPathComponent,
                                        line: f.primary.line ?? 0, related: f.related.compactMap(\.line).sorted())
            }.sorted()
            #expect(found == books.expected, "seed \(seed), perturbations \(books.used)")
        }
    }

    @Test func eachPerturbationGivesItsCause() async {
        await propertyCheck(count: 60, input: Gen.uint(in: 0...UInt.max)) { seed in
            let books = PerturbedBooks(seed: UInt64(seed))
            let result = Fixture(books.files).reconcile(settings { $0.asOf = books.asOf })
            let causes = (result.receipts?.matches ?? []).filter { $0.status == .amountDiffers }.compactMap(\.cause)
            let wanted = books.used.compactMap { kind -> AmountCause? in
                switch kind {
                case .scale: return .unit(power: 4)
                case .flipSign: return .sign
                case .transpose: return .transposition
                default: return nil
                }
            }
            #expect(causes.count == wanted.count)
            for cause in [AmountCause.unit(power: 4), .sign, .transposition] {
                #expect(causes.filter { $0 == cause }.count == wanted.filter { $0 == cause }.count, "seed \(seed)")
            }
        }
    }
}

@Suite struct ReceiptMatcherConservation {
    /// Whatever the rows, each transfer and each receipt comes out in exactly one match, a
    /// batch's rows add up, and a plain match agrees in project and amount.
    @Test func everyRowLandsInExactlyOneMatch() async {
        await propertyCheck(count: 300, input: Gen.uint(in: 0...UInt.max)) { seed in
            var rng = SplitMix(state: UInt64(seed))
            func rows(_ n: Int, firstLine: Int32) -> [MatchRow] {
                (0..<n).map { i in
                    MatchRow(day: Int32(rng.int(0...60)), amount: Fen(rng.int(-3...12)) * 100, project: Int32(rng.int(0...2)), line: firstLine + Int32(i))
                }.sorted { ($0.day, $0.line) < ($1.day, $1.line) }
            }
            let sent = rows(rng.int(0...40), firstLine: 2), booked = rows(rng.int(0...40), firstLine: 2)
            let refs = booked.indices.map { _ in sent.isEmpty || rng.int(0...3) > 0 ? Int32(-1) : Int32(rng.int(0...(sent.count - 1))) }
            let matches = ReceiptMatcher(windowDays: rng.int(0...30)).match(sent: sent, booked: booked, refs: refs)
            var sentSeen = [Int](repeating: 0, count: sent.count), bookedSeen = [Int](repeating: 0, count: booked.count)
            for m in matches {
                for s in m.sent { sentSeen[Int(s)] += 1 }
                for b in m.booked { bookedSeen[Int(b)] += 1 }
                let sentTotal = m.sent.reduce(Fen(0)) { $0 + sent[Int($1)].amount }
                let bookedTotal = m.booked.reduce(Fen(0)) { $0 + booked[Int($1)].amount }
                switch m.status {
                case .batch: #expect(sentTotal == bookedTotal && m.sent.count + m.booked.count >= 3, "seed \(seed)")
                case .matched:
                    #expect(m.sent.count == 1 && m.booked.count == 1 && sentTotal == bookedTotal, "seed \(seed)")
                    #expect(m.sent.first.map { sent[Int($0)].project } == m.booked.first.map { booked[Int($0)].project }, "seed \(seed)")
                case .projectDiffers: #expect(sentTotal == bookedTotal, "seed \(seed)")
                case .amountDiffers: #expect(sentTotal != bookedTotal, "seed \(seed)")
                case .unbooked: #expect(m.sent.count == 1 && m.booked.isEmpty, "seed \(seed)")
                case .unsent: #expect(m.booked.count == 1 && m.sent.isEmpty, "seed \(seed)")
                }
            }
            #expect(sentSeen.allSatisfy { $0 == 1 } && bookedSeen.allSatisfy { $0 == 1 }, "seed \(seed)")
        }
    }
}
