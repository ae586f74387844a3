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

    func cellText(type: String, value: String?, inline: String, row: Int, column: Int) throws(WorkbookReadError) -> CellText? {
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

    /// The 0-based column of a reference such as `AB12`, read from its bytes.
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
