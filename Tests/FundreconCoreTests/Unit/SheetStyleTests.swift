import Foundation
import Testing
@testable import XLSX

/// A style prepared once for a sheet (`SheetStyle`) writes cells exactly as the style looked up
/// cell by cell does: same format index in the XML, for every kind of cell.
@Suite struct SheetStyleTests {
    static let money = CellStyle(numberFormat: "#,##0.00", border: true)
    static let warn = CellStyle(fontColor: 0x9C0006, background: 0xFFC7CE)

    /// The `s` attribute of each cell in a sheet's XML, by reference ("A1" → "3").
    static func styleIndexes(_ xml: String) throws -> [String: String] {
        let pattern = try NSRegularExpression(pattern: #"<c r="([A-Z]+[0-9]+)"(?: s="([0-9]+)")?"#)
        var found: [String: String] = [:]
        let range = NSRange(xml.startIndex..., in: xml)
        for match in pattern.matches(in: xml, range: range) {
            guard let ref = Range(match.range(at: 1), in: xml) else { continue }
            let style = Range(match.range(at: 2), in: xml).map { String(xml[$0]) } ?? "0"
            found[String(xml[ref])] = style
        }
        return found
    }

    @Test(arguments: [false, true])
    func aPreparedStyleWritesTheSameFormatAsTheStyleItself(constantMemory: Bool) throws {
        let path = Fixture.makeTempDir() + "/styles.xlsx"
        let workbook = try Workbook(path: path, constantMemory: constantMemory)
        let sheet = try workbook.addWorksheet("cells")
        let money = sheet.prepare(Self.money)
        let warn = sheet.prepare(Self.warn)
        // Row 1 looked up cell by cell, row 2 prepared; column by column the same kinds of cell.
        try sheet.write(0, 0, "文本", Self.warn)
        try sheet.write(0, 1, number: 12.5, Self.money)
        try sheet.write(0, 2, formula: "=B1*2", cached: 25, Self.money)
        try sheet.write(0, 3, formula: "=\"x\"", cachedText: "x", Self.warn)
        try sheet.write(0, 4, link: "internal:'cells'!A1", text: "A1", Self.warn)
        try sheet.write(1, 0, "文本", warn)
        try sheet.write(1, 1, number: 12.5, money)
        try sheet.write(1, 2, formula: "=B2*2", cached: 25, money)
        try sheet.write(1, 3, formula: "=\"x\"", cachedText: "x", warn)
        try sheet.write(1, 4, link: "internal:'cells'!A1", text: "A1", warn)
        try workbook.close()

        let styles = try Self.styleIndexes(try XLSXFile(path).part(try #require(XLSXFile(path).sheets.first?.part)))
        for column in ["A", "B", "C", "D", "E"] {
            let looked = try #require(styles[column + "1"])
            #expect(styles[column + "2"] == looked, "column \(column)")
            #expect(looked != "0", "column \(column) carries a style")
        }
        #expect(styles["A1"] != styles["B1"])
    }
}
