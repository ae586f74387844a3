import Synchronization
import XLSX

/// One cell of a table row, before it is styled and written.
enum Cell {
    case text(String)
    case money(Fen)
    case count(Int)
    case date(Day)
    /// A money formula and its exact value in 分, cached (and summed into the totals row).
    case moneyFormula(String, Fen)
    /// A ratio formula and its cached value; `nil` caches an empty text (a % of nothing).
    case ratioFormula(String, cached: Double?)
    case link(String, text: String)
    case empty
}

enum Styles {
    static let moneyFormat = "#,##0.0000##"
    static let header = CellStyle(bold: true, background: 0xDDEBF7, border: true, align: .center, wrap: true, verticalCenter: true)
    static let text = CellStyle()
    static let money = CellStyle(numberFormat: moneyFormat)
    static let percent = CellStyle(numberFormat: "0.00%")
    static let date = CellStyle(numberFormat: "yyyy-mm-dd")
    static let count = CellStyle(numberFormat: "#,##0")
    static let link = CellStyle(underline: true, fontColor: 0x0563C1)
    static let totalLabel = CellStyle(bold: true, border: true)
    static let totalMoney = CellStyle(numberFormat: moneyFormat, bold: true, border: true)
    static let over = CellStyle(fontColor: 0x9C0006, background: 0xFFC7CE)
    static let under = CellStyle(fontColor: 0x9C5700, background: 0xFFEB9C)
    static let missing = CellStyle(fontColor: 0x3A3A3A, background: 0xD9D9D9)
    static let title = CellStyle(bold: true)
}

/// The styles `SheetTable.fill` writes with, made ready for one sheet before its rows are
/// written: on any thread, and without a look-up per cell.
struct DataStyles {
    let text, money, percent, date, count, link, totalLabel, totalMoney: SheetStyle

    init(_ sheet: Worksheet) {
        text = sheet.prepare(Styles.text)
        money = sheet.prepare(Styles.money)
        percent = sheet.prepare(Styles.percent)
        date = sheet.prepare(Styles.date)
        count = sheet.prepare(Styles.count)
        link = sheet.prepare(Styles.link)
        totalLabel = sheet.prepare(Styles.totalLabel)
        totalMoney = sheet.prepare(Styles.totalMoney)
    }
}

/// A table sheet: a header row, data rows, optionally a totals row with SUBTOTAL; frozen
/// header, autofilter, print setup. Continues on "name (2)" before Excel's row limit.
struct SheetTable {
    let name: String
    let headers: [String]
    let rowCount: Int
    /// Cells of data row `index`, written on 1-based sheet row `excelRow` (for formulas).
    let row: (_ index: Int, _ excelRow: Int) -> [Cell]
    /// Columns that get a SUBTOTAL(109, …) in the totals row.
    var totalColumns: [Int] = []
    var totalsLabel: String?
    /// Row rules, as formulas on row 2 with `{r}` for the row number, e.g. `$I{r}="超额拨付"`.
    var rules: [(formula: String, style: CellStyle)] = []
    /// Data rows per sheet; Excel's limit less the header and totals rows.
    var rowsPerSheet = Limits.rows - 2
    /// Links per sheet; past Excel's limit a link's target is written as text.
    var linksPerSheet = Limits.linksPerSheet
    /// The answer block, when the rows end with one (`AnswerColumns`).
    var answers: AnswerColumns?

    /// The first column of the answer block.
    var answerColumn: Int { headers.count - AnswerColumns.count }

    var sheetCount: Int { max(1, (rowCount + rowsPerSheet - 1) / rowsPerSheet) }

    func sheetName(_ part: Int) -> String { part == 0 ? name : "\(name) (\(part + 1))" }

    /// Where data row `index` lands: sheet name and 1-based row.
    func place(_ index: Int) -> (sheet: String, row: Int) {
        (sheetName(index / rowsPerSheet), 2 + index % rowsPerSheet)
    }

    static func columnLetter(_ col: Int) -> String {
        var n = col + 1
        var s = ""
        while n > 0 {
            let r = (n - 1) % 26
            s = String(UnicodeScalar(UInt8(65 + r))) + s
            n = (n - 1) / 26
        }
        return s
    }

    /// Display width of text in Excel's character units: CJK and full-width forms count double.
    static func width(_ text: String) -> Double {
        var w = 0.0
        for s in text.unicodeScalars {
            switch s.value {
            case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6:
                w += 2
            default:
                w += 1
            }
        }
        return w
    }

    static func display(_ cell: Cell) -> String {
        switch cell {
        case .text(let s): return s
        case .money(let f): return MoneyFormat.wanYuan(f) + ".0000"
        case .count(let n): return String(n)
        case .date: return "2021-12-31"
        case .moneyFormula(_, let f): return "-" + MoneyFormat.wanYuan(f) + ".0000"
        case .ratioFormula(_, let cached): return cached == nil ? "" : "-100.00%"
        case .link(_, let text): return text
        case .empty: return ""
        }
    }

    /// One sheet of the table, added to the workbook and set up, its data rows still to write.
    struct Part {
        let sheet: Worksheet
        let styles: DataStyles
        let first: Int
        let count: Int
    }

    func write(to workbook: Workbook) throws(XLSXError) {
        for part in try prepare(workbook) { try fill(part) }
    }

    /// Adds the table's sheets in order and writes everything but the data rows: widths, panes,
    /// print setup, filter, rules and headers. Serial: it touches the workbook's shared state.
    func prepare(_ workbook: Workbook) throws(XLSXError) -> [Part] {
        // Widths from the header and the first rows (1.1.4 has no autofit).
        var widths = headers.map { min(SheetTable.width($0) + 2, 40) }
        for i in 0..<min(rowCount, 2000) {
            for (c, cell) in row(i, 2 + i).enumerated() where c < widths.count {
                // Numbers get a little more room: CJK fonts set digits wider than Excel's unit.
                let pad: Double = { if case .text = cell { return 2 } else { return 4 } }()
                widths[c] = max(widths[c], min(SheetTable.width(SheetTable.display(cell)) + pad, 60))
            }
        }
        if answers != nil {
            for (k, w) in AnswerColumns.widths.enumerated() where answerColumn + k < widths.count { widths[answerColumn + k] = w }
        }
        var parts: [Part] = []
        for part in 0..<sheetCount {
            let first = part * rowsPerSheet
            let count = max(min(rowsPerSheet, rowCount - first), 0)
            let sheet = try setUp(workbook, name: sheetName(part), count: count, widths: widths)
            parts.append(Part(sheet: sheet, styles: DataStyles(sheet), first: first, count: count))
        }
        return parts
    }

    private func setUp(_ workbook: Workbook, name: String, count: Int, widths: [Double]) throws(XLSXError) -> Worksheet {
        let sheet = try workbook.addWorksheet(name)
        let lastColumn = headers.count - 1
        let hidden = answers == nil ? [] : AnswerColumns.hidden.map { answerColumn + $0 }
        for (c, w) in widths.enumerated() where !hidden.contains(c) { try sheet.setColumn(c, width: w) }
        try answers?.setUp(sheet, at: answerColumn, lastRow: count)
        sheet.freezePanes(rows: 1, columns: 0)
        try sheet.printSetup(landscape: true, fitOnePageWide: true, repeatRows: 0...0)
        // Constant-memory mode: ranges before any data row.
        try sheet.autofilter(firstRow: 0, firstColumn: 0, lastRow: max(count, 1), lastColumn: lastColumn)
        if count > 0 {
            for rule in rules {
                try sheet.conditionalFormat(firstRow: 1, firstColumn: 0, lastRow: count, lastColumn: lastColumn,
                                            formula: rule.formula.replacingOccurrences(of: "{r}", with: "2"), style: rule.style)
            }
        }
        try sheet.setRow(0, height: 30)
        for (c, h) in headers.enumerated() { try sheet.write(0, c, h, Styles.header) }
        return sheet
    }

    /// Writes a part's data rows and totals. Parts of different sheets may be filled at once.
    func fill(_ part: Part) throws(XLSXError) {
        let sheet = part.sheet
        // By column: a column not totalled is never added to.
        let totalled = (0..<headers.count).map { totalColumns.contains($0) }
        var sums = [Fen](repeating: 0, count: headers.count)
        var links = 0
        for k in 0..<part.count {
            let r = 1 + k
            for (c, var cell) in row(part.first + k, r + 1).enumerated() {
                if case .link(let target, _) = cell {
                    // Past Excel's limit of links per sheet the place is written as text: the
                    // target less its scheme, which a sheet's name (no colon allowed) never
                    // holds again. Most rows of a long 异常清单 come here.
                    links += 1
                    if links > linksPerSheet { cell = .text(Self.placeText(target)) }
                }
                try put(sheet, part.styles, r, c, cell)
                guard c < totalled.count, totalled[c] else { continue }
                if case .money(let f) = cell { sums[c] += f }
                if case .moneyFormula(_, let f) = cell { sums[c] += f }
            }
        }
        guard let label = totalsLabel else { return }
        let r = part.count + 1
        try sheet.write(r, 0, label, part.styles.totalLabel)
        for c in totalColumns {
            let letter = SheetTable.columnLetter(c)
            try sheet.write(r, c, formula: "=SUBTOTAL(109,\(letter)2:\(letter)\(max(part.count + 1, 2)))",
                            cached: Double(sums.indices.contains(c) ? sums[c] : 0) / 1_000_000, part.styles.totalMoney)
        }
    }

    /// A link's target as the text written past the limit: less its scheme. Compared as
    /// bytes: the generic trimmingPrefix costs a tenth of a province's findings sheet.
    static func placeText(_ target: String) -> String {
        let scheme = "internal:"
        return target.utf8.starts(with: scheme.utf8) ? String(target.dropFirst(scheme.count)) : target
    }

    private func put(_ sheet: Worksheet, _ styles: DataStyles, _ r: Int, _ c: Int, _ cell: Cell) throws(XLSXError) {
        switch cell {
        case .text(let s): try sheet.write(r, c, s, styles.text)
        case .money(let f): try sheet.write(r, c, number: Double(f) / 1_000_000, styles.money)
        case .count(let n): try sheet.write(r, c, number: Double(n), styles.count)
        case .date(let d): try sheet.write(r, c, number: Double(d.daysSinceEpoch) + 25569, styles.date)
        case .moneyFormula(let f, let fen): try sheet.write(r, c, formula: f, cached: Double(fen) / 1_000_000, styles.money)
        case .ratioFormula(let f, let cached):
            if let cached {
                try sheet.write(r, c, formula: f, cached: cached, styles.percent)
            } else {
                try sheet.write(r, c, formula: f, cachedText: "", styles.percent)
            }
        case .link(let target, let text): try sheet.write(r, c, link: target, text: text, styles.link)
        case .empty: break
        }
    }
}

/// A table too long for one sheet: its rows, and the sheets after its first that hold them.
public struct ContinuedSheet: Sendable, Equatable {
    public let name: String
    public let rows: Int
    public let rowsPerSheet: Int
    public let continuedOn: [String]
}

/// A sheet part whose rows are still to write, and the table that makes them.
// Unchecked: a part is written by the one thread it is dealt to; its sheet is touched by no
// other part's thread (see `Workbook`).
struct PendingRows: @unchecked Sendable {
    let table: SheetTable
    let part: SheetTable.Part

    /// Cells to write: what the time goes by.
    var cost: Int { part.count * table.headers.count }

    /// Writes every part's rows, `threads` at a time. Each thread takes the longest part left
    /// when it is free, and writes it whole: the cost of a row differs from sheet to sheet (a
    /// finding's message against a row of numbers), so parts dealt out beforehand by their
    /// count of cells leave one thread writing alone at the end.
    static func fill(_ pending: [PendingRows], threads: Int) throws(XLSXError) {
        let queue = pending.sorted { $0.cost > $1.cost }
        let next = Atomic<Int>(0)
        let failures = Concurrently.map(Array(0..<max(1, min(threads, pending.count)))) { _ -> XLSXError? in
            do throws(XLSXError) {
                while true {
                    let k = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard k < queue.count else { return nil }
                    try queue[k].table.fill(queue[k].part)
                }
            } catch {
                next.store(queue.count, ordering: .relaxed)  // the others take no more
                return error
            }
        }
        if let first = failures.compactMap({ $0 }).first { throw first }
    }
}
