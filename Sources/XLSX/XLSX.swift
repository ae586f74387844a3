import CXlsxWriter
import CSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A libxlsxwriter call that failed, with the library's own words (`lxw_strerror`).
public struct XLSXError: Error, Sendable, CustomStringConvertible {
    public let code: Int
    public let description: String
}

@inline(__always)
func check(_ result: lxw_error, _ what: @autoclosure () -> String) throws(XLSXError) {
    guard result != LXW_NO_ERROR else { return }
    throw XLSXError(code: Int(result.rawValue), description: "\(what()): \(String(cString: lxw_strerror(result)))")
}

/// Excel's sheet limits.
public enum Limits {
    public static let rows = 1_048_576
    public static let columns = 16_384
    public static let sheetNameLength = 31
    /// Hyperlinks one worksheet may hold.
    public static let linksPerSheet = 65_530
}

/// How a cell looks. Value type: equal descriptions share one libxlsxwriter format.
public struct CellStyle: Hashable, Sendable {
    public enum Align: Hashable, Sendable { case general, left, center, right }

    public var numberFormat: String?
    public var bold = false
    public var italic = false
    public var underline = false
    public var fontColor: UInt32?
    public var background: UInt32?
    public var border = false
    public var align: Align = .general
    public var wrap = false
    public var verticalCenter = false

    public init(numberFormat: String? = nil, bold: Bool = false, italic: Bool = false, underline: Bool = false,
                fontColor: UInt32? = nil, background: UInt32? = nil, border: Bool = false, align: Align = .general,
                wrap: Bool = false, verticalCenter: Bool = false) {
        self.numberFormat = numberFormat
        self.bold = bold
        self.italic = italic
        self.underline = underline
        self.fontColor = fontColor
        self.background = background
        self.border = border
        self.align = align
        self.wrap = wrap
        self.verticalCenter = verticalCenter
    }
}

/// Document properties (File → Properties in Excel).
public struct DocumentProperties: Sendable {
    public var title: String
    public var subject: String
    public var author: String
    public var company: String
    public var comments: String
    /// Seconds since 1970; fixed for reproducible files (SOURCE_DATE_EPOCH).
    public var created: Int64?

    public init(title: String, subject: String = "", author: String = "", company: String = "", comments: String = "", created: Int64? = nil) {
        self.title = title
        self.subject = subject
        self.author = author
        self.company = company
        self.comments = comments
        self.created = created
    }
}

/// An .xlsx file being written. Nothing reaches the disk until `close()`.
///
/// Threads: the workbook and its sheets are set up on one thread. After that the data rows of
/// different sheets may be written at once, one thread per sheet: in constant-memory mode a
/// row touches only its own sheet, and formats are made under a lock with their index fixed.
public final class Workbook: @unchecked Sendable {
    let handle: UnsafeMutablePointer<lxw_workbook>
    private var formats: [CellStyle: UnsafeMutablePointer<lxw_format>] = [:]
    private let formatsLock = NSLock()
    /// `char*` fields of option structs must live until the workbook is closed.
    private var retained: [UnsafeMutablePointer<CChar>] = []
    private var properties: UnsafeMutablePointer<lxw_doc_properties>?
    private var closed = false
    /// The sheets' temporary files' buffers (constant-memory mode).
    private let sheetBuffers = SheetBuffers()
    public let path: String

    /// - Parameter constantMemory: rows are flushed as they are written (strictly in order),
    ///   so a million-row sheet costs a few megabytes.
    /// - Parameter cellsWrittenDirectly: a constant-memory sheet's number and text cells written
    ///   by fundrecon's executables' own writers (the same bytes without fprintf;
    ///   Sources/CDeflateLevel/FastCells.c) rather than libxlsxwriter's. For the whole process,
    ///   as the last workbook made asks: both give the same file.
    public init(path: String, constantMemory: Bool, temporaryDirectory: String? = nil,
                cellsWrittenDirectly: Bool = true) throws(XLSXError) {
        self.path = path
        fundrecon_set_cells_written_directly(cellsWrittenDirectly ? 1 : 0)
        var options = lxw_workbook_options()
        options.constant_memory = constantMemory ? 1 : 0
        options.use_zip64 = 1
        var tmp: UnsafeMutablePointer<CChar>?
        if let temporaryDirectory { tmp = strdup(temporaryDirectory) }
        options.tmpdir = tmp
        guard let wb = workbook_new_opt(path, &options) else {
            free(tmp)
            throw XLSXError(code: -1, description: "\(path): cannot create the workbook")
        }
        handle = wb
        if let tmp { retained.append(tmp) }
    }

    deinit {
        if !closed {
            sheetBuffers.closeUnwritten()
            lxw_workbook_free(handle)
        }
        for p in retained { free(p) }
        properties?.deallocate()
    }

    private func keep(_ s: String) -> UnsafeMutablePointer<CChar>? {
        guard let p = strdup(s) else { return nil }
        retained.append(p)
        return p
    }

    public func setProperties(_ p: DocumentProperties) throws(XLSXError) {
        let props = properties ?? UnsafeMutablePointer<lxw_doc_properties>.allocate(capacity: 1)
        props.initialize(to: lxw_doc_properties())
        properties = props
        props.pointee.title = keep(p.title)
        props.pointee.subject = keep(p.subject)
        props.pointee.author = keep(p.author)
        props.pointee.company = keep(p.company)
        props.pointee.comments = keep(p.comments)
        if let created = p.created { props.pointee.created = time_t(created) }
        try check(workbook_set_properties(handle, props), "document properties")
    }

    public func addWorksheet(_ name: String) throws(XLSXError) -> Worksheet {
        try check(workbook_validate_sheet_name(handle, name), "sheet name \"\(name)\"")
        guard let ws = workbook_add_worksheet(handle, name) else {
            throw XLSXError(code: -1, description: "cannot add sheet \"\(name)\"")
        }
        sheetBuffers.enlarge(ws)
        return Worksheet(handle: ws, name: name, workbook: self)
    }

    /// The libxlsxwriter format for a style, made once per distinct style.
    func format(_ style: CellStyle?) -> UnsafeMutablePointer<lxw_format>? {
        guard let style else { return nil }
        return formatsLock.withLock { makeFormat(style) }
    }

    private func makeFormat(_ style: CellStyle) -> UnsafeMutablePointer<lxw_format>? {
        if let f = formats[style] { return f }
        guard let f = workbook_add_format(handle) else { return nil }
        if let n = style.numberFormat { format_set_num_format(f, n) }
        if style.bold { format_set_bold(f) }
        if style.italic { format_set_italic(f) }
        if style.underline { format_set_underline(f, UInt8(LXW_UNDERLINE_SINGLE.rawValue)) }
        if let c = style.fontColor { format_set_font_color(f, lxw_color_t(c)) }
        if let c = style.background { format_set_bg_color(f, lxw_color_t(c)) }
        if style.border { format_set_border(f, UInt8(LXW_BORDER_THIN.rawValue)) }
        switch style.align {
        case .general: break
        case .left: format_set_align(f, UInt8(LXW_ALIGN_LEFT.rawValue))
        case .center: format_set_align(f, UInt8(LXW_ALIGN_CENTER.rawValue))
        case .right: format_set_align(f, UInt8(LXW_ALIGN_RIGHT.rawValue))
        }
        if style.verticalCenter { format_set_align(f, UInt8(LXW_ALIGN_VERTICAL_CENTER.rawValue)) }
        if style.wrap { format_set_text_wrap(f) }
        formats[style] = f
        return f
    }

    /// The format for a cell. libxlsxwriter 1.1.4 remembers a format's index only when the
    /// format is new; one equal to an existing format (the default, say) is hashed again
    /// (568 bytes and a malloc) for every cell. Fixing the index at its first cell, as the
    /// library would compute it then, makes every later cell a field read.
    func cellFormat(_ style: CellStyle) -> UnsafeMutablePointer<lxw_format>? {
        formatsLock.withLock {
            guard let f = makeFormat(style) else { return nil }
            if f.pointee.xf_index == -1 { f.pointee.xf_index = lxw_format_get_xf_index(f) }
            return f
        }
    }

    public func addColumnChart() throws(XLSXError) -> Chart {
        guard let c = workbook_add_chart(handle, UInt8(LXW_CHART_COLUMN.rawValue)) else {
            throw XLSXError(code: -1, description: "cannot add a chart")
        }
        return Chart(handle: c, workbook: self)
    }

    /// How hard the parts of the file are compressed when it is written.
    public enum Compression: Sendable {
        /// zlib level 1: a third less time for the whole write, a file about a fifth larger.
        case fast
        /// zlib's default (6), what libxlsxwriter always does on its own.
        case small
    }

    /// One workbook is compressed at a time: the level is process-wide (see CSupport).
    private static let closing = NSLock()

    /// Writes the file. An unwritable path shows up only here, and so does a sheet's rows
    /// failing to reach or come back from the temporary directory (a full disk, say), which
    /// libxlsxwriter alone would not report.
    /// `alongside`: the parts compressed on a second thread while this one assembles the
    /// next. `rowsInPlace`: a sheet's rows read from the file they were filled into, not
    /// copied into another first. Both give the same bytes; both work in fundrecon's
    /// executables only (see CSupport).
    public func close(compression: Compression = .small, alongside: Bool = true, rowsInPlace: Bool = true) throws(XLSXError) {
        guard !closed else { return }
        closed = true
        let (result, unflushed, unread) = Workbook.closing.withLock {
            fundrecon_set_deflate_level(compression == .fast ? 1 : -2)
            fundrecon_set_zip_pipeline(alongside ? 1 : 0)
            fundrecon_set_rows_in_place(rowsInPlace ? 1 : 0)
            defer {
                fundrecon_set_rows_in_place(0)
                fundrecon_set_zip_pipeline(0)
                fundrecon_set_deflate_level(-2)
            }
            let unflushed = sheetBuffers.flushBeforeClose()
            let result = workbook_close(handle)
            return (result, unflushed, fundrecon_rows_failure())
        }
        for error in [unflushed, unread] where error != 0 {
            let reason = error > 0 ? String(cString: strerror(error)) : "unknown error"
            throw XLSXError(code: Int(LXW_ERROR_CREATING_TMPFILE.rawValue),
                            description: "\(path): a sheet's rows could not be kept in the temporary directory: \(reason)")
        }
        try check(result, path)
    }
}

/// One sheet. Cells are written through it; in constant-memory mode rows go strictly in order.
/// One thread at a time (see `Workbook`).
public final class Worksheet: @unchecked Sendable {
    let handle: UnsafeMutablePointer<lxw_worksheet>
    public let name: String
    private unowned let workbook: Workbook
    /// This sheet's own look-up of formats: no lock per cell, and the workbook's table is
    /// asked only for a style the sheet has not used yet.
    private var cellFormats: [CellStyle: UnsafeMutablePointer<lxw_format>] = [:]

    private func cellFormat(_ style: CellStyle?) -> UnsafeMutablePointer<lxw_format>? {
        guard let style else { return nil }
        if let f = cellFormats[style] { return f }
        let f = workbook.cellFormat(style)
        cellFormats[style] = f
        return f
    }

    /// Makes a style's format before rows are written, so that filling rows on several threads
    /// never adds a format to the workbook; rows written with what it returns skip the look-up.
    public func prepare(_ style: CellStyle) -> SheetStyle { SheetStyle(format: cellFormat(style)) }

    init(handle: UnsafeMutablePointer<lxw_worksheet>, name: String, workbook: Workbook) {
        self.handle = handle
        self.name = name
        self.workbook = workbook
    }

    func cell(_ row: Int, _ col: Int) throws(XLSXError) -> (lxw_row_t, lxw_col_t) {
        guard row >= 0, row < Limits.rows, col >= 0, col < Limits.columns else {
            throw XLSXError(code: Int(LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE.rawValue), description: "\(name): cell (\(row), \(col)) is outside the sheet")
        }
        return (lxw_row_t(row), lxw_col_t(col))
    }

    /// Text, always stored as text: "=cmd|..." from a CSV never becomes a formula.
    public func write(_ row: Int, _ col: Int, _ text: String, _ style: CellStyle? = nil) throws(XLSXError) {
        try write(row, col, text, SheetStyle(format: cellFormat(style)))
    }

    public func write(_ row: Int, _ col: Int, number: Double, _ style: CellStyle? = nil) throws(XLSXError) {
        try write(row, col, number: number, SheetStyle(format: cellFormat(style)))
    }

    /// A formula with its value cached, so viewers that do not recalculate still show it.
    public func write(_ row: Int, _ col: Int, formula: String, cached: Double, _ style: CellStyle? = nil) throws(XLSXError) {
        try write(row, col, formula: formula, cached: cached, SheetStyle(format: cellFormat(style)))
    }

    public func write(_ row: Int, _ col: Int, formula: String, cachedText: String, _ style: CellStyle? = nil) throws(XLSXError) {
        try write(row, col, formula: formula, cachedText: cachedText, SheetStyle(format: cellFormat(style)))
    }

    /// A link: `internal:'Sheet'!A1` for a place in the workbook, or a URL.
    public func write(_ row: Int, _ col: Int, link: String, text: String, _ style: CellStyle? = nil) throws(XLSXError) {
        try write(row, col, link: link, text: text, SheetStyle(format: cellFormat(style)))
    }

    public func blank(_ row: Int, _ col: Int, _ style: CellStyle? = nil) throws(XLSXError) {
        let (r, c) = try cell(row, col)
        try check(worksheet_write_blank(handle, r, c, cellFormat(style)), "\(name)!R\(row + 1)C\(col + 1)")
    }

    public func setColumn(_ col: Int, width: Double, _ style: CellStyle? = nil) throws(XLSXError) {
        let (_, c) = try cell(0, col)
        try check(worksheet_set_column(handle, c, c, width, workbook.format(style)), "\(name) column \(col + 1)")
    }

    /// A column staff never need to see: still read by whoever opens the file with a program.
    public func hideColumn(_ col: Int, width: Double) throws(XLSXError) {
        let (_, c) = try cell(0, col)
        var options = lxw_row_col_options()
        options.hidden = 1
        try check(worksheet_set_column_opt(handle, c, c, width, nil, &options), "\(name) column \(col + 1)")
    }

    /// A drop-down of `values` on a column's cells. Values written by the program are not
    /// checked; what a person types is (Excel and WPS warn, and offer the list).
    public func dropDown(column: Int, firstRow: Int, lastRow: Int, values: [String]) throws(XLSXError) {
        let (r1, c) = try cell(firstRow, column)
        let (r2, _) = try cell(lastRow, column)
        var copies = values.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        copies.append(nil)
        var rule = lxw_data_validation()
        rule.validate = UInt8(LXW_VALIDATION_TYPE_LIST.rawValue)
        rule.error_type = UInt8(LXW_VALIDATION_ERROR_TYPE_WARNING.rawValue)
        try copies.withUnsafeMutableBufferPointer { (list) throws(XLSXError) in
            // Copied into the rule's formula by the call: the strings need outlive only it.
            rule.value_list = list.baseAddress
            try check(worksheet_data_validation_range(handle, r1, c, r2, c, &rule), "\(name) drop-down")
        }
    }

    public func setRow(_ row: Int, height: Double, _ style: CellStyle? = nil) throws(XLSXError) {
        let (r, _) = try cell(row, 0)
        try check(worksheet_set_row(handle, r, height, workbook.format(style)), "\(name) row \(row + 1)")
    }

    public func freezePanes(rows: Int, columns: Int) {
        worksheet_freeze_panes(handle, lxw_row_t(rows), lxw_col_t(columns))
    }

    /// In constant-memory mode this must come before the data rows.
    public func autofilter(firstRow: Int, firstColumn: Int, lastRow: Int, lastColumn: Int) throws(XLSXError) {
        let (r1, c1) = try cell(firstRow, firstColumn)
        let (r2, c2) = try cell(lastRow, lastColumn)
        try check(worksheet_autofilter(handle, r1, c1, r2, c2), "\(name) autofilter")
    }

    /// A conditional format whose rule is a formula written for the range's top-left cell.
    public func conditionalFormat(firstRow: Int, firstColumn: Int, lastRow: Int, lastColumn: Int,
                                  formula: String, style: CellStyle) throws(XLSXError) {
        let (r1, c1) = try cell(firstRow, firstColumn)
        let (r2, c2) = try cell(lastRow, lastColumn)
        var rule = lxw_conditional_format()
        rule.type = UInt8(LXW_CONDITIONAL_TYPE_FORMULA.rawValue)
        let text = strdup(formula)
        defer { free(text) }
        rule.value_string = text
        rule.format = workbook.format(style)
        try check(worksheet_conditional_format_range(handle, r1, c1, r2, c2, &rule), "\(name) conditional format")
    }

    /// Landscape A4, fitted to one page wide, the header rows repeated on every page.
    public func printSetup(landscape: Bool, fitOnePageWide: Bool, repeatRows: ClosedRange<Int>?) throws(XLSXError) {
        if landscape { worksheet_set_landscape(handle) }
        worksheet_set_paper(handle, 9)  // A4
        if fitOnePageWide { worksheet_fit_to_pages(handle, 1, 0) }
        if let rows = repeatRows {
            try check(worksheet_repeat_rows(handle, lxw_row_t(rows.lowerBound), lxw_row_t(rows.upperBound)), "\(name) print titles")
        }
    }

    /// Places a chart with its top-left corner on a cell, scaled from the default 480 × 288 pixels.
    public func insert(_ chart: Chart, row: Int, column: Int, xScale: Double = 1, yScale: Double = 1) throws(XLSXError) {
        let (r, c) = try cell(row, column)
        var options = lxw_chart_options()
        options.x_scale = xScale
        options.y_scale = yScale
        try check(worksheet_insert_chart_opt(handle, r, c, chart.handle, &options), "\(name) chart")
    }
}

/// A column chart fed from cell ranges of the workbook.
public final class Chart {
    let handle: UnsafeMutablePointer<lxw_chart>
    private unowned let workbook: Workbook

    init(handle: UnsafeMutablePointer<lxw_chart>, workbook: Workbook) {
        self.handle = handle
        self.workbook = workbook
    }

    /// Ranges as Excel writes them: `='概览'!$A$2:$A$9`.
    public func addSeries(name: String, categories: String, values: String) throws(XLSXError) {
        guard let series = chart_add_series(handle, categories, values) else {
            throw XLSXError(code: -1, description: "cannot add chart series \(name)")
        }
        chart_series_set_name(series, name)
    }

    public func setTitle(_ title: String) { chart_title_set_name(handle, title) }

    public func setAxisTitles(x: String, y: String) {
        chart_axis_set_name(handle.pointee.x_axis, x)
        chart_axis_set_name(handle.pointee.y_axis, y)
    }
}
