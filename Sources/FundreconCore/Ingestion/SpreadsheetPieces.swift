// How a workbook's parts are read a piece at a time: the cutter that keeps every element in
// one piece (`Pieces`), and the two scans it feeds, a sheet's rows (`SheetRows`) and the
// shared-string table (`StringTable`). `SpreadsheetFile` is their only user.

/// Inflated bytes as they come, scanned in pieces of at least `pieceSize` cut after an end
/// tag (`</row>`, `</si>`, or with a prefix, `</x:row>`), so that no element or text spans two.
struct Pieces {
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
struct StringTable {
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
struct SheetRows {
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
