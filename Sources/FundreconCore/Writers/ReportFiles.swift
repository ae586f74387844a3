import Foundation

/// The run's two reports, made at the same time: the workbook (libxlsxwriter, one thread,
/// most of the write) and the JSON (rendered and flushed on the other core). The JSON is put
/// in place only after the workbook, so a run stopped part-way leaves the previous pair.
public enum ReportFiles {
    /// Writes `base.xlsx` and `base.json`; throws the first failure once both are done.
    /// Returns the workbook's tables too long for one sheet. The JSON is written while the
    /// workbook is packed, which runs on one core, not while its rows are filled on both.
    @discardableResult
    public static func write(_ result: ReconcileResult, to base: String, scopeName: String, generatedAt: String,
                             version: String, changes: Changes?, created: Int64?) throws(OutputError) -> [ContinuedSheet] {
        let (workbook, json) = Concurrently.inTurn({ rowsIn in
            Result { () throws(OutputError) in
                try WorkbookReport(result, scopeName: scopeName, generatedAt: generatedAt, version: version, changes: changes)
                    .write(to: base + ".xlsx", created: created, filled: rowsIn)
            }
        }, then: {
            Result { () throws(OutputError) in
                try JSONReport.writeTemporary(result, for: base + ".json", scopeName: scopeName, generatedAt: generatedAt,
                                              version: version, changes: changes)
            }
        })
        let jsonTemp: String? = if case .success(let temporary) = json { temporary } else { nil }
        let continued: [ContinuedSheet]
        do {
            continued = try workbook.get()
            _ = try json.get()
        } catch {
            if let jsonTemp { AtomicFile.discard(jsonTemp) }
            throw error
        }
        if let jsonTemp { try AtomicFile.commit(jsonTemp, to: base + ".json") }
        return continued
    }
}
