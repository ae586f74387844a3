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
    /// The shared-string table's part, read only for the strings a reader asks for
    /// (`strings(_:)`): a workbook saved again by Excel or LibreOffice holds every text there.
    private let stringsPart: String?
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
        stringsPart = rels.values.first(where: { $0.type.hasSuffix("/sharedStrings") })?.target
    }

    /// A cell's text, or the index of its text in the shared-string table (`strings(_:)`).
    public enum CellText: Sendable, Equatable {
        case text(String)
        case shared(Int)
    }

    /// What a row's reader wants next.
    public enum RowReply {
        case more
        case stop
        /// From here on, only rows with text in a `trigger` column, and of them only the
        /// `wanted` columns: a large sheet is read without making a string of every cell.
        case only(wanted: Set<Int>, trigger: Set<Int>)
    }

    /// Calls `body` with each row that holds a cell: its 1-based number and its cells by
    /// 0-based column, shared strings by their index. Empty rows are not called. `first`
    /// sets what is wanted from the first row on. The sheet is inflated and scanned a piece
    /// at a time, cut after a row's end tag: a province's sheet is never whole in memory, and
    /// a reader that stops early inflates no more of it.
    /// Each call opens the file anew, so sheets may be read on several threads at once.
    public func rows(of sheet: Sheet, first: RowReply = .more, _ body: (_ row: Int, _ cells: [Int: CellText]) -> RowReply) throws(WorkbookReadError) {
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw WorkbookReadError(path: path, reason: "cannot be opened again: \(error)")
        }
        guard let entry = archive[sheet.part] else { throw WorkbookReadError(path: path, reason: "not a workbook (it has no \(sheet.part))") }
        var rows = SheetRows(file: self)
        rows.take(first)
        var pieces = Pieces(pieceSize: Self.pieceSize, endTag: "row>")
        var crc: UInt32 = 0
        do {
            // The CRC by zlib as the pieces come, not by ZIPFoundation (see CRC32.c).
            _ = try archive.extract(entry, bufferSize: Self.pieceSize, skipCRC32: true) { data in
                crc = data.withUnsafeBytes { fundrecon_crc32(crc, $0.bindMemory(to: UInt8.self).baseAddress, $0.count) }
                try pieces.feed(data) { piece, isPiece in try rows.scan(piece, isPiece: isPiece, body) }
            }
            guard crc == entry.checksum else {
                throw WorkbookReadError(path: path, reason: "sheet \(sheet.name) is damaged (its checksum does not match)")
            }
            try pieces.finish { piece, isPiece in try rows.scan(piece, isPiece: isPiece, body) }
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

    /// For the fuzz target: a file that is not on disk.
    package init() {
        path = "(in memory)"
        sheets = []
        stringsPart = nil
        date1904 = false
    }

    /// For the fuzz target: a sheet's XML read as `rows(of:)` reads an inflated part, handed
    /// over `chunk` bytes at a time and scanned in pieces of at least `pieceSize`.
    package func rows(sheetXML bytes: [UInt8], chunk: Int, pieceSize: Int) throws -> [(row: Int, cells: [Int: CellText])] {
        var out: [(Int, [Int: CellText])] = []
        var rows = SheetRows(file: self)
        var pieces = Pieces(pieceSize: pieceSize, endTag: "row>")
        let body: (Int, [Int: CellText]) -> RowReply = { row, cells in
            out.append((row, cells))
            return .more
        }
        var at = 0
        while at < bytes.count {
            try pieces.feed(bytes[at..<min(at + max(chunk, 1), bytes.count)]) { piece, isPiece in try rows.scan(piece, isPiece: isPiece, body) }
            at += max(chunk, 1)
        }
        try pieces.finish { piece, isPiece in try rows.scan(piece, isPiece: isPiece, body) }
        return out
    }

    fileprivate func cellText(type: String, value: String?, inline: String, row: Int, column: Int) throws(WorkbookReadError) -> CellText? {
        switch type {
        case "s":
            guard let value else { return nil }
            guard let index = Int(value), index >= 0 else {
                throw WorkbookReadError(path: path, reason: "the cell at row \(row), column \(column + 1) names shared string \(value), which the file does not hold")
            }
            return .shared(index)
        case "inlineStr": return .text(inline)
        default: return value.map(CellText.text)
        }
    }

    /// The shared strings named, by index; a rich string's runs joined, its phonetic guides
    /// left out. The table is read a piece at a time and only as far as the largest index.
    public func strings(_ wanted: Set<Int>) throws(WorkbookReadError) -> [Int: String] {
        guard let last = wanted.max() else { return [:] }
        guard let stringsPart else {
            throw WorkbookReadError(path: path, reason: "a cell names shared string \(last), and the file has no shared strings")
        }
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw WorkbookReadError(path: path, reason: "cannot be opened again: \(error)")
        }
        guard let entry = archive[stringsPart] else { throw WorkbookReadError(path: path, reason: "not a workbook (it has no \(stringsPart))") }
        var table = StringTable(wanted: wanted, last: last)
        var pieces = Pieces(pieceSize: Self.pieceSize, endTag: "si>")
        var crc: UInt32 = 0
        do {
            _ = try archive.extract(entry, bufferSize: Self.pieceSize, skipCRC32: true) { data in
                crc = data.withUnsafeBytes { fundrecon_crc32(crc, $0.bindMemory(to: UInt8.self).baseAddress, $0.count) }
                try pieces.feed(data) { piece, isPiece in try table.scan(piece, isPiece: isPiece) }
            }
            guard crc == entry.checksum else { throw WorkbookReadError(path: path, reason: "\(stringsPart) is damaged (its checksum does not match)") }
            try pieces.finish { piece, isPiece in try table.scan(piece, isPiece: isPiece) }
        } catch is StringTable.Done {
        } catch let error as WorkbookReadError {
            throw error
        } catch {
            throw WorkbookReadError(path: path, reason: "\(stringsPart): \(error)")
        }
        guard table.count > last else {
            throw WorkbookReadError(path: path, reason: "a cell names shared string \(last), and the file holds \(table.count)")
        }
        return table.found
    }

    /// Cells with their shared strings put in, from a table `strings(_:)` gave.
    public static func texts(_ cells: [Int: CellText], _ strings: [Int: String]) -> [Int: String] {
        var out: [Int: String] = [:]
        for (column, cell) in cells {
            switch cell {
            case .text(let t): out[column] = t
            case .shared(let i): out[column] = strings[i] ?? ""
            }
        }
        return out
    }

    /// Every row of a sheet with its texts (for tests and small sheets: the whole sheet's
    /// shared strings are looked up).
    public func textRows(of sheet: Sheet) throws(WorkbookReadError) -> [(row: Int, cells: [Int: String])] {
        var raw: [(Int, [Int: CellText])] = []
        try rows(of: sheet) { row, cells in
            raw.append((row, cells))
            return .more
        }
        let table = try strings(Set(raw.flatMap { $0.1.values.compactMap { if case .shared(let i) = $0 { return i } else { return nil } } }))
        return raw.map { ($0.0, Self.texts($0.1, table)) }
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

}

/// A workbook that cannot be read: not a ZIP, a part missing or garbled.
public struct WorkbookReadError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}

/// Inflated bytes as they come, scanned in pieces of at least `pieceSize` cut after an end
/// tag (`</row>`, `</si>`, or with a prefix, `</x:row>`), so that no element or text spans two.
private struct Pieces {
    let pieceSize: Int
    /// The end tag's local name and its `>`.
    let endTag: [UInt8]
    var pending: [UInt8] = []
    /// How much of `pending` is known to hold no end tag: a part with none for a long stretch
    /// is searched once, not once a chunk.
    var searched = 0

    init(pieceSize: Int, endTag: String) {
        self.pieceSize = pieceSize
        self.endTag = Array(endTag.utf8)
    }

    mutating func feed<Bytes: Collection<UInt8>>(_ bytes: Bytes, _ scan: (_ piece: [UInt8], _ isPiece: Bool) throws -> Void) throws {
        pending.append(contentsOf: bytes)
        guard pending.count >= pieceSize else { return }
        // A tag cut by the previous chunk's end is found again: search from a little before.
        let cut = Self.endOfLast(endTag, in: pending, notBefore: max(searched - 16, 0))
        searched = pending.count
        guard let cut else { return }
        try scan(Array(pending[..<cut]), true)
        pending.removeSubrange(..<cut)
        searched = pending.count
    }

    mutating func finish(_ scan: (_ piece: [UInt8], _ isPiece: Bool) throws -> Void) throws {
        try scan(pending, false)
        pending = []
    }

    /// The offset just past the last end tag `</tag>` or `</prefix:tag>` in `bytes` whose
    /// name starts at or after `notBefore`.
    static func endOfLast(_ tag: [UInt8], in bytes: [UInt8], notBefore: Int = 0) -> Int? {
        var k = bytes.count - tag.count
        while k > max(notBefore, 1) {
            if bytes[k] == tag[0] && bytes[k..<(k + tag.count)].elementsEqual(tag) {
                var j = k - 1
                // A prefix (`x:`) is short: the walk back over it is bounded, so no input makes it quadratic.
                if bytes[j] == UInt8(ascii: ":") {
                    let limit = max(j - 32, 0)
                    while j > limit && bytes[j] != UInt8(ascii: "<") && bytes[j] != UInt8(ascii: "/") { j -= 1 }
                }
                if j >= 1 && bytes[j] == UInt8(ascii: "/") && bytes[j - 1] == UInt8(ascii: "<") { return k + tag.count }
            }
            k -= 1
        }
        return nil
    }
}

/// The shared-string table read for the strings wanted: counts the `<si>` elements and keeps
/// the text of those named, stopping after the last one named.
private struct StringTable {
    struct Done: Error {}

    let wanted: Set<Int>
    let last: Int
    var found: [Int: String] = [:]
    var count = 0
    var open: [UInt64] = []
    var current = "", inText = false, inPhonetic = 0

    init(wanted: Set<Int>, last: Int) {
        self.wanted = wanted
        self.last = last
    }

    mutating func scan(_ bytes: [UInt8], isPiece: Bool) throws {
        var scanner = XMLScanner(bytes, open: open, isPiece: isPiece)
        while let e = try scanner.next() {
            switch e.kind {
            case .open:
                if scanner.nameIs(e, "si") { current = "" }
                else if scanner.nameIs(e, "t") { inText = !e.selfClosing }
                else if scanner.nameIs(e, "rPh") { inPhonetic += 1 }
            case .text:
                if inText && inPhonetic == 0 && wanted.contains(count) { current += try scanner.text(e) }
            case .close:
                if scanner.nameIs(e, "si") {
                    if wanted.contains(count) { found[count] = current }
                    count += 1
                    if count > last { throw Done() }
                } else if scanner.nameIs(e, "t") {
                    inText = false
                } else if scanner.nameIs(e, "rPh") {
                    inPhonetic -= 1
                }
            }
        }
        open = scanner.open
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

    /// A kept cell's text, as the sheet shows it, or its shared string's index.
    func text(_ cell: CellText, _ scanner: XMLScanner) throws -> SpreadsheetFile.CellText? {
        var raw = ""
        for part in ranges[cell.parts] {
            raw += part.isCDATA ? String(decoding: scanner.bytes[part.range], as: UTF8.self) : try scanner.unescape(part.range)
        }
        let isInline = cell.type == "inlineStr"
        return try file.cellText(type: cell.type, value: isInline ? nil : raw, inline: isInline ? raw : "", row: row, column: cell.column)
    }

    /// The row's cells, or nil when no trigger column holds text (a shared string counts as
    /// text: the table is read later, and only for the rows handed out).
    func materialize(_ scanner: XMLScanner) throws -> [Int: SpreadsheetFile.CellText]? {
        var out: [Int: SpreadsheetFile.CellText] = [:]
        if let trigger {
            var any = false
            for cell in cells where trigger.contains(cell.column) {
                switch try text(cell, scanner) {
                case .text(let t)?: any = !t.trimmingBlanks().isEmpty
                case .shared?: any = true
                case nil: any = false
                }
                if any { break }
            }
            if !any { return nil }
        }
        for cell in cells {
            switch try text(cell, scanner) {
            case .text(let t)? where !t.isEmpty: out[cell.column] = .text(t)
            case .shared(let i)?: out[cell.column] = .shared(i)
            default: break
            }
        }
        return out.isEmpty ? nil : out
    }

    /// What the reader asked for, from the next row on.
    mutating func take(_ reply: SpreadsheetFile.RowReply) {
        guard case .only(let columns, let triggers) = reply else { return }
        var map = [Bool](repeating: false, count: (columns.max() ?? -1) + 1)
        for c in columns { map[c] = true }
        wanted = map
        trigger = triggers
    }

    /// Scans one piece; throws `Stop` when the reader wants no more.
    mutating func scan(_ bytes: [UInt8], isPiece: Bool, _ body: (_ row: Int, _ cells: [Int: SpreadsheetFile.CellText]) -> SpreadsheetFile.RowReply) throws {
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
                    case let reply: take(reply)
                    }
                }
            }
        }
        open = scanner.open
    }
}
