import Foundation
import PropertyBased
import Testing
@testable import FundreconCore

/// Random, truncated and mutated bytes never crash the loader, and every record of the file
/// (as `PlainCSV` reads it) ends up as a used row or a rejected row with a finding.
@Suite struct ReaderProperties {
    static let header = "voucher,date,project,from,to,amount,status,document,note\n"
    static let validRows = [
        "T1,2021-03-01,F,P,C,100,ok,粤财工〔2021〕1号,",
        "T2,2021-03-20,F1,C,K,60,ok,,\"备注，含逗号\n第二行\"",
        "T3,2021年4月2日,F2,C,G2,\"1,234.5元\",成功,,",
        "T4,20210501,F1,K,G1,-60,returned,,\"say \"\"hi\"\"\"",
    ]
    /// Bytes that matter to the grammar, plus the lead bytes of multi-byte characters.
    static let interesting: [UInt8] = [0x22, 0x2C, 0x0A, 0x0D, 0x20, 0x00, 0xE4, 0xB8, 0xAD, 0xFF, 0x80, 0xC3]

    /// Loads `bytes` as transfers.csv of the clean fixture scope and checks the accounting.
    static func checkAccounting(_ bytes: [UInt8]) {
        var f = Fixture()
        f.files["transfers.csv"] = nil
        f.write()
        let path = f.path("transfers.csv")
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)), "the test wrote its file")

        // The records, as the plain reader finds them (a byte-order mark is not text).
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        let recs = PlainCSV.records(Array(bytes.starts(with: bom) ? bytes.dropFirst(3) : bytes[...]))
        let loader = ScopeLoader(settings: Settings(), fileExists: FileSystem.isFile)
        let sunk = loader.loadKeepingTransfers(ScopeSources.folder(f.dir, existing: FileSystem.isFile)).rows.count
        guard let stats = loader.scope.stats(.transfers) else {
            Issue.record("no stats for transfers.csv")
            return
        }
        let findings = loader.log.findings.filter { $0.primary.file == path }
        let dataRecords = Array(recs.dropFirst())
        #expect(stats.rowsRead == dataRecords.count, "records: \(recs)")
        if stats.rejectedWhole {
            #expect(stats.rowsRejected == stats.rowsRead)
            #expect(findings.contains { $0.code == .IN001 || $0.code == .IN002 })
            return
        }
        // Used rows reach the sink; rejected rows each carry a finding inside their lines.
        #expect(sunk + stats.rowsRejected == stats.rowsRead)
        let findingLines = findings.filter { $0.code != .IN010 }.compactMap(\.primary.line)
        let rejectedRecords = dataRecords.filter { r in findingLines.contains { (r.line...r.endLine).contains($0) } }
        #expect(rejectedRecords.count == stats.rowsRejected)
    }

    @Test func randomBytesAfterAValidHeader() async {
        let byte = Gen.uint8(in: 0...255)
        let biased = Gen.element(of: ReaderProperties.interesting).map { $0 ?? 0x2C }
        await propertyCheck(count: 150, input: Gen.oneOf(byte, biased, Gen.uint8(in: 0x30...0x7A)).array(of: 0...600)) { body in
            ReaderProperties.checkAccounting(Array(ReaderProperties.header.utf8) + body)
        }
    }

    @Test func completelyRandomFiles() async {
        await propertyCheck(count: 100, input: Gen.uint8(in: 0...255).array(of: 0...400)) { bytes in
            ReaderProperties.checkAccounting(bytes)
        }
    }

    @Test func mutatedAndTruncatedValidFiles() async {
        let valid = Array((ReaderProperties.header + ReaderProperties.validRows.joined(separator: "\n") + "\n").utf8)
        let mutation = PropertyBased.zip(Gen.int(in: 0...(valid.count - 1)), Gen.element(of: ReaderProperties.interesting), Gen.int(in: 0...2))
        await propertyCheck(count: 200, input: mutation.array(of: 1...6), Gen.int(in: 0...valid.count)) { mutations, cut in
            var bytes = valid
            for (position, byte, kind) in mutations {
                let at = min(position, bytes.count - 1)
                guard at >= 0, let b = byte else { continue }
                switch kind {
                case 0: bytes[at] = b
                case 1: bytes.insert(b, at: at)
                default: bytes.remove(at: at)
                }
            }
            ReaderProperties.checkAccounting(Array(bytes.prefix(max(cut, ReaderProperties.header.utf8.count))))
        }
    }

    @Test func validRowsAreAllUsed() throws {
        var f = Fixture()
        f.files["transfers.csv"] = ReaderProperties.header + ReaderProperties.validRows.joined(separator: "\r\n") + "\r\n"
        let result = f.check()
        #expect(result.findings.isEmpty, "\(result.findings.map { Diagnostics.line($0, format: .text, language: .en) })")
        #expect(result.scope.stats(.transfers)?.rowsUsed == 4)
    }
}
