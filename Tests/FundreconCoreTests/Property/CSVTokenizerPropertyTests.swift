import Foundation
import PropertyBased
import Testing
@testable import FundreconCore

/// The reader and its tokenizer against `PlainCSV` on random bytes drawn mostly from the
/// grammar's own (quotes, commas, CR, LF, blanks, a Chinese character, a bad byte).
@Suite struct CSVTokenizerProperties {
    static let alphabet: [[UInt8]] = [[0x22], [0x22], [0x2C], [0x2C], [0x0A], [0x0D], [0x0D, 0x0A], [0x20], [0x09],
                                      [0x61], [0x62], Array("中".utf8), [0xFF], [0x00]]
    static let text = Gen.element(of: alphabet).map { $0 ?? [0x2C] }.array(of: 0...120).map { $0.flatMap { $0 } }

    /// What the reader hands out, in the oracle's terms.
    static func read(_ bytes: [UInt8], chunkSize: Int, fast: Bool) throws -> [PlainCSV.Record] {
        let reader = try CSVReader(path: writeTemp(bytes), encoding: .utf8, chunkSize: chunkSize)
        reader.splitsUnquotedFast = fast
        var out: [PlainCSV.Record] = []
        while try reader.next() {
            let problem: String? = switch reader.problem {
            case nil: nil
            case .unterminatedQuote: "unterminated quote"
            case .recordTooLong: "record too long"
            case .textAfterClosingQuote(let i): "text after closing quote in field \(i)"
            }
            out.append(PlainCSV.Record(line: reader.line, endLine: reader.endLine,
                                       fields: (0..<reader.fieldCount).map { Array(reader.field($0)) }, problem: problem))
        }
        return out
    }

    @Test func theReaderReadsWhatThePlainReaderReadsAtAnyChunkSize() async throws {
        await propertyCheck(count: 300, input: Self.text, Gen.int(in: 4...40), Gen.bool) { bytes, chunk, fast in
            let expected = PlainCSV.records(bytes)
            let got = try Self.read(bytes, chunkSize: chunk, fast: fast)
            #expect(got == expected, "chunk \(chunk), fast \(fast), bytes \(bytes)")
        }
    }

    @Test func theReaderReadsWhatThePlainReaderReadsInOneChunk() async throws {
        await propertyCheck(count: 300, input: Self.text) { bytes in
            let got = try Self.read(bytes, chunkSize: CSVReader.defaultChunkSize, fast: true)
            #expect(got == PlainCSV.records(bytes), "bytes \(bytes)")
        }
    }

    /// Long plain records, where the vectorised split takes 16 bytes at a time, and quoted
    /// fields among them.
    @Test func longRecordsReadAlike() async throws {
        let word = Gen.element(of: ["韶关市知识产权局", "2021-03-01", "1,234.5", "\"备注，含逗号\n第二行\"", "\"a\"\"b\"", "", "  x  ", "T\r"])
            .map { $0 ?? "" }
        let row = word.array(of: 1...20).map { $0.joined(separator: ",") }
        await propertyCheck(count: 100, input: row.array(of: 0...30), Gen.bool) { rows, crlf in
            let bytes = Array(rows.joined(separator: crlf ? "\r\n" : "\n").utf8)
            for chunk in [7, 64, CSVReader.defaultChunkSize] {
                let got = try Self.read(bytes, chunkSize: chunk, fast: true)
                #expect(got == PlainCSV.records(bytes), "chunk \(chunk): \(rows)")
            }
        }
    }

    /// The tokenizer alone, over the whole input at once: each record's fields as spans of it.
    @Test func theTokenizerAloneSplitsAsThePlainReader() async {
        await propertyCheck(count: 300, input: Self.text) { bytes in
            var got: [PlainCSV.Record] = []
            let fields = FieldList()
            let tokenizer = CSVTokenizer(maxRecordBytes: 1 << 20)
            let text = PlainCSV.decoded(bytes)  // the tokenizer sees decoded text
            text.withUnsafeBufferPointer { p in
                guard let base = p.baseAddress else { return }
                var pos = 0, line = 1
                while pos < p.count {
                    let outcome = tokenizer.readRecord(base, from: pos, end: p.count, atEnd: true, into: fields)
                    var record = PlainCSV.Record(line: line, endLine: line, fields: [], problem: nil)
                    switch outcome {
                    case .needMore:
                        Issue.record("needMore with the whole input given")
                        return
                    case let .record(next, lines, problem):
                        record.endLine = line + lines
                        if case .textAfterClosingQuote(let i) = problem { record.problem = "text after closing quote in field \(i)" }
                        pos = next
                    case let .unterminatedQuote(next, _):
                        record.problem = "unterminated quote"
                        pos = next
                    }
                    record.fields = (0..<fields.count).map { Self.value(p, fields[$0]) }
                    if record.problem != nil || !CSVTokenizer.isBlank(base, fields) { got.append(record) }
                    line = record.endLine + 1
                }
            }
            #expect(got == PlainCSV.records(PlainCSV.decoded(bytes), crLineEnds: false), "bytes \(bytes)")
        }
    }

    /// A span's value as the reader gives it: trimmed, doubled quotes undoubled.
    static func value(_ p: UnsafeBufferPointer<UInt8>, _ f: FieldSpan) -> [UInt8] {
        var s = f.start, e = f.end
        while s < e && (p[s] == 0x20 || p[s] == 0x09) { s += 1 }
        while e > s && (p[e - 1] == 0x20 || p[e - 1] == 0x09 || p[e - 1] == 0x0D) { e -= 1 }
        var out: [UInt8] = []
        var k = s
        while k < e {
            out.append(p[k])
            k += (f.hasEscapedQuotes && p[k] == 0x22 && k + 1 < e && p[k + 1] == 0x22) ? 2 : 1
        }
        return out
    }
}
