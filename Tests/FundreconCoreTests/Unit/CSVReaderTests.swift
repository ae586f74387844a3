import Foundation
import PropertyBased
import Testing
@testable import FundreconCore
#if canImport(Glibc)
import Glibc
#endif

/// Encodes UTF-8 text as GB18030 with glibc's iconv (independently of the reader's decoder).
func gb18030(_ text: String) -> [UInt8] {
    let cd = iconv_open("GB18030", "UTF-8")
    defer { iconv_close(cd) }
    var input = Array(text.utf8)
    var output = [UInt8](repeating: 0, count: input.count * 2 + 16)
    let written: Int = input.withUnsafeMutableBufferPointer { inBuf in
        output.withUnsafeMutableBufferPointer { outBuf in
            var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuf.baseAddress!).assumingMemoryBound(to: CChar.self)
            var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuf.baseAddress!).assumingMemoryBound(to: CChar.self)
            var inLeft = inBuf.count, outLeft = outBuf.count
            _ = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
            return outBuf.count - outLeft
        }
    }
    return Array(output.prefix(written))
}

/// Where two long lists of rows first differ (a failure prints the row, not both lists).
private func firstDifference(_ a: [[String]], _ b: [[String]]) -> (index: Int, got: [String], expected: [String])? {
    zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }.map { ($0.offset, $0.element.0, $0.element.1) }
}

@Suite struct CSVReading {
    @Test func quotedFieldsHoldCommasLineBreaksAndDoubledQuotes() throws {
        let path = writeTemp(Array("a,b,c\n1,\"x, y\",\"line1\nline2\"\n2,\"say \"\"hi\"\"\",z\n".utf8))
        let rows = try records(at: path)
        #expect(rows.count == 3)
        #expect(rows[1].fields == ["1", "x, y", "line1\nline2"])
        #expect(rows[1].line == 2 && rows[1].endLine == 3)
        #expect(rows[2].fields == ["2", "say \"hi\"", "z"])
        #expect(rows[2].line == 4)
    }

    @Test func crlfAndMissingTrailingNewline() throws {
        let rows = try records(at: writeTemp(Array("a,b\r\n1,2\r\n3,4".utf8)))
        #expect(rows.map(\.fields) == [["a", "b"], ["1", "2"], ["3", "4"]])
        #expect(rows.map(\.line) == [1, 2, 3])
    }

    @Test func blankLinesAreSkippedButCounted() throws {
        let rows = try records(at: writeTemp(Array("a,b\n\n1,2\n   \n,\n3,4\n".utf8)))
        #expect(rows.map(\.fields) == [["a", "b"], ["1", "2"], ["3", "4"]])
        #expect(rows.map(\.line) == [1, 3, 6])
    }

    @Test func byteOrderMarkIsDroppedAndNamed() throws {
        let path = writeTemp([0xEF, 0xBB, 0xBF] + Array("编码,名称\nA,甲\n".utf8))
        let reader = try CSVReader(path: path)
        #expect(try reader.next())
        #expect(reader.string(0) == "编码")
        #expect(reader.encoding == .utf8BOM)
    }

    @Test func gb18030WithCRLFGivesExactlyTheRowsOfItsUTF8Twin() throws {
        let text = "凭证号,日期,备注\r\nSG-1,2021年5月20日,\"韶关市知识产权局，促进科\r\n（含二次分配）\"\r\nSG-2,2021-02-04,乳源瑶族自治县东阳光化成箔有限公司\r\n"
        let utf8 = try records(at: writeTemp(Array(text.utf8)))
        let gbBytes = gb18030(text)
        #expect(gbBytes.count < Array(text.utf8).count)  // really re-encoded: 2 bytes a character
        let gbPath = writeTemp(gbBytes)
        let gb = try records(at: gbPath)
        #expect(gb.count == 3)
        #expect(gb.map(\.fields) == utf8.map(\.fields))
        #expect(gb.map(\.line) == utf8.map(\.line))
        #expect(gb[1].fields[2] == "韶关市知识产权局，促进科\r\n（含二次分配）")
        let reader = try CSVReader(path: gbPath)
        _ = try reader.next()
        #expect(reader.encoding == .gb18030)
    }

    @Test func forcedEncodingIsObeyed() throws {
        let path = writeTemp(gb18030("名称\n乳源县\n"))
        let rows = try records(at: path, encoding: .gb18030)
        #expect(rows.map(\.fields) == [["名称"], ["乳源县"]])
    }

    @Test func bytesThatAreNeitherEncodingRejectTheFile() throws {
        // 0xFF is never valid in UTF-8 or GB18030.
        let reader = try CSVReader(path: writeTemp(Array("a,b\n".utf8) + [0xFF, 0xFF, 0x2C, 0x31, 0x0A]))
        #expect(try reader.next())
        #expect(reader.undecodable)
    }

    @Test func aLaterUndecodableByteMarksItsRowWithTheColumn() throws {
        // Chinese text decides UTF-8 early; a stray byte on line 3 only spoils line 3.
        let bytes = Array("名称,金额\n甲,1\n乙".utf8) + [0xC3, 0x28] + Array(",2\n丙,3\n".utf8)
        let reader = try CSVReader(path: writeTemp(bytes))
        var spoiled: [(Int, Int)] = []
        while try reader.next() {
            if let loc = reader.decodeErrorLocation { spoiled.append((loc.line, loc.column)) }
        }
        #expect(spoiled.count == 1)
        #expect(spoiled.first?.0 == 3 && spoiled.first?.1 == 2)
    }

    @Test func anUnterminatedQuoteSpoilsOneLineNotTheRestOfTheFile() throws {
        let path = writeTemp(Array("a,b\n1,\"oops\n2,x\n3,y\n".utf8))
        let reader = try CSVReader(path: path)
        var seen: [(Int, RecordProblem?, String)] = []
        while try reader.next() { seen.append((reader.line, reader.problem, reader.string(0))) }
        #expect(seen.count == 4)
        #expect(seen[1].0 == 2 && seen[1].1 == .unterminatedQuote)
        #expect(seen[2].0 == 3 && seen[2].1 == nil && seen[2].2 == "2")
        #expect(seen[3].0 == 4 && seen[3].2 == "3")
    }

    @Test func textAfterAClosingQuoteIsAProblem() throws {
        let reader = try CSVReader(path: writeTemp(Array("a,b\n\"x\"y,2\n".utf8)))
        _ = try reader.next()
        #expect(try reader.next())
        #expect(reader.problem == .textAfterClosingQuote(fieldIndex: 0))
    }

    @Test func recordsSpanningChunkBoundariesReadWhole() throws {
        // ~9 MB: records and multi-byte characters cross the 4 MiB chunk boundaries.
        var text = "id,name,note\n"
        let count = 120_000
        for i in 0..<count { text += "\(i),韶关市知识产权局第\(i)号,\"备注，含逗号\n第二行\"\n" }
        let rows = try records(at: writeTemp(Array(text.utf8)))
        #expect(rows.count == count + 1)
        #expect(rows.last?.fields == ["\(count - 1)", "韶关市知识产权局第\(count - 1)号", "备注，含逗号\n第二行"])
        #expect(rows.last?.line == 2 + 2 * (count - 1))
        #expect(rows.allSatisfy { $0.fields.count == 3 })
    }

    @Test func sequencesAndBadBytesAtEveryChunkEndAreReadInPlace() throws {
        // UTF-8 is checked where it was read: a character cut by the end of a chunk waits
        // for the rest, and a bad byte next to the cut spoils its own row only. Shifting the
        // text by 0, 1 and 2 bytes puts each byte of a 3-byte character on the boundary.
        let chunk = CSVReader.defaultChunkSize
        for shift in 0..<3 {
            var bytes = Array("编号,名称\n".utf8) + [UInt8](repeating: 0x61, count: shift) + Array(",x\n".utf8)
            var expected: [[String]] = [["编号", "名称"], [String(repeating: "a", count: shift), "x"]]
            var row = 0
            while bytes.count < 2 * chunk + 1000 {
                let name = "韶关市第\(row)号"
                bytes += Array("\(row),\(name)\n".utf8)
                expected.append(["\(row)", name])
                row += 1
            }
            let badLine = expected.count + 1
            bytes += Array("坏,".utf8) + [0xE9, 0x9F] + Array("\n尾,完\n".utf8)  // a 3-byte character missing its last byte
            expected += [["坏", "??"], ["尾", "完"]]
            let reader = try CSVReader(path: writeTemp(bytes))
            var rows: [[String]] = []
            var spoiled: [Int] = []
            while try reader.next() {
                rows.append((0..<reader.fieldCount).map { reader.string($0) })
                if reader.decodeErrorLocation != nil { spoiled.append(reader.line) }
            }
            #expect(rows.count == expected.count, "shift \(shift)")
            #expect(firstDifference(rows, expected) == nil, "shift \(shift)")
            #expect(spoiled == [badLine], "shift \(shift)")
            #expect(reader.encoding == .utf8)
        }
    }

    @Test func gb18030AfterAnASCIIOnlyFirstChunkIsDecodedFromWhereItWasRead() throws {
        // The first chunk decides nothing; the one that does was read in place and is moved
        // to the decoder's buffer.
        var text = "id,name\n"
        var expected: [[String]] = [["id", "name"]]
        var row = 0
        while text.utf8.count < CSVReader.defaultChunkSize + 500 {
            text += "\(row),plain\n"
            expected.append(["\(row)", "plain"])
            row += 1
        }
        for k in 0..<2000 {
            text += "\(k),乳源瑶族自治县第\(k)号\n"
            expected.append(["\(k)", "乳源瑶族自治县第\(k)号"])
        }
        let reader = try CSVReader(path: writeTemp(gb18030(text)))
        var rows: [[String]] = []
        while try reader.next() { rows.append((0..<reader.fieldCount).map { reader.string($0) }) }
        #expect(reader.encoding == .gb18030)
        #expect(rows.count == expected.count)
        #expect(firstDifference(rows, expected) == nil)
    }

    @Test func byteOrderMarkBeforeALongFileIsDroppedOnce() throws {
        var text = "编码,名称\n"
        for i in 0..<60_000 { text += "U\(i),单位\(i)\n" }
        let rows = try records(at: writeTemp([0xEF, 0xBB, 0xBF] + Array(text.utf8)))
        #expect(rows.count == 60_001)
        #expect(rows.first?.fields == ["编码", "名称"])
        #expect(rows.last?.fields == ["U59999", "单位59999"])
    }

    @Test func fieldColumnsCountCharactersNotBytes() throws {
        let reader = try CSVReader(path: writeTemp(Array("a,b,c\n乳源县,\"x\",金额\n".utf8)))
        _ = try reader.next()
        _ = try reader.next()
        #expect(reader.location(ofField: 1) == (2, 5))
        #expect(reader.location(ofField: 2) == (2, 9))
    }
}

/// Records without a quoted field are split 16 bytes at a time; every record must come out
/// as the byte-by-byte split gives it: fields, lines, problems and bad bytes.
@Suite struct FastSplit {
    static func records(_ bytes: [UInt8], fast: Bool) throws -> [String] {
        let reader = try CSVReader(path: writeTemp(bytes))
        reader.splitsUnquotedFast = fast
        var out: [String] = []
        while try reader.next() {
            let fields = (0..<reader.fieldCount).map { reader.string($0) }
            out.append("\(reader.line)-\(reader.endLine) \(String(describing: reader.problem)) \(String(describing: reader.decodeErrorLocation)) \(fields)")
        }
        return out
    }

    @Test func agreesWithTheByteByByteSplit() async throws {
        // Commas, quotes, line ends, CRs, blanks, Chinese and a bad byte, in runs long enough
        // to cross 16-byte blocks; and rows of more fields than the fast split takes.
        let pieces: [[UInt8]] = [[0x2C], [0x22], [0x0A], [0x0D, 0x0A], [0x0D], [0x20], Array("金额".utf8), Array("abcdefghijklmnopq".utf8),
                                 [0xFF], Array("12.5".utf8), Array(String(repeating: ",", count: 70).utf8)]
        await propertyCheck(count: 300, input: Gen.element(of: pieces).map { $0 ?? [] }.array(of: 0...60)) { parts in
            let bytes = Array("a,b,c\n".utf8) + parts.flatMap { $0 }
            let fast = try? FastSplit.records(bytes, fast: true), slow = try? FastSplit.records(bytes, fast: false)
            #expect(fast != nil)
            #expect(fast == slow)
        }
    }

    @Test func aLongPlainFileSplitsTheSameEitherWay() throws {
        var text = "voucher,date,project,from,to,amount,status,document,note\r\n"
        for i in 0..<30_000 { text += "T\(i),2021-01-\(i % 28 + 1),F\(i % 7),P,C\(i % 21),\(i).5,ok,粤财工〔2021〕1号,\(i % 5 == 0 ? "\"备注,含逗号\"" : "")\r\n" }
        let bytes = Array(text.utf8)
        let fast = try FastSplit.records(bytes, fast: true)
        #expect(fast.count == 30_001)
        let slow = try FastSplit.records(bytes, fast: false)
        #expect(fast == slow)
    }
}
