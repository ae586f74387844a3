import CSupport
import Foundation
import ZIPFoundation

/// A workbook (.xlsx) opened for reading its cells' text, as Excel, WPS or LibreOffice saved
/// it: shared or inline strings, cells with or without references, sheets in any order and
/// under any part name. ZIP through ZIPFoundation (maintained, checks every part's CRC);
/// the XML through `XMLScanner`, since a workbook's parts use a small corner of XML.
public struct SpreadsheetFile: Sendable {
    public struct Sheet: Sendable {
        public let name: String
        let part: String
        /// Its XML's size, inflated: what reading it costs.
        public let size: Int
    }

    public let path: String
    public let sheets: [Sheet]
    private let sharedStrings: [String]
    /// The 1904 date system (old Mac workbooks): serial day 0 is 1904-01-01.
    let date1904: Bool

    public init(path: String) throws(WorkbookReadError) {
        self.path = path
        // ZIPFoundation reads a folder or a pipe forever: only a regular file is opened.
        let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
        guard type == .typeRegular else {
            throw WorkbookReadError(path: path, reason: type == nil ? "cannot be opened" : "not a workbook (it is not a regular file)")
        }
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw WorkbookReadError(path: path, reason: "not a workbook (it is not a ZIP file: \(error))")
        }
        let rels = try Self.relationships(archive, "xl/_rels/workbook.xml.rels", base: "xl/", path: path)
        var sheets: [Sheet] = []
        var date1904 = false
        var scanner = XMLScanner(try Self.part(archive, "xl/workbook.xml", path: path))
        do throws(XMLScanner.Failure) {
            while let e = try scanner.next() {
                guard e.kind == .open else { continue }
                if scanner.nameIs(e, "sheet"), let name = try scanner.attribute(e, "name"), let id = try scanner.attribute(e, "id"),
                   let target = rels[id]?.target {
                    sheets.append(Sheet(name: name, part: target, size: Int(clamping: archive[target]?.uncompressedSize ?? 0)))
                } else if scanner.nameIs(e, "workbookPr"), let value = try scanner.attribute(e, "date1904") {
                    date1904 = value == "1" || value == "true"
                }
            }
        } catch {
            throw WorkbookReadError(path: path, reason: "xl/workbook.xml: \(error)")
        }
        self.sheets = sheets
        self.date1904 = date1904
        if let stringsPart = rels.values.first(where: { $0.type.hasSuffix("/sharedStrings") })?.target {
            sharedStrings = try Self.strings(archive, stringsPart, path: path)
        } else {
            sharedStrings = []
        }
    }

    /// What a row's reader wants next.
    public enum RowReply {
        case more
        case stop
        /// From here on, only rows with text in a `trigger` column, and of them only the
        /// `wanted` columns: a large sheet is read without making a string of every cell.
        case only(wanted: Set<Int>, trigger: Set<Int>)
    }

    /// Calls `body` with each row that holds a cell: its 1-based number and its cells' text
    /// by 0-based column. Empty rows are not called. The sheet is inflated and scanned a piece
    /// at a time, cut after a row's end tag: a province's sheet is never whole in memory, and
    /// a reader that stops early inflates no more of it.
    /// Each call opens the file anew, so sheets may be read on several threads at once.
    public func rows(of sheet: Sheet, _ body: (_ row: Int, _ cells: [Int: String]) -> RowReply) throws(WorkbookReadError) {
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw WorkbookReadError(path: path, reason: "cannot be opened again: \(error)")
        }
        guard let entry = archive[sheet.part] else { throw WorkbookReadError(path: path, reason: "not a workbook (it has no \(sheet.part))") }
        var pieces = SheetPieces(rows: SheetRows(file: self), pieceSize: Self.pieceSize)
        var crc: UInt32 = 0
        do {
            // The CRC by zlib as the pieces come, not by ZIPFoundation (see CRC32.c).
            _ = try archive.extract(entry, bufferSize: Self.pieceSize, skipCRC32: true) { data in
                crc = data.withUnsafeBytes { fundrecon_crc32(crc, $0.bindMemory(to: UInt8.self).baseAddress, $0.count) }
                try pieces.feed(data, body)
            }
            guard crc == entry.checksum else {
                throw WorkbookReadError(path: path, reason: "sheet \(sheet.name) is damaged (its checksum does not match)")
            }
            try pieces.finish(body)
        } catch is SheetRows.Stop {
            return
        } catch let error as WorkbookReadError {
            throw error
        } catch let error as XMLScanner.Failure {
            throw WorkbookReadError(path: path, reason: "sheet \(sheet.name): \(error)")
        } catch {
            throw WorkbookReadError(path: path, reason: "sheet \(sheet.name) cannot be read: \(error)")
        }
    }

    static let pieceSize = 1 << 20

    /// For the fuzz target: a file that is not on disk, with these shared strings.
    package init(sharedStrings: [String]) {
        path = "(in memory)"
        sheets = []
        self.sharedStrings = sharedStrings
        date1904 = false
    }

    /// For the fuzz target: a sheet's XML read as `rows(of:)` reads an inflated part, handed
    /// over `chunk` bytes at a time and scanned in pieces of at least `pieceSize`.
    package func rows(sheetXML bytes: [UInt8], chunk: Int, pieceSize: Int) throws -> [(row: Int, cells: [Int: String])] {
        var out: [(Int, [Int: String])] = []
        var pieces = SheetPieces(rows: SheetRows(file: self), pieceSize: pieceSize)
        let body: (Int, [Int: String]) -> RowReply = { row, cells in
            out.append((row, cells))
            return .more
        }
        var at = 0
        while at < bytes.count {
            try pieces.feed(bytes[at..<min(at + max(chunk, 1), bytes.count)], body)
            at += max(chunk, 1)
        }
        try pieces.finish(body)
        return out
    }

    fileprivate func cellText(type: String, value: String?, inline: String, row: Int, column: Int) throws(WorkbookReadError) -> String? {
        switch type {
        case "s":
            guard let value else { return nil }
            guard let index = Int(value), sharedStrings.indices.contains(index) else {
                throw WorkbookReadError(path: path, reason: "the cell at row \(row), column \(column + 1) names shared string \(value), which the file does not hold")
            }
            return sharedStrings[index]
        case "inlineStr": return inline
        default: return value
        }
    }

    /// The 0-based column of a reference such as `AB12`.
    static func column(ofReference ref: String) -> Int? { column(ofReference: ref.utf8) }

    static func column<Bytes: Sequence<UInt8>>(ofReference ref: Bytes) -> Int? {
        var n = 0, letters = 0
        for b in ref {
            guard b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") else { break }
            n = n * 26 + Int(b - UInt8(ascii: "A")) + 1
            letters += 1
            if letters > 3 { return nil }
        }
        return letters == 0 ? nil : n - 1
    }

    /// An Excel serial day as a calendar date, for dates staff typed into a cell.
    public func day(serial text: String) -> Day? {
        guard let serial = Double(text), serial >= 1, serial < 2_958_466 else { return nil }
        let whole = Int64(serial.rounded(.down))
        // 1900 system: serial 25569 is 1970-01-01 (Excel counts a 29 February 1900 that never was).
        let unixDays = date1904 ? whole - 24107 : whole - 25569
        return Day(unixTime: unixDays * 86_400)
    }

    // MARK: Parts

    private static func part(_ archive: Archive, _ name: String, path: String) throws(WorkbookReadError) -> [UInt8] {
        guard let entry = archive[name] else { throw WorkbookReadError(path: path, reason: "not a workbook (it has no \(name))") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(clamping: entry.uncompressedSize))
        do {
            _ = try archive.extract(entry) { data in bytes.append(contentsOf: data) }
        } catch {
            throw WorkbookReadError(path: path, reason: "\(name) cannot be read: \(error)")
        }
        return bytes
    }

    private struct Relationship {
        let type: String
        let target: String
    }

    /// Relationship id → its type and its target as a part name.
    private static func relationships(_ archive: Archive, _ name: String, base: String, path: String) throws(WorkbookReadError) -> [String: Relationship] {
        var scanner = XMLScanner(try part(archive, name, path: path))
        var out: [String: Relationship] = [:]
        do throws(XMLScanner.Failure) {
            while let e = try scanner.next() {
                guard e.kind == .open, scanner.nameIs(e, "Relationship"), let id = try scanner.attribute(e, "Id"),
                      let target = try scanner.attribute(e, "Target") else { continue }
                // Targets are relative to xl/, or absolute from the package's root.
                let resolved = target.hasPrefix("/") ? String(target.dropFirst()) : base + target
                out[id] = Relationship(type: try scanner.attribute(e, "Type") ?? "", target: resolved)
            }
        } catch {
            throw WorkbookReadError(path: path, reason: "\(name): \(error)")
        }
        return out
    }

    /// The shared strings in order; a rich string's runs joined, its phonetic guides left out.
    private static func strings(_ archive: Archive, _ name: String, path: String) throws(WorkbookReadError) -> [String] {
        var scanner = XMLScanner(try part(archive, name, path: path))
        var out: [String] = []
        var current = "", inText = false, inPhonetic = 0
        do throws(XMLScanner.Failure) {
            while let e = try scanner.next() {
                switch e.kind {
                case .open:
                    if scanner.nameIs(e, "si") { current = "" }
                    else if scanner.nameIs(e, "t") { inText = !e.selfClosing }
                    else if scanner.nameIs(e, "rPh") { inPhonetic += 1 }
                case .text:
                    if inText && inPhonetic == 0 { current += try scanner.text(e) }
                case .close:
                    if scanner.nameIs(e, "si") { out.append(current) }
                    else if scanner.nameIs(e, "t") { inText = false }
                    else if scanner.nameIs(e, "rPh") { inPhonetic -= 1 }
                }
            }
        } catch {
            throw WorkbookReadError(path: path, reason: "\(name): \(error)")
        }
        return out
    }
}

/// A workbook that cannot be read: not a ZIP, a part missing or garbled.
public struct WorkbookReadError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}

/// Inflated bytes as they come, scanned in pieces of at least `pieceSize` cut after a row's
/// end tag, so that no element or text spans two pieces.
private struct SheetPieces {
    var rows: SheetRows
    let pieceSize: Int
    var pending: [UInt8] = []
    /// How much of `pending` is known to hold no row end tag: a sheet with none for a long
    /// stretch is searched once, not once a chunk.
    var searched = 0

    mutating func feed<Bytes: Collection<UInt8>>(_ bytes: Bytes, _ body: (_ row: Int, _ cells: [Int: String]) -> SpreadsheetFile.RowReply) throws {
        pending.append(contentsOf: bytes)
        guard pending.count >= pieceSize else { return }
        // A tag cut by the previous chunk's end is found again: search from a little before.
        let cut = SheetRows.endOfLastRow(pending, notBefore: max(searched - 16, 0))
        searched = pending.count
        guard let cut else { return }
        try rows.scan(Array(pending[..<cut]), isPiece: true, body)
        pending.removeSubrange(..<cut)
        searched = pending.count
    }

    mutating func finish(_ body: (_ row: Int, _ cells: [Int: String]) -> SpreadsheetFile.RowReply) throws {
        try rows.scan(pending, isPiece: false, body)
        pending = []
    }
}

/// The state of a sheet read in pieces: where the scan is in its row and cell. A row's cells
/// are kept as byte ranges of the piece (a row never spans two) and made into strings only
/// when the row is handed out.
private struct SheetRows {
    struct Stop: Error {}

    /// A cell of the current row: its type and where its text lies.
    struct CellText {
        var column: Int
        var type: String
        var parts: Range<Int>  // into `ranges`
    }

    let file: SpreadsheetFile
    var open: [UInt64] = []
    var row = 0, column = -1
    /// Wanted columns by index (nil: all), looked at for every cell.
    var wanted: [Bool]?
    var trigger: Set<Int>?
    var cells: [CellText] = []
    var ranges: [(range: Range<Int>, isCDATA: Bool)] = []
    var inValue = false, inInline = 0, inPhonetic = 0, cellStart = 0
    var typeRange: Range<Int>?

    init(file: SpreadsheetFile) {
        self.file = file
    }

    func isWanted(_ column: Int) -> Bool {
        guard let wanted else { return true }
        return column >= 0 && column < wanted.count && wanted[column]
    }

    /// The offset just past the last row end tag (`</row>` or `</x:row>`) in `bytes` that
    /// starts at or after `notBefore`.
    static func endOfLastRow(_ bytes: [UInt8], notBefore: Int = 0) -> Int? {
        var k = bytes.count - 4
        while k > max(notBefore, 1) {
            if bytes[k] == UInt8(ascii: "r") && bytes[k + 1] == UInt8(ascii: "o") && bytes[k + 2] == UInt8(ascii: "w") && bytes[k + 3] == UInt8(ascii: ">") {
                var j = k - 1
                // A prefix (`x:`) is short: the walk back over it is bounded, so no input makes it quadratic.
                if bytes[j] == UInt8(ascii: ":") {
                    let limit = max(j - 32, 0)
                    while j > limit && bytes[j] != UInt8(ascii: "<") && bytes[j] != UInt8(ascii: "/") { j -= 1 }
                }
                if j >= 1 && bytes[j] == UInt8(ascii: "/") && bytes[j - 1] == UInt8(ascii: "<") { return k + 4 }
            }
            k -= 1
        }
        return nil
    }

    /// A kept cell's text, as the sheet shows it.
    func text(_ cell: CellText, _ scanner: XMLScanner) throws -> String? {
        var raw = ""
        for part in ranges[cell.parts] {
            raw += part.isCDATA ? String(decoding: scanner.bytes[part.range], as: UTF8.self) : try scanner.unescape(part.range)
        }
        let isInline = cell.type == "inlineStr"
        return try file.cellText(type: cell.type, value: isInline ? nil : raw, inline: isInline ? raw : "", row: row, column: cell.column)
    }

    /// The row's cells as strings, or nil when no trigger column holds text.
    func materialize(_ scanner: XMLScanner) throws -> [Int: String]? {
        var out: [Int: String] = [:]
        if let trigger {
            var any = false
            for cell in cells where trigger.contains(cell.column) {
                if let t = try text(cell, scanner), !t.trimmingBlanks().isEmpty {
                    any = true
                    break
                }
            }
            if !any { return nil }
        }
        for cell in cells {
            if let t = try text(cell, scanner), !t.isEmpty { out[cell.column] = t }
        }
        return out.isEmpty ? nil : out
    }

    /// Scans one piece; throws `Stop` when the reader wants no more.
    mutating func scan(_ bytes: [UInt8], isPiece: Bool, _ body: (_ row: Int, _ cells: [Int: String]) -> SpreadsheetFile.RowReply) throws {
        var scanner = XMLScanner(bytes, open: open, isPiece: isPiece)
        while let e = try scanner.next() {
            switch e.kind {
            case .open:
                if scanner.nameIs(e, "c") {
                    column = try scanner.attributeRange(e, "r").flatMap { SpreadsheetFile.column(ofReference: scanner.bytes[$0]) } ?? column + 1
                    typeRange = try scanner.attributeRange(e, "t")
                    cellStart = ranges.count
                } else if scanner.nameIs(e, "v") {
                    inValue = true
                } else if scanner.nameIs(e, "is") {
                    inInline += 1
                } else if scanner.nameIs(e, "rPh") {
                    inPhonetic += 1
                } else if scanner.nameIs(e, "row") {
                    row = try scanner.attribute(e, "r").flatMap { Int($0) } ?? row + 1
                    column = -1
                    cells.removeAll(keepingCapacity: true)
                    ranges.removeAll(keepingCapacity: true)
                }
            case .text:
                guard isWanted(column), inValue || (inInline > 0 && inPhonetic == 0) else { continue }
                ranges.append((e.text, e.isCDATA))
            case .close:
                if scanner.nameIs(e, "v") {
                    inValue = false
                } else if scanner.nameIs(e, "is") {
                    inInline -= 1
                } else if scanner.nameIs(e, "rPh") {
                    inPhonetic -= 1
                } else if scanner.nameIs(e, "c") {
                    if isWanted(column) && ranges.count > cellStart {
                        let type = try typeRange.map { r throws(XMLScanner.Failure) in try scanner.unescape(r) } ?? ""
                        cells.append(CellText(column: column, type: type, parts: cellStart..<ranges.count))
                    }
                } else if scanner.nameIs(e, "row") {
                    guard !cells.isEmpty, let materialized = try materialize(scanner) else { continue }
                    switch body(row, materialized) {
                    case .more: break
                    case .stop: throw Stop()
                    case .only(let columns, let triggers):
                        var map = [Bool](repeating: false, count: (columns.max() ?? -1) + 1)
                        for c in columns { map[c] = true }
                        wanted = map
                        trigger = triggers
                    }
                }
            }
        }
        open = scanner.open
    }
}
