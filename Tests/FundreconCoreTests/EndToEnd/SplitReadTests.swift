import CSupport
import Foundation
import Testing
@testable import FundreconCore

/// A big transfers.csv is read by two threads, from its beginning and from a line end near
/// its middle. Whatever the split, the findings, counts and ledger must be those of one
/// reader: these tests read the same scope both ways and compare.
@Suite struct SplitRead {
    /// `rows` transfer rows over the fixture's four edges, with a note on every row so that
    /// rows differ in width; `body` may rewrite row i (0-based) before it is written.
    static func transfers(rows: Int, _ body: (Int, inout [String]) -> Void = { _, _ in }) -> String {
        let edges = [("F", "P", "C"), ("F1", "C", "K"), ("F2", "C", "G2"), ("F1", "K", "G1")]
        var lines = ["voucher,date,project,from,to,amount,status,document,note"]
        for i in 0..<rows {
            let (project, from, to) = edges[i % edges.count]
            var fields = ["T\(100_000 + i)", "2021-0\(3 + i % 6)-\(10 + i % 18)", project, from, to,
                          "0.\(1000 + i % 9000)", i % 97 == 0 ? "failed" : "ok", "", "第\(i)笔"]
            body(i, &fields)
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func scope(_ transfers: String) -> Fixture {
        var f = Fixture()
        f.files["transfers.csv"] = transfers
        f.write()
        return f
    }

    static func check(_ f: Fixture, split: Bool) -> CheckResult {
        CheckRun.run(ScopeSources.folder(f.dir, existing: FileSystem.isFile), settings: Settings(),
                     fileExists: FileSystem.isFile, split: split ? .always : .never)
    }

    static func reconcile(_ f: Fixture, split: Bool) -> ReconcileResult {
        Reconciler.run(ScopeSources.folder(f.dir, existing: FileSystem.isFile), settings: Settings(),
                       today: Day(year: 2022, month: 3, day: 1)!, fileExists: FileSystem.isFile, split: split ? .always : .never)
    }

    /// The JSON report of the scope reconciled by one reader and by two.
    static func reports(_ f: Fixture) -> (one: String, two: String) {
        let render = { (r: ReconcileResult) in JSONReport.render(r, scopeName: "t", generatedAt: "x", version: "0") }
        return (render(reconcile(f, split: false)), render(reconcile(f, split: true)))
    }

    /// The workbook's bytes of the scope reconciled by one reader and by two.
    static func workbooks(_ f: Fixture) throws -> (one: Data, two: Data) {
        func bytes(_ r: ReconcileResult) throws -> Data {
            let path = Fixture.makeTempDir() + "/r.xlsx"
            try WorkbookReport(r, scopeName: "t", generatedAt: "x", version: "0").write(to: path, created: 1_646_092_800)
            return try Data(contentsOf: URL(fileURLWithPath: path))
        }
        return (try bytes(reconcile(f, split: false)), try bytes(reconcile(f, split: true)))
    }

    static func describe(_ findings: [Finding]) -> [String] {
        findings.map { "\($0.code) \($0.primary) \($0.message.zh) | \($0.message.en) | \($0.related)" }
    }

    static func transferStats(_ scope: LoadedScope) -> FileStats? { scope.stats.first { $0.file == .transfers } }

    /// Vouchers of the first part used again in the second part: the first reuse must name the
    /// first part's line and leave the ledger, later reuses too; a reuse whose row is bad anyway
    /// is counted once; repeats within the second part name its own first line.
    @Test func vouchersRepeatedAcrossTheSplitAreFoundAsByOneReader() throws {
        let rows = 3000
        let text = SplitRead.transfers(rows: rows) { i, fields in
            if i >= 2000 && i % 50 == 0 { fields[0] = "T\(100_000 + i - 1900)" }  // first used in the first part
            if i >= 2600 && i % 150 == 0 { fields[0] = "T\(100_000 + 200)"; fields[5] = "abc" }  // bad and repeated
            if i >= 2500 && i % 70 == 0 { fields[0] = "T\(100_000 + 2450)" }  // repeats within the second part
            if i == 2910 { fields[0] = "X-\(i)" }
            if i == 2950 { fields[0] = "X-2910" }
        }
        let f = SplitRead.scope(text)
        let one = SplitRead.check(f, split: false), two = SplitRead.check(f, split: true)
        #expect(SplitRead.transferStats(two.scope)?.readers == 2)
        #expect(SplitRead.transferStats(one.scope)?.readers == 1)
        #expect(one.findings.contains { $0.code == .IN003 && $0.related.first?.line ?? 0 < 1500 })
        #expect(one.findings.filter { $0.code == .IN003 }.count > 20)
        #expect(SplitRead.describe(two.findings) == SplitRead.describe(one.findings))
        #expect(SplitRead.transferStats(two.scope)?.rowsRead == rows)
        #expect(SplitRead.transferStats(two.scope)?.rowsRejected == SplitRead.transferStats(one.scope)?.rowsRejected)
        #expect(SplitRead.transferStats(two.scope)?.bytes == Int64(text.utf8.count))

        let reports = SplitRead.reports(f)
        #expect(SplitRead.transferStats(SplitRead.reconcile(f, split: true).scope)?.readers == 2)
        #expect(reports.one == reports.two)  // totals, edges, balances, inputs with their SHA-256, findings
        let workbooks = try SplitRead.workbooks(f)
        #expect(workbooks.one.count > 10_000)
        #expect(workbooks.one == workbooks.two)  // byte for byte
    }

    /// The standard split is placed while reading, wherever the first reader stands then: the
    /// findings and the report are one reader's, whether the file was split or not.
    @Test func aBalancedSplitGivesOneReadersResults() throws {
        let rows = 110_000  // about 5.5 MB: enough left for a second reader once the first has begun
        let text = SplitRead.transfers(rows: rows) { i, fields in
            fields[5] = String(format: "%d.%04d", 1 + i / 10_000, i % 10_000)  // no two alike: no FL007 on every row
            if i % 997 == 0 && i > 0 { fields[0] = "T\(100_000 + i / 2)" }  // reuses from anywhere before
        }
        let f = SplitRead.scope(text)
        let balanced = ReadSplit(from: 1, balanced: true)
        let sources = ScopeSources.folder(f.dir, existing: FileSystem.isFile)
        let one = SplitRead.check(f, split: false)
        let two = CheckRun.run(sources, settings: Settings(), fileExists: FileSystem.isFile, split: balanced)
        #expect([1, 2].contains(SplitRead.transferStats(two.scope)?.readers ?? 0))
        #expect(one.findings.filter { $0.code == .IN003 }.count > 50)
        #expect(SplitRead.describe(two.findings) == SplitRead.describe(one.findings))
        #expect(SplitRead.transferStats(two.scope)?.rowsRead == rows)
        let day = Day(year: 2022, month: 3, day: 1)!
        let render = { (r: ReconcileResult) in JSONReport.render(r, scopeName: "t", generatedAt: "x", version: "0") }
        let reconciled = Reconciler.run(sources, settings: Settings(), today: day, fileExists: FileSystem.isFile, split: balanced)
        #expect(render(reconciled) == render(SplitRead.reconcile(f, split: false)))
    }

    /// A balanced split gives the first reader its share of what it has not been let read yet,
    /// and holds it there.
    @Test func aBalancedSplitIsPlacedFromWhereTheFirstReaderStands() {
        let point = SplitPoint(guess: 0, fixed: false)
        #expect(point.admit(upTo: 100))
        #expect(point.admit(upTo: 400))
        #expect(point.propose(size: 1000, headShare: 0.5, minimumRest: 10) == 700)
        #expect(point.admit(upTo: 700))
        #expect(!point.admit(upTo: 701))
        #expect(point.propose(size: 1000, headShare: 0.5, minimumRest: 10) == 700)  // placed once
    }

    @Test func tooLittleLeftIsReadByTheFirstReaderAlone() {
        let point = SplitPoint(guess: 0, fixed: false)
        #expect(point.admit(upTo: 995))
        #expect(point.propose(size: 1000, headShare: 0.5, minimumRest: 10) == nil)
        #expect(point.admit(upTo: 2000))
    }

    @Test func aFixedSplitStaysWhereItWasGuessed() {
        let point = SplitPoint(guess: 300, fixed: true)
        #expect(point.admit(upTo: 300))
        #expect(!point.admit(upTo: 301))
        #expect(point.propose(size: 1000, headShare: 0.5, minimumRest: 10) == 300)
        #expect(point.propose(size: 200, headShare: 0.5, minimumRest: 10) == nil)  // past the end
    }

    /// Quoted fields holding line breaks and commas on both sides of the split.
    @Test func quotedLineBreaksNearTheSplitGiveTheSameRows() throws {
        let text = SplitRead.transfers(rows: 2000) { i, fields in
            if i % 3 == 0 { fields[8] = "\"第一行\n第二行, 含逗号 \"\"引号\"\"\"" }
        }
        let f = SplitRead.scope(text)
        let one = SplitRead.check(f, split: false), two = SplitRead.check(f, split: true)
        #expect(SplitRead.transferStats(two.scope)?.readers == 2)
        #expect(SplitRead.describe(two.findings) == SplitRead.describe(one.findings))
        #expect(SplitRead.transferStats(two.scope)?.rowsRead == 2000)
        let reports = SplitRead.reports(f)
        #expect(reports.one == reports.two)
    }

    /// A stray quote early on makes quote counting place the split inside a quoted field; the
    /// first reader notices at the split and reads on alone, and nothing is lost or doubled.
    @Test func aSplitInsideQuotesFallsBackToOneReader() throws {
        let text = SplitRead.transfers(rows: 2000) { i, fields in
            if i == 10 { fields[8] = "ab\"c" }  // a literal quote in an unquoted field
            if i >= 800 && i % 5 == 0 { fields[8] = "\"第一行\n第二行\"" }
            if i == 1900 { fields[0] = "T100001" }  // a repeat across the would-be split
        }
        let f = SplitRead.scope(text)
        let one = SplitRead.check(f, split: false), two = SplitRead.check(f, split: true)
        #expect(SplitRead.transferStats(two.scope)?.readers == 1)
        #expect(SplitRead.describe(two.findings) == SplitRead.describe(one.findings))
        #expect(two.findings.contains { $0.code == .IN003 })
        #expect(SplitRead.transferStats(two.scope)?.rowsRead == 2000)
        let reports = SplitRead.reports(f)
        #expect(reports.one == reports.two)
    }

    /// A GB18030 file splits like its UTF-8 twin: the encoding is told from the beginning.
    @Test func aGB18030FileSplitsLikeItsUTF8Twin() throws {
        let text = SplitRead.transfers(rows: 2000) { i, fields in
            if i >= 1500 && i % 40 == 0 { fields[0] = "T\(100_000 + i - 1000)" }
        }
        let f = SplitRead.scope(text)
        let utf8 = SplitRead.check(f, split: true)
        #expect(FileManager.default.createFile(atPath: f.path("transfers.csv"), contents: Data(gb18030(text))), "the test wrote its file")
        let two = SplitRead.check(f, split: true), one = SplitRead.check(f, split: false)
        #expect(SplitRead.transferStats(two.scope)?.readers == 2)
        #expect(SplitRead.transferStats(two.scope)?.encoding == .gb18030)
        #expect(SplitRead.describe(two.findings) == SplitRead.describe(one.findings))
        #expect(SplitRead.describe(two.findings) == SplitRead.describe(utf8.findings))
    }

    /// Progress of a split file counts both parts, and never goes back.
    @Test func progressOfASplitFileCountsBothParts() throws {
        let f = SplitRead.scope(SplitRead.transfers(rows: 40_000))
        let seen = Reports()
        let loader = ScopeLoader(settings: Settings(), fileExists: FileSystem.isFile)
        loader.split = .always
        loader.progress = { file, rows, _ in if file == .transfers { seen.add(rows) } }
        _ = LedgerBook(loader.load(ScopeSources.folder(f.dir, existing: FileSystem.isFile), books: LedgerBook.books(rowLevelOnly: true)))
        #expect(SplitRead.transferStats(loader.scope)?.readers == 2)
        let rows = seen.rows
        #expect(zip(rows, rows.dropFirst()).allSatisfy { $0 <= $1 })
        #expect((rows.max() ?? 0) > 16_384)  // each part reports every 16,384 rows
    }

    final class Reports: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [Int] = []
        func add(_ rows: Int) { lock.withLock { list.append(rows) } }
        var rows: [Int] { lock.withLock { list } }
    }

    /// The vector count (16 bytes at a time, byte counters summed every 255 blocks) against
    /// a plain one, over lengths that end inside a block and past several sums.
    @Test func lineAndQuoteCountsMatchAPlainCount() {
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 15, 16, 17, 4079, 4080, 4081, 100_003] {
            let bytes = (0..<length).map { _ in [UInt8(0x0A), 0x22, 0x41, 0xE4][Int(generator.next() % 4)] }
            var lines: UInt64 = 0, quotes: UInt64 = 0
            bytes.withUnsafeBufferPointer { fundrecon_count_lines_and_quotes($0.baseAddress, $0.count, &lines, &quotes) }
            #expect(lines == UInt64(bytes.filter { $0 == 0x0A }.count))
            #expect(quotes == UInt64(bytes.filter { $0 == 0x22 }.count))
        }
    }

    @Test func theSplitIsALineEndOutsideQuotes() throws {
        let f = SplitRead.scope("a,b\n\"x\ny\",z\nq,r\n")
        let path = f.path("transfers.csv")
        // From offset 5 the first line end is inside the quoted field; the next one is the split.
        let split = try #require(try FileSplit.boundary(path: path, target: 5))
        #expect(split.offset == 12)
        #expect(split.line == 4)
        // The file's last line end: the second part would be empty, and the loader reads alone.
        #expect(try FileSplit.boundary(path: path, target: 14)?.offset == 16)
        #expect(try FileSplit.boundary(path: path, target: 16) == nil)
    }
}
