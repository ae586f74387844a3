import PropertyBased
import Synchronization
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

    /// A voucher as an answerer is handed it, spelt.
    static func text(_ v: WrittenVouchers.Voucher, _ shapes: [[UInt8]]) -> String {
        switch v {
        case .text(let t): return String(decoding: t, as: UTF8.self)
        case .packed(let key): return String(decoding: VoucherPacker.spell(key, shape: shapes[Int(key >> 54) - 1]), as: UTF8.self)
        }
    }

    @Test func answeringChunkByChunkOnTwoThreadsAnswersEveryRowInOrderAndEmptiesTheColumn() {
        // Seven rows a chunk: 100 rows make fifteen chunks, the last one short, dealt in turn.
        var column = WrittenVouchers(chunkRows: 7)
        let vouchers: [String?] = (0..<100).map { i in i % 9 == 0 ? nil : i % 5 == 0 ? "付字第\(i)号" : "T\(i)" }
        for v in vouchers { column.append(v) }
        column.keepFirst(97)
        #expect(Self.readBack(column) == Array(vouchers.prefix(97)))
        let answers = column.answered { shapes in
            WrittenVouchers.Answerer(prefetch: { _ in }, answer: { v in v.map { Int32(Self.text($0, shapes).count) } ?? -1 })
        }
        #expect(column.count == 0)
        #expect(answers.count == 97)
        #expect((0..<97).map { answers[$0] } == vouchers.prefix(97).map { $0.map { Int32($0.count) } ?? -1 })
    }

    /// The look-ups are started a block ahead: each thread is asked to load every voucher it
    /// then answers, in the same order, before it answers it and at most a block before.
    @Test func eachVoucherIsPrefetchedBeforeItIsAnsweredAndAtMostABlockAhead() {
        var column = WrittenVouchers(chunkRows: 50)
        let vouchers: [String?] = (0..<300).map { i in i % 7 == 0 ? nil : i % 11 == 0 ? "付字第\(i)号" : "T\(i)" }
        for v in vouchers { column.append(v) }
        enum Event: Equatable, Sendable { case prefetch(String), answer(String?) }
        let logs = Mutex<[[Event]]>([])
        _ = column.answered { shapes in
            let me = logs.withLock { $0.append([]); return $0.count - 1 }
            func note(_ e: Event) { logs.withLock { $0[me].append(e) } }
            return WrittenVouchers.Answerer(prefetch: { note(.prefetch(Self.text($0, shapes))) },
                                            answer: { note(.answer($0.map { Self.text($0, shapes) })); return 0 })
        }
        let all = logs.withLock { $0 }
        #expect(all.count == 2)
        var answeredEverywhere: [String?] = []
        for log in all {
            var pending: [String] = []
            for event in log {
                switch event {
                case .prefetch(let text):
                    pending.append(text)
                    #expect(pending.count <= WrittenVouchers.answerBlock)
                case .answer(let text):
                    answeredEverywhere.append(text)
                    guard let text else { continue }
                    #expect(pending.first == text)
                    if !pending.isEmpty { pending.removeFirst() }
                }
            }
            #expect(pending.isEmpty)
        }
        #expect(answeredEverywhere.sorted { ($0 ?? "") < ($1 ?? "") } == vouchers.sorted { ($0 ?? "") < ($1 ?? "") })
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
