import Foundation
import PropertyBased
import Testing
@testable import FundreconCore

/// Inputs made to break a reader: each gets a clear finding and exit 1, never a crash, a
/// silent loss or a phantom row.
@Suite struct HostileInputs {
    static func findings(_ r: CheckResult, _ file: String) -> [Finding] { r.findings.filter { $0.primary.file.hasSuffix("/" + file) } }

    // MARK: Sums past Int64

    /// 9 × 10^11 万元 is 9 × 10^17 分 each: one fits, two pass the most a file may add up to.
    @Test func transfersWhoseSumWouldOverflowAreRejectedNotACrash() throws {
        var f = Fixture()
        f.append("transfers.csv", "T5,2021-04-11,F1,K,G1,900000000000,ok,,")
        f.append("transfers.csv", "T6,2021-04-12,F1,K,G1,900000000000,ok,,")
        f.append("spending.csv", "S3,2021-06-02,G1,F1,900000000000,paid,甲,")
        f.append("spending.csv", "S4,2021-06-03,G1,F1,900000000000,paid,甲,")
        f.append("plan.csv", "5,F1,K,G1,900000000000,factor,,2021-05-31")
        f.append("plan.csv", "6,F1,K,G1,9000000000000,factor,,2021-05-31")
        f.write()
        let r = f.check()
        for (file, line) in [("transfers.csv", 7), ("spending.csv", 5), ("plan.csv", 7)] {
            let over = Self.findings(r, file).filter { $0.code == .IN005 && $0.message.en.contains("takes this file's total past") }
            #expect(over.map(\.primary.line) == [line], "\(file)")
        }
        // The whole run, to the report, on the same scope.
        let out = Fixture.makeTempDir()
        let run = try CLI.run(["reconcile", f.dir, "-o", out, "--quiet"])
        #expect(run.status == 1, "\(run.stderr)")
        let json = try String(contentsOfFile: out + "/reconciliation-\((f.dir as NSString).lastPathComponent)-2021-12-31.json", encoding: .utf8)
        #expect(json.contains("takes this file's total past"))
    }

    /// Amounts near the limit in any order: the rows kept are exactly those a plain running
    /// total keeps (in file order, each while the total of sizes stays within 2^60 分), and
    /// reconciling them never traps.
    @Test func amountsNearTheLimitKeepWhatAPlainRunningTotalKeeps() async throws {
        let limit: Int64 = 1 << 60
        let amount = Gen.int64(in: (limit / 4 - 1000)...(limit / 2 + 1000)).map { $0 * (Bool.random() ? 1 : -1) }
        await propertyCheck(count: 25, input: amount.array(of: 1...9)) { fens in
            var f = Fixture()
            for (i, fen) in fens.enumerated() {
                // In 元 with two decimals, so that the file says the exact 分.
                let yuan = "\(fen / 100).\(String(format: "%02d", abs(fen % 100)))"
                f.append("transfers.csv", "N\(i),2021-04-1\(i % 9),F1,K,G1,\(fen < 0 && fen / 100 == 0 ? "-" : "")\(yuan)元,ok,,")
            }
            f.write()
            var total: Int64 = 0
            var expected: [Int64] = [100_000_000, 60_000_000, 40_000_000, 60_000_000]  // the fixture's own four
            total = expected.reduce(0) { $0 + $1 }
            for fen in fens where total + fen.magnitudeAsInt64 <= limit {
                total += fen.magnitudeAsInt64
                expected.append(fen)
            }
            let loader = ScopeLoader(settings: Settings(), fileExists: FileSystem.isFile)
            let kept = loader.loadKeepingTransfers(ScopeSources.folder(f.dir, existing: FileSystem.isFile))
            #expect(kept.rows.map(\.amount) == expected, "\(fens)")
            _ = Reconciler.run(ScopeSources.folder(f.dir, existing: FileSystem.isFile), settings: Settings(),
                               today: Day(year: 2022, month: 1, day: 1)!, fileExists: FileSystem.isFile)
        }
    }

    /// The largest tolerance the settings take (just under 10^12 万元) is read, not a trap.
    @Test func theLargestToleranceIsReadNotATrap() throws {
        let f = Fixture()
        f.write()
        #expect(FileManager.default.createFile(atPath: f.path("fundrecon.toml"), contents: Data("tolerance = 999999999999.0\n".utf8)), "the test wrote its file")
        #expect(try CLI.run(["check", f.dir]).status == 0)
        #expect(FileManager.default.createFile(atPath: f.path("fundrecon.toml"), contents: Data("tolerance = 1e13\n".utf8)), "the test wrote its file")
        #expect(try CLI.run(["check", f.dir]).status == 2)
    }

    // MARK: Line ends, encodings, field lengths

    /// Lines ended by CR alone (classic Mac OS, some exporters) read as lines: the same rows
    /// and findings as the LF file.
    @Test func crOnlyLineEndsReadAsLines() {
        var f = Fixture()
        f.edit("transfers.csv", "T3,2021-03-21,F2,C,G2,40,", "T3,2021-03-21,F2,C,G2,4O,")
        let lf = f.check()
        f.files = f.files.mapValues { $0.replacingOccurrences(of: "\n", with: "\r") }
        let cr = f.check()
        #expect(cr.scope.stats.map(\.rowsRead) == lf.scope.stats.map(\.rowsRead))
        #expect(cr.scope.stats(.transfers)?.rowsRead == 4)
        #expect(cr.findings.map { "\($0.code) \($0.primary.line ?? 0):\($0.primary.column ?? 0)" }
                == lf.findings.map { "\($0.code) \($0.primary.line ?? 0):\($0.primary.column ?? 0)" })
    }

    /// A header with no row under it whose names are mostly unknown is an error, not an empty ledger.
    @Test func aSingleLineOfUnknownNamesIsAnErrorNotAnEmptyFile() {
        var f = Fixture()
        f.files["spending.csv"] = "voucher,date,entity,project,amount,status,payee,note,x1,x2,x3,x4,x5,x6,x7,x8,x9\n"
        let r = f.check()
        #expect(Self.findings(r, "spending.csv").contains { $0.code == .IN001 && $0.message.en.contains("has a single line") })
        #expect(r.exitCode(failOn: .error) == 1)
        // An empty ledger with its own header is fine.
        f.files["spending.csv"] = "voucher,date,entity,project,amount,status,payee,note\n"
        #expect(!f.check().findings.contains { $0.code == .IN001 })
    }

    /// One stray byte in a GB18030 file costs its row, as in a UTF-8 file; so does a
    /// character cut by the file's end, or a row saved as UTF-8 (its bytes do not all pair up
    /// as GB18030).
    @Test func oneBadByteInGB18030CostsOneRowNotTheFile() throws {
        var f = Fixture()
        f.files["spending.csv"] = nil
        f.write()
        let rows = ["voucher,date,entity,project,amount,status,payee,note"]
            + (1...40).map { "S\($0),2021-06-01,G1,F1,1,paid,韶关市雷门专利事务所第\($0)号供应商,备注" }
        let clean = gb18030(rows.joined(separator: "\r\n") + "\r\n")
        for (damage, badLine) in [("stray byte", 11), ("cut at the end", 41), ("a UTF-8 row", 42)] {
            var bytes = clean
            switch damage {
            case "stray byte":
                let at = gb18030(rows[0..<10].joined(separator: "\r\n") + "\r\nS10,2021").count
                bytes.insert(0xFF, at: at)
            case "cut at the end":
                bytes = gb18030(rows.joined(separator: "\r\n"))
                bytes.removeLast()  // half of the last character
            default:
                bytes = clean + Array("S99,2021-06-01,G1,F1,1,paid,乳源县,UTF-8 行\r\n".utf8)
            }
            #expect(FileManager.default.createFile(atPath: f.path("spending.csv"), contents: Data(bytes)), "the test wrote its file")
            let r = CheckRun.run(ScopeSources.folder(f.dir, existing: FileSystem.isFile), settings: Settings(), fileExists: FileSystem.isFile)
            let stats = r.scope.stats(.spending)
            #expect(stats?.encoding == .gb18030, "\(damage)")
            #expect(stats?.rejectedWhole == false, "\(damage)")
            let bad = Self.findings(r, "spending.csv").filter { $0.code == .IN002 }
            #expect(bad.map(\.primary.line) == [badLine], "\(damage)")
            #expect(stats?.rowsUsed == (stats?.rowsRead ?? 0) - bad.count, "\(damage)")
        }
    }

    /// A quoted value of 5 MB that does close is one row too long, at its line: no phantom
    /// rows from its lines, no "quote never closed", and the next row reads as usual.
    @Test func aClosedFiveMegabyteFieldIsOneRowTooLong() {
        var f = Fixture()
        let longNote = String(repeating: "很长的备注，", count: 150_000) + "\n" + String(repeating: "第二行", count: 100_000)
        f.edit("transfers.csv", "T2,2021-03-20,F1,C,K,60,ok,,", "T2,2021-03-20,F1,C,K,60,ok,,\"\(longNote)\"")
        let r = f.check()
        let stats = r.scope.stats(.transfers)
        #expect(stats?.rowsRead == 4 && stats?.rowsRejected == 1)
        let shape = Self.findings(r, "transfers.csv").filter { $0.code == .IN004 }
        #expect(shape.map(\.primary.line) == [3])
        #expect(shape.first?.message.en.contains("longer than 1 MiB") == true)
        #expect(!r.findings.contains { $0.message.en.contains("unterminated") })
    }

    // MARK: Headers and values

    @Test func twoColumnsForTheSameFieldAreAnErrorAndTheFileIsNotRead() {
        var f = Fixture()
        f.edit("transfers.csv", "voucher,date,project,from,to,amount,status,document,note", "voucher,date,project,from,to,金额（万元）,status,document,金额（万元）")
        let r = f.check()
        let header = Self.findings(r, "transfers.csv").filter { $0.code == .IN001 }
        #expect(header.count == 1 && header.first?.primary.line == 1)
        #expect(r.scope.stats(.transfers)?.rejectedWhole == true)
        #expect(r.exitCode(failOn: .error) == 1)
    }

    @Test func aCurrencySignMeansYuanUnlessTheValueSaysOtherwise() {
        for (text, fen) in [("¥100", Int64(10_000)), ("￥1,000.50", 100_050), ("RMB 100", 10_000), ("cny-5", -500),
                            ("¥100万元", 100_000_000), ("-¥2", -200)] {
            #expect(ValueParsers.parseAmount(text, unit: .wanYuan) == .success(fen), "\(text)")
        }
    }

    @Test func controlCharactersInAValueAreEscapedInDiagnostics() throws {
        var f = Fixture()
        f.edit("transfers.csv", "T3,2021-03-21,F2,C,G2,40,", "T3,2021-03-21,F2,C,G2,4\u{0}\u{1B}[31m0,")
        f.write()
        let r = try CLI.run(["check", f.dir, "--lang", "en"])
        #expect(r.status == 1)
        #expect(!r.stderr.utf8.contains(0) && !r.stderr.utf8.contains(0x1B))
        #expect(r.stderr.contains("4\\x00\\x1B[31m0"), "\(r.stderr)")
        let github = try CLI.run(["check", f.dir, "--format", "github"])
        #expect(!github.stdout.utf8.contains(0) && github.stdout.contains("\\x00"))
    }
}

private extension Int64 {
    var magnitudeAsInt64: Int64 { Int64(magnitude) }
}
