import Foundation
import Testing
import ZIPFoundation
@testable import FundreconCore

/// The XML scanner and the workbook reader on what other programs write, and on what nobody
/// should: every malformed part is an error, never a shorter sheet.
@Suite struct SpreadsheetReadTests {
    static func events(_ xml: String) throws -> [String] {
        var s = XMLScanner(Array(xml.utf8))
        var out: [String] = []
        while let e = try s.next() {
            switch e.kind {
            case .open: out.append("<" + String(decoding: s.bytes[e.name], as: UTF8.self) + (e.selfClosing ? "/" : ""))
            case .close: out.append(">" + String(decoding: s.bytes[e.name], as: UTF8.self))
            case .text: out.append("'" + (try s.text(e)))
            }
        }
        return out
    }

    @Test func prefixesCommentsCDATAAndEntitiesAreRead() throws {
        let xml = "\u{FEFF}<?xml version=\"1.0\"?>\n<x:row r=\"1\"><!-- a <b> --><x:c t='s'>a&amp;b&#x4E2D;&#25991;&lt;</x:c><e/><![CDATA[<raw>&amp;]]></x:row>\n"
        #expect(try Self.events(xml) == ["<row", "<c", "'a&b中文<", ">c", "<e/", ">e", "'<raw>&amp;", ">row"])
        var s = XMLScanner(Array("<c r=\"B2\" t=\"a&quot;b\" x:id='7'/>".utf8))
        let e = try #require(try s.next())
        #expect(try s.attribute(e, "t") == "a\"b" && s.attribute(e, "id") == "7" && s.attribute(e, "s") == nil)
    }

    @Test(arguments: [
        "<a><b></a>", "<a>", "<a></a></a>", "<a>&nbsp;</a>", "<a>&amp</a>", "<!DOCTYPE a><a/>", "<a b=\"1></a>", "<a><!-- x</a>", "<>",
    ])
    func malformedXMLIsAnError(xml: String) {
        #expect(throws: XMLScanner.Failure.self) { try Self.events(xml) }
    }

    static func workbook(_ parts: [String: String]) throws -> String {
        let path = NSTemporaryDirectory() + "book-\(UUID().uuidString).xlsx"
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        for (name, text) in parts.sorted(by: { $0.key < $1.key }) {
            let data = Data(text.utf8)
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { p, n in
                data.subdata(in: Int(p)..<(Int(p) + n))
            }
        }
        return path
    }

    static let rels = """
    <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
    <Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/ws/a.xml"/>\
    <Relationship Id="r2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="strings.xml"/>\
    </Relationships>
    """

    static let strings = """
    <sst><si><t>键</t></si><si><r><rPr><b/></rPr><t>已</t></r><r><t xml:space="preserve">说明 </t></r><rPh><t>イ</t></rPh></si></sst>
    """

    @Test func sharedRichAndInlineStringsCellsWithoutReferencesAnd1904Dates() throws {
        let sheet = """
        <worksheet><sheetData><row r="3"><c r="B3" t="s"><v>0</v></c><c t="inlineStr"><is><t>x&amp;y</t></is></c>\
        <c><v>1.5</v></c><c r="F3" t="s"><v>1</v></c><c r="G3" t="str"><f>A1</f><v>算</v></c></row><row><c r="A4"><v>2</v></c></row></sheetData></worksheet>
        """
        let path = try Self.workbook(["xl/workbook.xml": "<workbook><workbookPr date1904=\"1\"/><sheets><sheet name=\"答复\" sheetId=\"1\" r:id=\"r1\"/></sheets></workbook>",
                                      "xl/_rels/workbook.xml.rels": Self.rels, "xl/strings.xml": Self.strings, "xl/ws/a.xml": sheet])
        let file = try SpreadsheetFile(path: path)
        #expect(file.sheets.map(\.name) == ["答复"])
        var rows: [Int: [Int: String]] = [:]
        for (row, cells) in try file.textRows(of: try #require(file.sheets.first)) { rows[row] = cells }
        #expect(rows[3] == [1: "键", 2: "x&y", 3: "1.5", 5: "已说明 ", 6: "算"])
        #expect(rows[4] == [0: "2"])
        // 1904 system: serial 0 is 1904-01-01.
        #expect(file.day(serial: "1")?.description == "1904-01-02")
    }

    @Test func aWorkbookThatIsNotOneIsAnErrorNamingWhy() throws {
        let folder = Fixture.makeTempDir()
        #expect(throws: WorkbookReadError.self) { try SpreadsheetFile(path: folder) }
        let notZip = writeTemp(Array("not a zip".utf8), name: "x.xlsx")
        #expect(throws: WorkbookReadError.self) { try SpreadsheetFile(path: notZip) }
        let noWorkbook = try Self.workbook(["a.txt": "x"])
        #expect(throws: WorkbookReadError.self) { try SpreadsheetFile(path: noWorkbook) }
        // A cell naming a shared string the file does not hold.
        let bad = try Self.workbook(["xl/workbook.xml": "<workbook><sheets><sheet name=\"s\" sheetId=\"1\" r:id=\"r1\"/></sheets></workbook>",
                                     "xl/_rels/workbook.xml.rels": Self.rels, "xl/strings.xml": Self.strings,
                                     "xl/ws/a.xml": "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>9</v></c></row></sheetData></worksheet>"])
        let file = try SpreadsheetFile(path: bad)
        #expect(throws: WorkbookReadError.self) { try file.textRows(of: try #require(file.sheets.first)) }
        // A truncated sheet is an error, not fewer rows.
        let cut = try Self.workbook(["xl/workbook.xml": "<workbook><sheets><sheet name=\"s\" sheetId=\"1\" r:id=\"r1\"/></sheets></workbook>",
                                     "xl/_rels/workbook.xml.rels": Self.rels, "xl/strings.xml": Self.strings,
                                     "xl/ws/a.xml": "<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row r=\"2\">"])
        let cutFile = try SpreadsheetFile(path: cut)
        #expect(throws: WorkbookReadError.self) { try cutFile.rows(of: try #require(cutFile.sheets.first)) { _, _ in .more } }
    }

    @Test func answerColumnsAreFoundByNameWithTheExplanationBeforeTheMessage() {
        let zh = AnswerColumnNames(["级别", "代码", "说明", "问题键", "处理状态", "情况说明", "责任人", "日期", "说明时数值"])
        #expect(zh.key == 3 && zh.status == 4 && zh.text == 5 && zh.owner == 6 && zh.date == 7 && zh.figure == 8)
        let csv = AnswerColumnNames(["key", "status", "说明"])
        #expect(csv.text == 2)
    }

    @Test func figuresReadBackAsWrittenAndNothingElse() {
        #expect(Figure(text: "-4000/12") == Figure(amount: -4000, days: 12))
        #expect(Figure(text: "/") == Figure(amount: nil, days: nil))
        #expect(Figure(text: "12") == nil && Figure(text: "x/1") == nil && Figure(text: "1/2/3") == nil)
        let column = Figure.column(now: Figure(amount: 5, days: nil), before: Figure(amount: 4, days: nil))
        #expect(column == "5/<4/")
        #expect(Figure.parseColumn(column).now == Figure(amount: 5) && Figure.parseColumn(column).before == Figure(amount: 4))
    }

    static let workbookXML = "<workbook><sheets><sheet name=\"s\" sheetId=\"1\" r:id=\"r1\"/></sheets></workbook>"

    @Test func aSheetLargerThanAPieceIsReadWholeAcrossTheCuts() throws {
        let count = 60_000
        var sheet = "<x:worksheet xmlns:x=\"m\"><x:sheetData>"
        for r in 1...count { sheet += "<x:row r=\"\(r)\"><x:c r=\"A\(r)\" t=\"inlineStr\"><x:is><x:t>第\(r)行 &amp; 说明</x:t></x:is></x:c><x:c r=\"C\(r)\"><x:v>\(r)</x:v></x:c></x:row>\n" }
        sheet += "</x:sheetData></x:worksheet>"
        #expect(sheet.utf8.count > 2 * SpreadsheetFile.pieceSize)
        let path = try Self.workbook(["xl/workbook.xml": Self.workbookXML, "xl/_rels/workbook.xml.rels": Self.rels,
                                      "xl/strings.xml": "<sst/>", "xl/ws/a.xml": sheet])
        let file = try SpreadsheetFile(path: path)
        var seen = 0
        try file.rows(of: try #require(file.sheets.first)) { row, cells in
            seen += 1
            #expect(row == seen && cells == [0: .text("第\(row)行 & 说明"), 2: .text("\(row)")])
            return .more
        }
        #expect(seen == count)
    }

    @Test func aDamagedPartFailsItsChecksum() throws {
        let sheet = "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>MARKER-TEXT</t></is></c></row></sheetData></worksheet>"
        let path = NSTemporaryDirectory() + "stored-\(UUID().uuidString).xlsx"
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        for (name, text) in [("xl/workbook.xml", Self.workbookXML), ("xl/_rels/workbook.xml.rels", Self.rels), ("xl/strings.xml", "<sst/>"), ("xl/ws/a.xml", sheet)] {
            let data = Data(text.utf8)
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .none) { p, n in
                data.subdata(in: Int(p)..<(Int(p) + n))
            }
        }
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let at = try #require(bytes.firstRange(of: Data("MARKER-TEXT".utf8)))
        bytes[at.lowerBound] = UInt8(ascii: "N")
        try bytes.write(to: URL(fileURLWithPath: path))
        let file = try SpreadsheetFile(path: path)
        #expect(throws: WorkbookReadError.self) { try file.rows(of: try #require(file.sheets.first)) { _, _ in .more } }
    }

    @Test func onlyTheSharedStringsNamedAreKeptAndTheTableIsReadNoFurtherThanTheLast() throws {
        var strings = "<sst>"
        for i in 0..<5000 { strings += "<si><t>第\(i)条</t></si>" }
        // Past the last string asked for, the table is not read: garbage there goes unseen.
        let path = try Self.workbook(["xl/workbook.xml": Self.workbookXML, "xl/_rels/workbook.xml.rels": Self.rels,
                                      "xl/strings.xml": strings + "<si><t>&bogus;</t></si></sst>", "xl/ws/a.xml": "<worksheet/>"])
        let file = try SpreadsheetFile(path: path)
        #expect(try file.strings([3, 4999, 17]) == [3: "第3条", 17: "第17条", 4999: "第4999条"])
        #expect(throws: WorkbookReadError.self) { try file.strings([5000]) }
        #expect(throws: WorkbookReadError.self) { try file.strings([5001]) }
    }
}
