import PropertyBased
import Testing
@testable import FundreconCore

/// The receipts' sender vouchers held packed: each row reads back the very text it was given.
@Suite struct WrittenVouchersTests {
    static func readBack(_ column: WrittenVouchers) -> [String?] {
        var reader = column.reader()
        return (0..<column.count).map { i in reader.voucher(ofRow: i).map { String(decoding: $0, as: UTF8.self) } }
    }

    static func column(_ vouchers: [String?]) -> WrittenVouchers {
        var column = WrittenVouchers()
        for v in vouchers { column.append(v) }
        return column
    }

    @Test func everyKindOfVoucherReadsBackAsWritten() {
        let long = String(repeating: "9", count: 16)
        let vouchers: [String?] = ["T0000000001", "T1", "T01", nil, "记-2021-0012345", "付字第123号", "ABC", "X" + long,
                                   "", "0", "007", "P-2021-000002", "ABC", "拨付"]
        // An empty cell names no voucher, as nil does.
        #expect(Self.readBack(Self.column(vouchers)) == vouchers.map { $0 == "" ? nil : $0 })
    }

    @Test func keepingTheFirstRowsDropsTheLaterOnesOfEveryKind() {
        var column = Self.column(["T1", "ABC", nil, "DEF", "T2", "GHI"])
        column.keepFirst(4)
        column.append("JKL")
        column.append("T3")
        #expect(Self.readBack(column) == ["T1", "ABC", nil, "DEF", "JKL", "T3"])
    }

    @Test func pastTheLastShapeVouchersAreKeptAsText() {
        let shapes = (0..<(VoucherPacker.maxShapes + 30)).map { "S\($0)-" }
        let vouchers: [String?] = shapes.flatMap { ["\($0)1", "\($0)002"] }
        #expect(Self.readBack(Self.column(vouchers)) == vouchers)
    }

    @Test func answeringChunkByChunkOnTwoThreadsAnswersEveryRowInOrderAndEmptiesTheColumn() {
        // Seven rows a chunk: 100 rows make fifteen chunks, the last one short, dealt in turn.
        var column = WrittenVouchers(chunkRows: 7)
        let vouchers: [String?] = (0..<100).map { i in i % 9 == 0 ? nil : i % 5 == 0 ? "付字第\(i)号" : "T\(i)" }
        for v in vouchers { column.append(v) }
        column.keepFirst(97)
        #expect(Self.readBack(column) == Array(vouchers.prefix(97)))
        let answers = column.answered {
            { text in text.map { Int32(String(decoding: $0, as: UTF8.self).count) } ?? -1 }
        }
        #expect(column.count == 0)
        #expect(answers.count == 97)
        #expect((0..<97).map { answers[$0] } == vouchers.prefix(97).map { $0.map { Int32($0.count) } ?? -1 })
    }

    @Test func randomVouchersReadBackAsWritten() async {
        // Digits, a few letters and a Chinese character: shared shapes, long runs, no digits.
        let pieces: [String] = ["0", "1", "9", "A", "-", "号", "12345678901234567"]
        await propertyCheck(count: 200, input: Gen.element(of: pieces).map { $0 ?? "0" }.array(of: 0...6).array(of: 0...200)) { rows in
            let vouchers: [String?] = rows.map { $0.isEmpty ? nil : $0.joined() }
            #expect(Self.readBack(Self.column(vouchers)) == vouchers)
        }
    }
}
