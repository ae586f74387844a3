import Foundation
import Testing
import ZIPFoundation

/// Edits a workbook the way another program saves one: answers as shared strings (one of them
/// rich text), data rows re-ordered, a sheet added. Written with regular expressions over the
/// parts, independent of the library's reader.
struct WorkbookEditor {
    private(set) var parts: [(name: String, data: Data)] = []

    init(_ path: String) throws {
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        for entry in archive where entry.type == .file {
            var data = Data()
            _ = try archive.extract(entry) { data.append($0) }
            parts.append((entry.path, data))
        }
    }

    func text(_ name: String) -> String? { parts.first { $0.name == name }.map { String(decoding: $0.data, as: UTF8.self) } }

    mutating func set(_ name: String, _ text: String) {
        if let i = parts.firstIndex(where: { $0.name == name }) { parts[i].data = Data(text.utf8) } else { parts.append((name, Data(text.utf8))) }
    }

    func save(to path: String) throws {
        try? FileManager.default.removeItem(atPath: path)
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        for (name, data) in parts {
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<(Int(position) + size))
            }
        }
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// The part of the sheet called `name`.
    func sheetPart(_ name: String) throws -> String {
        let workbook = try #require(text("xl/workbook.xml")), rels = try #require(text("xl/_rels/workbook.xml.rels"))
        let sheet = try #require(workbook.firstMatch(of: try Regex("<sheet name=\"\(Self.escape(name))\" sheetId=\"\\d+\" r:id=\"([^\"]+)\"")))
        let id = String(sheet.output[1].substring ?? "")
        let target = try #require(rels.firstMatch(of: try Regex("Id=\"\(id)\" Type=\"[^\"]+\" Target=\"([^\"]+)\"")))
        return "xl/" + String(target.output[1].substring ?? "")
    }

    // MARK: Shared strings

    private mutating func sharedStrings() -> String {
        if let sst = text("xl/sharedStrings.xml") { return sst }
        var rels = text("xl/_rels/workbook.xml.rels") ?? ""
        rels = rels.replacingOccurrences(of: "</Relationships>", with: "<Relationship Id=\"rIdSST\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>")
        set("xl/_rels/workbook.xml.rels", rels)
        var types = text("[Content_Types].xml") ?? ""
        types = types.replacingOccurrences(of: "</Types>", with: "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/></Types>")
        set("[Content_Types].xml", types)
        return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"></sst>"
    }

    /// Adds a string to the table and gives its index; a two-run rich string when `rich`.
    mutating func share(_ s: String, rich: Bool = false) -> Int {
        var sst = sharedStrings()
        let index = sst.matches(of: /<si>/).count
        let body: String
        if rich, s.count > 1 {
            let head = String(s.prefix(1)), tail = String(s.dropFirst())
            body = "<r><rPr><b/><sz val=\"11\"/></rPr><t>\(Self.escape(head))</t></r><r><t xml:space=\"preserve\">\(Self.escape(tail))</t></r><rPh sb=\"0\" eb=\"1\"><t>ピン</t></rPh>"
        } else {
            body = "<t>\(Self.escape(s))</t>"
        }
        sst = sst.replacingOccurrences(of: "</sst>", with: "<si>\(body)</si></sst>")
        set("xl/sharedStrings.xml", sst)
        return index
    }

    // MARK: Cells

    static func letters(_ ref: Substring) -> String { String(ref.prefix { $0.isLetter }) }

    static func columnNumber(_ letters: String) -> Int { letters.unicodeScalars.reduce(0) { $0 * 26 + Int($1.value) - 64 } }

    /// Header text → column letters, from row 1.
    func headerColumns(_ part: String) throws -> [String: String] {
        let xml = try #require(text(part))
        let row = try #require(xml.firstMatch(of: /<row r="1"[^>]*>(.*?)<\/row>/))
        var out: [String: String] = [:]
        for m in String(row.1).matches(of: /<c r="([A-Z]+)1"[^>]*><is><t[^>]*>([^<]*)<\/t><\/is><\/c>/) { out[String(m.2)] = String(m.1) }
        return out
    }

    /// Types `values` (header → text) into the row whose key column holds `key`, as shared strings.
    /// `numbers` go in as numbers (a date typed into Excel is its serial day, 44566 for 2022-01-05).
    mutating func answer(sheet: String, key: String, _ values: [String: String], numbers: [String: Double] = [:], rich: Bool = false) throws {
        let part = try sheetPart(sheet)
        let headers = try headerColumns(part)
        var xml = try #require(text(part))
        let keyCell = ">\(Self.escape(key))</t></is></c>"
        // The row around the key's cell, found by plain search: a regular expression over
        // every row of a big sheet is slow.
        let at = try #require(xml.range(of: keyCell), "no row with key \(key) on \(sheet)")
        let rowStart = try #require(xml.range(of: "<row ", options: .backwards, range: xml.startIndex..<at.lowerBound))
        let rowEnd = try #require(xml.range(of: "</row>", range: at.upperBound..<xml.endIndex))
        let open = try #require(xml.range(of: ">", range: rowStart.upperBound..<rowEnd.lowerBound))
        let number = try #require(xml[rowStart.upperBound..<open.lowerBound].firstMatch(of: /r="(\d+)"/)?.output.1)
        var cells = String(xml[open.upperBound..<rowEnd.lowerBound])
        let cellsToType = values.map { ($0.key, "t=\"s\"><v>\(share($0.value, rich: rich))</v>") }
            + numbers.map { ($0.key, "s=\"0\"><v>\($0.value)</v>") }
        for (header, content) in cellsToType {
            let column = try #require(headers[header], "no column \(header) on \(sheet)")
            let ref = "\(column)\(number)"
            let cell = "<c r=\"\(ref)\" \(content)</c>"
            // Typing over a cell replaces it.
            cells = cells.replacing(try Regex("<c r=\"\(ref)\"[^>]*?(/>|>.*?</c>)"), with: "")
            // In column order: before the first cell to the right of it.
            let after = cells.matches(of: /<c r="([A-Z]+)\d+"/).first { Self.columnNumber(String($0.output.1)) > Self.columnNumber(column) }
            if let after { cells.insert(contentsOf: cell, at: after.range.lowerBound) } else { cells += cell }
        }
        xml.replaceSubrange(open.upperBound..<rowEnd.lowerBound, with: cells)
        set(part, xml)
    }

    /// Deletes a column's cells from every row of a sheet, as deleting the column would
    /// (the columns to its right are not moved: the reader finds columns by their headers).
    mutating func deleteColumn(sheet: String, header: String) throws {
        let part = try sheetPart(sheet)
        let column = try #require(try headerColumns(part)[header], "no column \(header) on \(sheet)")
        var xml = try #require(text(part))
        xml = xml.replacing(try Regex("<c r=\"\(column)\\d+\"[^>]*?(/>|>.*?</c>)"), with: "")
        set(part, xml)
    }

    /// Reverses the data rows (all but the header) of a sheet without formulas, as a sort would.
    mutating func reverseRows(sheet: String) throws {
        let part = try sheetPart(sheet)
        var xml = try #require(text(part))
        let rows = xml.matches(of: /<row r="(\d+)"[^>]*>.*?<\/row>/).filter { $0.output.1 != "1" }
        guard let first = rows.first, let last = rows.last else { return }
        let numbers = rows.compactMap { Int($0.output.1) }
        let (low, high) = (numbers.min() ?? 2, numbers.max() ?? 2)
        let moved = rows.reversed().map { m -> String in
            let old = String(m.output.1), new = String(low + high - (Int(old) ?? low))
            return String(m.output.0).replacing(try! Regex("r=\"([A-Z]*)\(old)\"")) { "r=\"\($0.output[1].substring ?? "")\(new)\"" }
        }
        xml.replaceSubrange(first.range.lowerBound..<last.range.upperBound, with: moved.joined())
        set(part, xml)
    }

    /// A sheet of the reader's own, after the others.
    mutating func addSheet(_ name: String, note: String) {
        let part = "xl/worksheets/sheet_added.xml"
        set(part, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>\(share(note))</v></c></row></sheetData></worksheet>")
        set("xl/workbook.xml", (text("xl/workbook.xml") ?? "").replacingOccurrences(of: "</sheets>", with: "<sheet name=\"\(Self.escape(name))\" sheetId=\"99\" r:id=\"rIdAdded\"/></sheets>"))
        set("xl/_rels/workbook.xml.rels", (text("xl/_rels/workbook.xml.rels") ?? "").replacingOccurrences(of: "</Relationships>", with: "<Relationship Id=\"rIdAdded\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet_added.xml\"/></Relationships>"))
        set("[Content_Types].xml", (text("[Content_Types].xml") ?? "").replacingOccurrences(of: "</Types>", with: "<Override PartName=\"/xl/worksheets/sheet_added.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>"))
    }
}

/// LibreOffice headless, when the machine has it: opens a workbook and saves it again as .xlsx,
/// in its own way (shared strings, its own styles and part names).
enum LibreOffice {
    static var path: String? {
        ["/usr/bin/soffice", "/usr/local/bin/soffice", "/usr/lib/libreoffice/program/soffice"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// CI installs LibreOffice before the tests (.ci/run) and sets this, so the round trip cannot be skipped there.
    static var required: Bool { ProcessInfo.processInfo.environment["FUNDRECON_REQUIRE_LIBREOFFICE"] == "1" }

    static func resave(_ file: String) throws {
        let soffice = try #require(path)
        let work = NSTemporaryDirectory() + "lo-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: work + "/out", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: soffice)
        p.arguments = ["-env:UserInstallation=file://\(work)/profile", "--headless", "--convert-to", "xlsx:Calc MS Excel 2007 XML",
                       "--outdir", work + "/out", file]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        let saved = work + "/out/" + URL(fileURLWithPath: file).lastPathComponent
        #expect(p.terminationStatus == 0 && FileManager.default.fileExists(atPath: saved), "LibreOffice did not save \(file)")
        try FileManager.default.removeItem(atPath: file)
        try FileManager.default.moveItem(atPath: saved, toPath: file)
    }
}
