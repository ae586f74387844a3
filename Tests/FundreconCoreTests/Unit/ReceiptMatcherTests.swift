import Testing
@testable import FundreconCore

/// The matcher on one pair of units, called directly.
@Suite struct ReceiptMatcherTests {
    private func row(_ day: Int32, _ amount: Fen, line: Int32, project: Int32 = 0) -> MatchRow {
        MatchRow(day: day, amount: amount, project: project, line: line)
    }

    /// Equal daily instalments, one booked in two parts early on: aligned by day, an early
    /// transfer is left for the batch and nothing is reported as unbooked or unsent. Taken
    /// earliest first, each transfer would take the next one's receipt, and the last one,
    /// left over, would be too late for the parts.
    @Test func equalInstalmentsLeaveOutTheOneWhoseReceiptIsElsewhere() {
        let sent: [MatchRow] = (0..<6).map { i in row(Int32(100 + i), 500, line: Int32(2 + i)) }
        var booked: [MatchRow] = [0, 2, 3, 4, 5].map { i in row(Int32(104 + i), 500, line: Int32(10 + i)) }
        booked.insert(contentsOf: [row(101, 200, line: 30), row(101, 300, line: 31)], at: 0)  // in day order, as the book gives them
        let matches = ReceiptMatcher(windowDays: 30).match(sent: sent, booked: booked, refs: Array(repeating: -1, count: booked.count))
        #expect(matches.filter { $0.status == .matched }.count == 5)
        let batch = matches.filter { $0.status == .batch }
        #expect(batch.count == 1 && batch.first?.sent.count == 1 && Array(batch.first?.booked ?? .none) == [0, 1])
        #expect(!matches.contains { $0.status == .unbooked || $0.status == .unsent })
    }

    /// A receiver that books a year of equal amounts under another project: every pair is
    /// found, and the searches look at a bounded number of rows for each (taken rows are
    /// skipped, not walked over one by one).
    @Test func aYearOfEqualAmountsUnderAnotherProjectStaysNearLinear() {
        let n = 5_000
        let sent: [MatchRow] = (0..<n).map { i in row(Int32(1000 + i / 500), 900, line: Int32(2 + i), project: 1) }
        let booked: [MatchRow] = (0..<n).map { i in row(Int32(1000 + i / 500), 900, line: Int32(2 + i), project: 2) }
        let (matches, visits) = ReceiptMatcher(windowDays: 30)
            .matchCountingVisits(sent: sent, booked: booked, refs: Array(repeating: -1, count: n))
        #expect(matches.count == n && matches.allSatisfy { $0.status == .projectDiffers })
        // Walking over the taken rows one by one would be about n²/2 = 12,500,000 steps.
        #expect(visits <= 2 * ReceiptMatcher.candidates * n, "\(visits) looks")
    }

    /// The window's edges, for a transfer and a receipt alone with their amount and for two of
    /// each, far apart: booked up to 3 days before or 30 days after is a match, a day further
    /// is not.
    @Test func aReceiptMatchesInsideTheWindowAloneOrInAGroup() {
        let matcher = ReceiptMatcher(windowDays: 30)
        for gap: Int32 in -6...34 {
            let inside = gap >= -3 && gap <= 30
            let alone = matcher.match(sent: [row(1000, 500, line: 2)], booked: [row(1000 + gap, 500, line: 2)], refs: [-1])
            #expect(alone.map(\.status) == (inside ? [.matched] : [.unbooked, .unsent]), "alone, \(gap) days")
            let sent = [row(1000, 500, line: 2), row(1200, 500, line: 3)]
            let booked = [row(1000 + gap, 500, line: 2), row(1200 + gap, 500, line: 3)]
            let two = matcher.match(sent: sent, booked: booked, refs: [-1, -1])
            #expect(two.filter { $0.status == .matched }.count == (inside ? 2 : 0), "two of each, \(gap) days")
        }
    }

    /// Past `alignedPairs` possible pairs a group is matched earliest first, and still whole.
    @Test func aLargeGroupOfEqualAmountsIsMatchedEarliestFirst() {
        let n = 80
        #expect(n * n > ReceiptMatcher.alignedPairs)
        let sent: [MatchRow] = (0..<n).map { i in row(Int32(1000 + i), 700, line: Int32(2 + i)) }
        let booked: [MatchRow] = (0..<n).map { i in row(Int32(1001 + i), 700, line: Int32(2 + i)) }
        let matches = ReceiptMatcher(windowDays: 30).match(sent: sent, booked: booked, refs: Array(repeating: -1, count: n))
        #expect(matches.count == n && matches.allSatisfy { $0.status == .matched })
        #expect(matches.allSatisfy { Array($0.sent) == Array($0.booked) })
    }
}

/// Receivers' books a file each: receipts-*.csv, read as the parts of one receipts file.
@Suite struct ReceiptPartTests {
    /// The city's and the county's books apart, numbered alike, as two receivers would.
    static func scope() -> Fixture {
        var f = Fixture()
        f.files["receipts-city.csv"] = """
            voucher,date,project,from,to,amount,ref,note
            收-001,2021-03-03,F,P,C,100,T1,

            """
        f.files["receipts-county.csv"] = """
            voucher,date,project,from,to,amount,ref,note
            收-001,2021-03-22,F1,C,K,60,,
            收-002,2021-04-12,F1,K,G1,6,,

            """
        return f
    }

    @Test func eachReceiversFileIsAPartAndItsVouchersAreItsOwn() throws {
        let f = Self.scope()
        let r = f.reconcile()
        let parts = r.scope.stats.filter { $0.file == .receipts }
        #expect(parts.map(\.path) == [f.path("receipts-city.csv"), f.path("receipts-county.csv")])
        #expect(parts.map(\.rowsUsed) == [1, 2])
        #expect(r.findings(.IN003).isEmpty)
        let hit = try #require(r.findings(.RC003).first)
        #expect(r.findings(.RC003).count == 1 && hit.primary == SourceRef(file: f.path("receipts-county.csv"), line: 3))
        let sheetRow = try #require(r.receipts?.matches.first { $0.status == .amountDiffers })
        #expect(sheetRow.receipts.first?.voucher == "收-002" && sheetRow.receipts.first?.part == 1)
        #expect(r.receipts?.matches.first { $0.to == 1 }?.receipts.first?.voucher == "收-001")
        #expect(r.receipts?.receiptFiles == parts.map(\.path))
    }

    /// Parts long enough that their rows go into the book on a thread of their own
    /// (`HandOff`, 4,096 rows a batch): the book passes from part to part whole, every row
    /// counted once under its own part.
    @Test func longPartsBookEveryRowOnceUnderTheirOwnPart() throws {
        var f = Fixture()
        let n = 5_000
        for (name, from, to) in [("city", "P", "C"), ("county", "C", "K")] {
            var text = "voucher,date,project,from,to,amount,ref,note\n"
            for i in 1...n { text += "收-\(i),2021-05-01,F,\(from),\(to),\(i),,\n" }
            f.files["receipts-\(name).csv"] = text
        }
        let r = f.reconcile()
        #expect(r.scope.stats.filter { $0.file == .receipts }.map(\.rowsUsed) == [n, n])
        let hops = try #require(r.receipts?.hops)
        // Amounts in 万元, the default unit: row i is i × 10^6 分.
        let received = hops.map(\.received).filter { $0.count > 0 }
        #expect(received.map(\.count) == [n, n])
        #expect(received.map(\.amount) == [Fen(n * (n + 1) / 2) * 1_000_000, Fen(n * (n + 1) / 2) * 1_000_000])
        let listed = r.receipts?.matches.filter { $0.status == .notSent } ?? []
        let parts = Set(listed.flatMap { m in m.receipts.map { "\(m.from)>\(m.to):\($0.part)" } })
        #expect(parts.count == 2)
    }

    @Test func aPartLeftOutWholeTakesOnlyItsOwnRowsOut() throws {
        var f = Self.scope()
        f.files["receipts-county.csv"] = "voucher,date,project,from,to\n收-001,2021-03-22,F1,C,K\n"
        let r = f.reconcile()
        #expect(r.findings(.IN001).map(\.primary.file) == [f.path("receipts-county.csv")])
        #expect(r.receipts?.matches.filter { $0.status == .matched }.count == 1)
        #expect(r.findings.filter { $0.code.rawValue.hasPrefix("RC") }.isEmpty)
    }

    @Test func aPartThatCannotBeReadLeavesTheOthersRowsInTheBook() {
        var book = ReceiptBook()
        // Packed as the reading thread packs them: "ABC", "DEF" and "GHI" have no digits and
        // are kept as text, so the part left out must take its text out of the packing too.
        var packing = WrittenVouchers.Packing()
        func row(_ line: Int, part: Int, ref: String?) -> ReceiptRow {
            ReceiptRow(date: Day(daysSinceEpoch: 100), project: 0, from: 0, to: 1, amount: 5, ref: packing.key(ref), line: line, part: part)
        }
        book.add(row(2, part: 0, ref: "T1"))
        book.add(row(3, part: 0, ref: "ABC"))
        book.add(row(4, part: 0, ref: nil))
        book.add(row(2, part: 1, ref: "DEF"))
        packing.keepOthers(book.dropPart(1))
        book.add(row(2, part: 2, ref: "GHI"))
        book.finish()
        book.adoptRefPacking(packing)
        #expect(book.count == 4 && book.rows.map(\.line) == [2, 3, 4, 2])
        #expect(book.part(ofRow: 1) == 0 && book.part(ofRow: 3) == 2)
        var refs = book.refs.reader()
        #expect((0..<4).map { refs.voucher(ofRow: $0).map { String(decoding: $0, as: UTF8.self) } } == ["T1", "ABC", nil, "GHI"])
    }

    /// The parts are one file to the sums: together they admit no more than one file may, so
    /// that no sum of receipts can overflow however many receivers send books.
    @Test func thePartsShareOneFilesAmountLimit() {
        var f = Fixture()
        // 2^59 分 a part: the third passes the limit of 2^60 together.
        for name in ["a", "b", "c"] {
            f.files["receipts-\(name).csv"] = "voucher,date,project,from,to,amount\nR1,2021-03-03,F,P,C,5764607523034234.88元\n"
        }
        let r = f.reconcile()
        #expect(r.findings(.IN005).map(\.primary.file) == [f.path("receipts-c.csv")])
        #expect(r.scope.stats.filter { $0.file == .receipts }.map(\.rowsUsed) == [1, 1, 0])
    }

    @Test func checkTakesSeveralReceiptFilesByName() throws {
        let f = Self.scope()
        f.write()
        let out = try CLI.run(["check", f.path("transfers.csv"), f.path("receipts-city.csv"), f.path("receipts-county.csv"),
                               "--format", "json"])
        #expect(out.status == 1)
        #expect(out.stdout.contains("\"code\":\"RC003\"") && out.stdout.contains("receipts-county.csv"))
        #expect(out.stderr.contains("receipts-city.csv") && out.stderr.contains("receipts-county.csv"))
    }
}
