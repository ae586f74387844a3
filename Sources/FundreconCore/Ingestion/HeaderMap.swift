/// One header cell, read as: names separated by `/` or `|`, with a bracketed unit anywhere
/// (`金额（万元）`, `amount (yuan)`, `金额(万元)/amount`). Case and blanks are ignored.
struct HeaderCell {
    let names: [String]
    let unit: AmountUnit?

    init(_ text: String) {
        var rest = ""
        var unit: AmountUnit?
        var inside: String?
        for ch in text.trimmingBlanks().lowercased() {
            switch ch {
            case "(", "（", "[", "【":
                inside = ""
            case ")", "）", "]", "】":
                if let word = inside, let u = AmountUnit(word: word) { unit = u }
                inside = nil
            default:
                if inside != nil { inside?.append(ch) } else { rest.append(ch) }
            }
        }
        names = rest.split(whereSeparator: { $0 == "/" || $0 == "|" }).map { String($0).trimmingBlanks() }.filter { !$0.isEmpty }
        self.unit = unit
    }
}

/// Where each known column sits in a file, and what the header says of it. Look-ups are
/// array reads by column ordinal: they happen for every field of every row.
public struct HeaderMap: Sendable {
    private var index = [Int](repeating: -1, count: Column.allCases.count)
    private var written = [String?](repeating: nil, count: Column.allCases.count)
    private var units = [AmountUnit?](repeating: nil, count: Column.allCases.count)
    /// Columns the schema does not know: (field index, header text).
    public private(set) var unknown: [(Int, String)] = []
    /// A later column whose name a former one already took: (field index, header text, the
    /// former's field index).
    public private(set) var repeated: [(Int, String, Int)] = []
    public private(set) var missing: [ColumnSpec] = []
    public let width: Int

    package init(cells: [String], file: InputFile) {
        width = cells.count
        let specs = file.columns
        var lookup: [String: Column] = [:]
        for spec in specs {
            lookup[spec.column.rawValue] = spec.column
            for alias in spec.aliases { lookup[alias.lowercased()] = spec.column }
        }
        for (i, text) in cells.enumerated() {
            let cell = HeaderCell(text)
            guard !cell.names.isEmpty else { continue }  // an unnamed column (Excel leaves these) holds nothing we read
            guard let column = cell.names.lazy.compactMap({ lookup[$0] }).first else {
                unknown.append((i, text.trimmingBlanks()))
                continue
            }
            let k = column.ordinal
            if index[k] >= 0 { repeated.append((i, text.trimmingBlanks(), index[k])); continue }
            index[k] = i
            written[k] = text.trimmingBlanks()
            units[k] = cell.unit
        }
        missing = specs.filter { $0.required && index[$0.column.ordinal] < 0 }
    }

    /// The file cannot be read: a required column is missing, or one is there twice (which
    /// of two amount columns holds the amount, nobody can tell).
    var isUnusable: Bool { !missing.isEmpty || !repeated.isEmpty }

    /// More of the header's cells are unknown than known: with no data row under it, the file
    /// is more likely not what its name says (or one long line) than an empty ledger.
    var isMostlyUnknown: Bool { unknown.count > index.filter { $0 >= 0 }.count }

    public func index(of column: Column) -> Int? {
        let i = index[column.ordinal]
        return i >= 0 ? i : nil
    }

    /// The header as the user wrote it, for messages.
    public func label(_ column: Column) -> String { written[column.ordinal] ?? column.rawValue }

    public func unit(of column: Column) -> AmountUnit? { units[column.ordinal] }
}

extension HeaderMap {
    /// What the header row (the reader's current record) says of itself: IN010 for each
    /// column ignored, and IN001 when a required one is missing or one is there twice (the
    /// file is then not read).
    func findings(_ reader: CSVReader, file: InputFile, path: String) -> [Finding] {
        var out: [Finding] = []
        for (i, text) in unknown {
            let loc = reader.location(ofField: i)
            out.append(Finding(.IN010, Message(zh: "未识别的列“\(text)”已忽略", en: "unknown column \"\(text)\" ignored"),
                               at: SourceRef(file: path, line: loc.line, column: loc.column)))
        }
        for (i, text, first) in repeated {
            let loc = reader.location(ofField: i), firstLoc = reader.location(ofField: first)
            out.append(Finding(.IN001, Message(
                zh: "列“\(text)”与第 \(firstLoc.column) 字符处的列是同一项，无法确定用哪一列；整个文件未读取",
                en: "column \"\(text)\" is the same field as the column at character \(firstLoc.column); which one holds it cannot be told, so the file was not read"),
                at: SourceRef(file: path, line: loc.line, column: loc.column)))
        }
        if !missing.isEmpty {
            let names = missing.map { "\($0.column.rawValue)（\($0.aliases[0])）" }.joined(separator: "、")
            out.append(Finding(.IN001, Message(zh: "\(file.fileName) 缺少必需的列：\(names)，整个文件未读取",
                                               en: "\(file.fileName) lacks required columns: \(names); the file was not read"),
                               at: SourceRef(file: path, line: reader.line)))
        }
        return out
    }
}
