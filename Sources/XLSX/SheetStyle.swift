import CXlsxWriter

/// A style made ready for one sheet (`Worksheet.prepare`): the long sheets' cells are written
/// with it, without looking the style up again for every cell (hashing a style's number
/// format cell by cell took a few per cent of a province's workbook). It belongs to the
/// workbook of the sheet that made it and is only made there, so it never outlives its format.
public struct SheetStyle {
    let format: UnsafeMutablePointer<lxw_format>?
}

/// Texts reach libxlsxwriter through withCString, which lends a short text from the stack:
/// passed as an argument instead, a short text (most cells) is copied to the heap first.
extension Worksheet {
    /// Text, always stored as text: "=cmd|..." from a CSV never becomes a formula.
    public func write(_ row: Int, _ col: Int, _ text: String, _ style: SheetStyle) throws(XLSXError) {
        let (r, c) = try cell(row, col)
        let result = text.withCString { worksheet_write_string(handle, r, c, $0, style.format) }
        try check(result, "\(name)!R\(row + 1)C\(col + 1)")
    }

    public func write(_ row: Int, _ col: Int, number: Double, _ style: SheetStyle) throws(XLSXError) {
        let (r, c) = try cell(row, col)
        try check(worksheet_write_number(handle, r, c, number, style.format), "\(name)!R\(row + 1)C\(col + 1)")
    }

    /// A formula with its value cached, so viewers that do not recalculate still show it.
    public func write(_ row: Int, _ col: Int, formula: String, cached: Double, _ style: SheetStyle) throws(XLSXError) {
        let (r, c) = try cell(row, col)
        let result = formula.withCString { worksheet_write_formula_num(handle, r, c, $0, style.format, cached) }
        try check(result, "\(name)!R\(row + 1)C\(col + 1)")
    }

    public func write(_ row: Int, _ col: Int, formula: String, cachedText: String, _ style: SheetStyle) throws(XLSXError) {
        let (r, c) = try cell(row, col)
        try check(worksheet_write_formula_str(handle, r, c, formula, style.format, cachedText), "\(name)!R\(row + 1)C\(col + 1)")
    }

    /// A link: `internal:'Sheet'!A1` for a place in the workbook, or a URL.
    public func write(_ row: Int, _ col: Int, link: String, text: String, _ style: SheetStyle) throws(XLSXError) {
        let (r, c) = try cell(row, col)
        try check(worksheet_write_url_opt(handle, r, c, link, style.format, text, nil), "\(name)!R\(row + 1)C\(col + 1)")
    }
}
