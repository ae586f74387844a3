import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import ZIPFoundation

/// Reads a produced workbook back the way Excel would: unzip, then parse the XML parts.
struct XLSXFile {
    let archive: Archive
    /// Sheet name → part path, in tab order.
    let sheets: [(name: String, part: String)]

    init(_ path: String) throws {
        archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        let workbook = try XLSXFile.text(archive, "xl/workbook.xml")
        let rels = try XLSXFile.text(archive, "xl/_rels/workbook.xml.rels")
        var targets: [String: String] = [:]
        for m in rels.matches(of: /<Relationship Id="([^"]+)" Type="[^"]+" Target="([^"]+)"\/>/) {
            targets[String(m.1)] = "xl/" + String(m.2)
        }
        sheets = workbook.matches(of: /<sheet name="([^"]+)" sheetId="\d+" r:id="([^"]+)"\/>/).map {
            (XLSXFile.unescape(String($0.1)), targets[String($0.2)] ?? "")
        }
    }

    static func text(_ archive: Archive, _ path: String) throws -> String {
        guard let entry = archive[path] else { throw CocoaError(.fileNoSuchFile) }
        var data = Data()
        _ = try archive.extract(entry) { data.append($0) }
        return String(decoding: data, as: UTF8.self)
    }

    static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    func part(_ path: String) throws -> String { try XLSXFile.text(archive, path) }

    func sheet(_ name: String) throws -> SheetXML {
        guard let part = sheets.first(where: { $0.name == name })?.part else {
            Issue.record("no sheet \(name); have \(sheets.map(\.name))")
            throw CocoaError(.fileNoSuchFile)
        }
        return try SheetXML(try self.part(part))
    }
}

/// The cells of one sheet part, and its raw XML for the sheet-level settings.
struct SheetXML {
    struct CellValue {
        var type: String?
        var value: String?
        var formula: String?
        var text: String?  // inline string
        /// What the cell shows as text: an inline string or the value.
        var shown: String { text ?? value ?? "" }
    }

    let xml: String
    private(set) var cells: [String: CellValue] = [:]

    init(_ xml: String) throws {
        self.xml = xml
        let collector = CellCollector()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = collector
        guard parser.parse() else { throw parser.parserError ?? CocoaError(.coderReadCorrupt) }
        cells = collector.cells
    }

    subscript(_ ref: String) -> CellValue? { cells[ref] }

    /// Row numbers that hold any cell.
    var lastRow: Int { cells.keys.compactMap { Int($0.drop(while: { $0.isLetter })) }.max() ?? 0 }

    private final class CellCollector: NSObject, XMLParserDelegate {
        var cells: [String: CellValue] = [:]
        var current: (ref: String, value: CellValue)?
        var buffer = ""

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            if name == "c", let ref = attributes["r"] { current = (ref, CellValue(type: attributes["t"])) }
            buffer = ""
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { buffer += string }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            guard var c = current else { return }
            switch name {
            case "v": c.value.value = buffer
            case "f": c.value.formula = buffer
            case "t": c.value.text = (c.value.text ?? "") + buffer
            case "c":
                cells[c.ref] = c.value
                current = nil
                return
            default: break
            }
            current = c
        }
    }
}
