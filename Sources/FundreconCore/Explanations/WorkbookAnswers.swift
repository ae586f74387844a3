extension Explanations {
    /// The answers staff typed into a workbook this tool wrote, as whatever program saved it
    /// left them: every sheet whose header row (within its first rows) names a key column is
    /// read, by header, so sorted rows, moved columns, renamed or added sheets do not matter.
    public static func read(workbook path: String) throws(WorkbookReadError) -> Explanations {
        let file = try SpreadsheetFile(path: path)
        // The sheets on two threads, the largest first to the one with less to read; the rows
        // are then taken in tab order, so the same file always gives the same findings.
        var shares: [[Int]] = [[], []], load = [0, 0]
        for i in file.sheets.indices.sorted(by: { file.sheets[$0].size > file.sheets[$1].size }) {
            let least = load[0] <= load[1] ? 0 : 1
            shares[least].append(i)
            load[least] += file.sheets[i].size
        }
        let read = Concurrently.map(shares.filter { !$0.isEmpty }) { share in
            Result { () throws(WorkbookReadError) in try share.map { i throws(WorkbookReadError) in (i, try answerRows(file, file.sheets[i])) } }
        }
        var bySheet = [[AnswerRow]](repeating: [], count: file.sheets.count)
        for outcome in read {
            for (i, rows) in try outcome.get() { bySheet[i] = rows }
        }
        var out = Explanations()
        for rows in bySheet {
            for row in rows { out.take(row, fromReport: true) }
        }
        return out
    }

    /// The rows of one sheet that hold an answer, with what they are about.
    private static func answerRows(_ file: SpreadsheetFile, _ sheet: SpreadsheetFile.Sheet) throws(WorkbookReadError) -> [AnswerRow] {
        var columns: AnswerSheetColumns?
        var out: [AnswerRow] = []
        try file.rows(of: sheet) { row, cells in
            guard let c = columns else {
                // Staff may put a title above the header: look a few rows down.
                if row > AnswerSheetColumns.headerSearchRows { return .stop }
                columns = AnswerSheetColumns(cells)
                return columns.map { .only(wanted: $0.wanted, trigger: $0.answered) } ?? .more
            }
            var answer = AnswerRow(source: SourceRef(file: "\(file.path) [\(sheet.name)]", line: row))
            answer.key = c.text(cells, c.names.key)
            answer.status = c.text(cells, c.names.status)
            answer.text = c.text(cells, c.names.text)
            answer.owner = c.text(cells, c.names.owner)
            let date = c.text(cells, c.names.date)
            // A date typed into Excel is kept as a serial day; shown as the date it is.
            answer.date = date.allSatisfy({ $0.isNumber || $0 == "." }) ? file.day(serial: date)?.description ?? date : date
            answer.figure = c.text(cells, c.names.figure)
            answer.code = c.text(cells, c.code)
            answer.about = c.about(cells)
            out.append(answer)
            return .more
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

    var wanted: Set<Int> {
        Set([names.key, names.status, names.text, names.owner, names.date, names.figure, code, message, project, from, to].compactMap { $0 })
    }

    /// The columns staff type into: a row with none of them filled holds no answer.
    var answered: Set<Int> { Set([names.status, names.text, names.owner, names.date].compactMap { $0 }) }

    func text(_ cells: [Int: String], _ column: Int?) -> String { column.flatMap { cells[$0] }?.trimmingBlanks() ?? "" }

    /// What the row was about, for an answer kept after its finding is gone.
    func about(_ cells: [Int: String]) -> String {
        let said = text(cells, message)
        if !said.isEmpty { return said }
        let edge = [text(cells, project), text(cells, from), text(cells, to)]
        return edge.allSatisfy(\.isEmpty) ? "" : "\(edge[0]) \(edge[1]) → \(edge[2])"
    }
}
