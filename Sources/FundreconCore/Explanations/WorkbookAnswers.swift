extension Explanations {
    /// The answers staff typed into a workbook this tool wrote, as whatever program saved it
    /// left them: every sheet whose header row (within its first rows) names a key column is
    /// read, by header, so sorted rows, moved columns, renamed or added sheets do not matter.
    public static func read(workbook path: String) throws(WorkbookReadError) -> Explanations {
        let file = try SpreadsheetFile(path: path)
        // First each sheet's first rows, to find its header; then, on the sheets that have
        // one, the rows with something typed. Shared strings (every text, in a workbook saved
        // by Excel or LibreOffice) are looked up once a phase, only those these rows name.
        let heads = try eachSheet(file) { i throws(WorkbookReadError) in try firstRows(file, file.sheets[i]) }
        let headTexts = try file.strings(sharedIndices(heads.flatMap { $0.map(\.cells) }))
        let columns = heads.map { rows in
            rows.lazy.compactMap { row in AnswerSheetColumns(SpreadsheetFile.texts(row.cells, headTexts)).map { (row.row, $0) } }.first
        }
        // A sheet whose answer columns are there but whose key column is gone (the hidden
        // 问题键, deleted with its neighbours): answers typed there cannot be matched, so the
        // workbook is refused rather than replaced with them unread.
        for (i, rows) in heads.enumerated() where columns[i] == nil {
            guard let (headerRow, typed) = rows.lazy.compactMap({ row in
                AnswerSheetColumns.keyless(SpreadsheetFile.texts(row.cells, headTexts)).map { (row.row, $0) } }).first else { continue }
            var answered: Int?
            try file.rows(of: file.sheets[i], first: .only(wanted: typed, trigger: typed)) { row, _ in
                guard row > headerRow else { return .more }
                answered = row
                return .stop
            }
            if let answered {
                throw WorkbookReadError(path: path, reason: "sheet \(file.sheets[i].name) has answers (row \(answered)) but no 问题键 / Key column, which tells each row's finding; restore the column (it is hidden) from an earlier copy, or move the answers onto tonight's workbook")
            }
        }
        let answered = try eachSheet(file) { i throws(WorkbookReadError) -> [(row: Int, cells: [Int: SpreadsheetFile.CellText])] in
            guard let (headerRow, c) = columns[i] else { return [] }
            var out: [(row: Int, cells: [Int: SpreadsheetFile.CellText])] = []
            try file.rows(of: file.sheets[i], first: .only(wanted: c.wanted, trigger: c.answered)) { row, cells in
                if row > headerRow { out.append((row, cells)) }
                return .more
            }
            return out
        }
        let texts = try file.strings(sharedIndices(answered.flatMap { $0.map(\.cells) }))
        var out = Explanations()
        for (i, rows) in answered.enumerated() {
            guard let (_, c) = columns[i] else { continue }
            for row in rows {
                out.take(c.answer(SpreadsheetFile.texts(row.cells, texts), file: file, sheet: file.sheets[i], row: row.row), fromReport: true)
            }
        }
        return out
    }

    /// `work` on every sheet (by its index), two threads, the largest sheets first to the one with less to
    /// read; the results in tab order, so the same file always gives the same findings.
    private static func eachSheet<T: Sendable>(_ file: SpreadsheetFile,
                                               _ work: @escaping @Sendable (Int) throws(WorkbookReadError) -> T) throws(WorkbookReadError) -> [T] {
        var shares: [[Int]] = [[], []], load = [0, 0]
        for i in file.sheets.indices.sorted(by: { file.sheets[$0].size > file.sheets[$1].size }) {
            let least = load[0] <= load[1] ? 0 : 1
            shares[least].append(i)
            load[least] += file.sheets[i].size
        }
        let read = Concurrently.map(shares.filter { !$0.isEmpty }) { share in
            Result { () throws(WorkbookReadError) in try share.map { i throws(WorkbookReadError) in (i, try work(i)) } }
        }
        var bySheet = [T?](repeating: nil, count: file.sheets.count)
        for outcome in read {
            for (i, value) in try outcome.get() { bySheet[i] = value }
        }
        return bySheet.compactMap { $0 }
    }

    /// A sheet's first rows, where its header is looked for (staff may put a title above it).
    private static func firstRows(_ file: SpreadsheetFile, _ sheet: SpreadsheetFile.Sheet) throws(WorkbookReadError) -> [(row: Int, cells: [Int: SpreadsheetFile.CellText])] {
        var out: [(row: Int, cells: [Int: SpreadsheetFile.CellText])] = []
        try file.rows(of: sheet) { row, cells in
            guard row <= AnswerSheetColumns.headerSearchRows else { return .stop }
            out.append((row, cells))
            return .more
        }
        return out
    }

    private static func sharedIndices(_ rows: [[Int: SpreadsheetFile.CellText]]) -> Set<Int> {
        var out = Set<Int>()
        for cells in rows {
            for cell in cells.values { if case .shared(let i) = cell { out.insert(i) } }
        }
        return out
    }
}

/// Where a sheet's answer block and the columns that say what a row is about are.
struct AnswerSheetColumns {
    static let headerSearchRows = 5

    let names: AnswerColumnNames
    var code: Int?
    var message: Int?
    var project: Int?
    var from: Int?
    var to: Int?

    /// nil when the row is not a header with a key column.
    init?(_ cells: [Int: String]) {
        let width = (cells.keys.max() ?? -1) + 1
        let header = (0..<width).map { cells[$0] ?? "" }
        names = AnswerColumnNames(header)
        guard names.key != nil else { return nil }
        func column(_ candidates: [String]) -> Int? { candidates.lazy.compactMap { header.firstIndex(of: $0) }.first }
        code = column(["代码", "Code"])
        message = column(["说明", "Message"])
        project = column(["项目编码", "Project code", "项目", "Project"])
        from = column(["拨出单位", "From"])
        to = column(["接收单位", "To"])
    }

    /// The answer columns of a header that has them but no key column; nil otherwise.
    static func keyless(_ cells: [Int: String]) -> Set<Int>? {
        let width = (cells.keys.max() ?? -1) + 1
        let names = AnswerColumnNames((0..<width).map { cells[$0] ?? "" })
        let header = Set(cells.values)
        // Both of the block's own headers, so that a sheet of the staff's own with a status column is left alone.
        guard names.key == nil, header.contains("处理状态") && header.contains("情况说明") || header.contains("Status") && header.contains("Explanation") else { return nil }
        return Set([names.status, names.text, names.owner, names.date].compactMap { $0 })
    }

    var wanted: Set<Int> {
        Set([names.key, names.status, names.text, names.owner, names.date, names.figure, code, message, project, from, to].compactMap { $0 })
    }

    /// The columns staff type into: a row with none of them filled holds no answer.
    var answered: Set<Int> { Set([names.status, names.text, names.owner, names.date].compactMap { $0 }) }

    func text(_ cells: [Int: String], _ column: Int?) -> String { column.flatMap { cells[$0] }?.trimmingBlanks() ?? "" }

    /// A row's answer, read by header.
    func answer(_ cells: [Int: String], file: SpreadsheetFile, sheet: SpreadsheetFile.Sheet, row: Int) -> AnswerRow {
        var answer = AnswerRow(source: SourceRef(file: "\(file.path) [\(sheet.name)]", line: row))
        answer.key = text(cells, names.key)
        answer.status = text(cells, names.status)
        answer.text = text(cells, names.text)
        answer.owner = text(cells, names.owner)
        let date = text(cells, names.date)
        // A date typed into Excel is kept as a serial day; shown as the date it is.
        answer.date = date.allSatisfy({ $0.isNumber || $0 == "." }) ? file.day(serial: date)?.description ?? date : date
        answer.figure = text(cells, names.figure)
        answer.code = text(cells, code)
        answer.about = about(cells)
        return answer
    }

    /// What the row was about, for an answer kept after its finding is gone.
    func about(_ cells: [Int: String]) -> String {
        let said = text(cells, message)
        if !said.isEmpty { return said }
        let edge = [text(cells, project), text(cells, from), text(cells, to)]
        return edge.allSatisfy(\.isEmpty) ? "" : "\(edge[0]) \(edge[1]) → \(edge[2])"
    }
}
