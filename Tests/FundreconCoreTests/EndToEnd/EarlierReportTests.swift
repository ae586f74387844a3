import Foundation
import Testing
@testable import FundreconCore

/// The previous night's report is read by a small JSON cursor, not `JSONDecoder`; these pin
/// it to what the decoder read.
@Suite struct EarlierReport {
    static func read(_ text: String) -> ChangeDetector.Report? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { ChangeDetector.Report.read(UnsafeBufferPointer($0)) }
    }

    /// What the decoder made of a report, as the comparison used it.
    struct Decoded: Decodable {
        struct Finding: Decodable {
            let code: String, severity: String, message: String
            let file: String?, line: Int?, project: String?, from: String?, to: String?, entity: String?, key: String?
        }
        struct Edge: Decodable {
            let project: String, from: String, to: String
            let transferred_fen: Int64
        }
        let findings: [Finding]
        let edge_list: [Edge]?
    }

    static func same(_ text: String) throws {
        let decoded = try JSONDecoder().decode(Decoded.self, from: Data(text.utf8))
        let report = try #require(read(text))
        #expect(report.findings == decoded.findings.map {
            Changes.PastFinding(code: $0.code, severity: $0.severity, message: $0.message, file: $0.file, line: $0.line,
                                project: $0.project, from: $0.from, to: $0.to, entity: $0.entity, key: $0.key)
        })
        #expect(report.edges == (decoded.edge_list ?? []).map {
            ChangeDetector.Report.Edge(project: $0.project, from: $0.from, to: $0.to, transferred: $0.transferred_fen)
        })
    }

    @Test func aReportOfTheFixtureReadsAsTheDecoderReadIt() throws {
        var f = Fixture()
        f.append("transfers.csv", "T5,2021-03-22,F2,C,G2,4O,ok,,\"补录 \"\"急\"\"\"")
        f.append("transfers.csv", "T7,2021-03-25,F1,C,K,3,failed,,账户异常")
        f.write()
        let result = Reconciler.run(ScopeSources.folder(f.dir, existing: FileSystem.isFile), settings: Settings(),
                                    today: Day(year: 2022, month: 3, day: 1)!, fileExists: FileSystem.isFile)
        let text = JSONReport.render(result, scopeName: "t", generatedAt: "x", version: "0")
        try EarlierReport.same(text)
        #expect(EarlierReport.read(text)?.edges.count == result.edges.count)
        #expect(EarlierReport.read(text)?.findings.count == result.findings.count)
    }

    @Test func escapesNumbersAndOtherMembersReadAsTheDecoderReadThem() throws {
        try EarlierReport.same("""
        {"tool":{"name":"x","v":[1,2.5e3,-0.5,true,false,null,{"a":[]}]},
         "findings":[{"code":"IN004","severity":"error","message":"引号\\"未闭合\\"\\\\ \\n\\t\\u00e9\\ud83d\\ude00\\/","file":null,"line":12,
                      "rows":[{"file":"a","line":1}],"project":null,"key":"IN004|a|x"},
                     {"message":"m","severity":"warning","code":"FL007","line":null,"amount_fen":-5}],
         "edge_list":[{"project":"F","from":"P","to":"C","planned_fen":1,"transferred_fen":-9223372036854775807,"status":"over"}] }
        """)
        try EarlierReport.same(#"{"findings":[],"edge_list":null}"#)
        try EarlierReport.same(#"  {"edge_list":[],"findings":[]}  "#)
    }

    /// Whatever the decoder refused is no report: the comparison is then left out.
    /// The earlier report is read from its file mapped, its pages handed back behind the
    /// reader: a report several release steps long reads as the same report from memory, and
    /// the reader is told how far it has come, never backwards, up to the last edge.
    @Test func aLargeReportReadFromItsFileReadsAsFromMemory() throws {
        let finding = #"{"code":"RC003","severity":"error","message":"城市甲 → 县乙：拨出 12.3456 万元，入账 123,456.0000 万元","file":"receipts.csv","line":%d,"project":"F","from":"P","to":"C%d","key":"RC003|receipts.csv|F|P|C%d"}"#
        let edge = #"{"project":"F","from":"P","to":"C%d","transferred_fen":%d}"#
        let findings = (0..<80_000).map { String(format: finding, $0 + 2, $0, $0) }
        let edges = (0..<20_000).map { String(format: edge, $0, $0 * 100) }
        let text = #"{"findings":["# + findings.joined(separator: ",") + #"],"edge_list":["# + edges.joined(separator: ",") + "]}"
        #expect(text.utf8.count > 2 * EarlierReportText.releaseStep)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("earlier-\(UUID().uuidString).json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var offsets: [Int] = []
        let mapped = EarlierReportText.withBytes(at: path) { bytes, passed in
            ChangeDetector.Report.read(bytes) { offset in
                offsets.append(offset)
                passed(offset)
            }
        }
        let fromFile = try #require(mapped)
        let fromMemory = try #require(Self.read(text))
        #expect(fromFile.findings == fromMemory.findings && fromFile.edges == fromMemory.edges)
        #expect(fromFile.findings.count == 80_000 && fromFile.edges.count == 20_000)
        #expect(offsets.count == 100_000 && zip(offsets, offsets.dropFirst()).allSatisfy { $0 < $1 })
        #expect(offsets.last == text.utf8.count - 2)
        #expect(EarlierReportText.withBytes(at: path + ".missing") { _, _ in 1 } == nil)
    }

    @Test func whatIsNotAReportReadsAsNone() {
        for text in [#"{"edge_list":[]}"#,                                   // no findings
                     #"{"findings":[{"code":"X","severity":"e"}]}"#,         // a finding without a message
                     #"{"findings":[{"code":1,"severity":"e","message":"m"}]}"#,
                     #"{"findings":[],"edge_list":[{"project":"F","from":"P","to":"C","transferred_fen":1.5}]}"#,
                     #"{"findings":[],"edge_list":[{"project":"F","from":"P","to":"C","transferred_fen":99999999999999999999}]}"#,
                     #"{"findings":[] "edge_list":[]}"#, #"{"findings":[]"#, #"{"findings":["a\u00"]}"#,
                     "{\"findings\":[{\"code\":\"a\nb\",\"severity\":\"e\",\"message\":\"m\"}]}", #"{"findings":[]} x"#, ""] {
            #expect(EarlierReport.read(text) == nil, "\(text)")
            #expect(throws: (any Error).self, "\(text)") { try JSONDecoder().decode(Decoded.self, from: Data(text.utf8)) }
        }
    }

    /// Edges are matched through the key tables when every id is its text; by text otherwise.
    /// Both ways give the same changes.
    @Test func matchingByPlaceAndByTextGiveTheSameChanges() throws {
        var f = Fixture()
        f.write()
        let sources = ScopeSources.folder(f.dir, existing: FileSystem.isFile)
        let day = Day(year: 2022, month: 3, day: 1)!
        let before = Reconciler.run(sources, settings: Settings(), today: day, fileExists: FileSystem.isFile)
        let report = try #require(EarlierReport.read(JSONReport.render(before, scopeName: "t", generatedAt: "x", version: "0")))
        f.edit("transfers.csv", "T2,2021-03-20,F1,C,K,60,", "T2,2021-03-20,F1,C,K,50,")
        f.append("transfers.csv", "T8,2021-04-12,F2,C,K,5,ok,,新的一条")
        f.edit("transfers.csv", "T4,2021-04-10,F1,K,G1,60,ok,,", "")
        f.write()
        let after = Reconciler.run(sources, settings: Settings(), today: day, fileExists: FileSystem.isFile)
        #expect(after.scope.entityRefs.keysAreTexts && after.scope.projectRefs.keysAreTexts)
        let byPlace = ChangeDetector.edgeChangesByPlace(after, report.edges).sorted { ($0.project, $0.from, $0.to) < ($1.project, $1.from, $1.to) }
        let byText = ChangeDetector.edgeChangesByText(after, report.edges).sorted { ($0.project, $0.from, $0.to) < ($1.project, $1.from, $1.to) }
        #expect(byPlace == byText)
        #expect(byPlace.map { "\($0.from)→\($0.to):\($0.before):\($0.after)" } == ["C→K:60000000:50000000", "K→G1:60000000:0", "C→K:0:5000000"])

        // A unit added ahead of the others: every unit's number moves, the keys' order with it.
        f.edit("entities.csv", "id,name,level,parent", "id,name,level,parent\nG0,新单位,grantee,K")
        f.append("transfers.csv", "T9,2021-04-13,F1,K,G0,2,ok,,")
        f.write()
        let shifted = Reconciler.run(sources, settings: Settings(), today: day, fileExists: FileSystem.isFile)
        let placed = ChangeDetector.edgeChangesByPlace(shifted, report.edges).sorted { ($0.project, $0.from, $0.to) < ($1.project, $1.from, $1.to) }
        #expect(placed == ChangeDetector.edgeChangesByText(shifted, report.edges).sorted { ($0.project, $0.from, $0.to) < ($1.project, $1.from, $1.to) })
        #expect(placed.contains { $0.to == "G0" && $0.before == 0 && $0.after == 2_000_000 })
    }

    @Test func anIDWithAnIdeographicSpaceIsMatchedByText() throws {
        var f = Fixture()
        f.edit("entities.csv", "G2,韶关市雷门专利事务所,grantee,C", "G2\u{3000},韶关市雷门专利事务所,grantee,C")
        f.write()
        let result = Reconciler.run(ScopeSources.folder(f.dir, existing: FileSystem.isFile), settings: Settings(),
                                    today: Day(year: 2022, month: 3, day: 1)!, fileExists: FileSystem.isFile)
        #expect(!result.scope.entityRefs.keysAreTexts)
        #expect(result.scope.projectRefs.keysAreTexts)
    }
}

