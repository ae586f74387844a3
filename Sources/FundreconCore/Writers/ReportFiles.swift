import Foundation

/// The run's two reports, made at the same time: the workbook (libxlsxwriter, one thread,
/// most of the write) and the JSON (rendered and flushed on the other core). Both are put in
/// place once both are written and on disk, the workbook first, one rename after the other:
/// a run stopped before then leaves the previous pair, whichever of the two took longer.
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
                    .writeTemporary(for: base + ".xlsx", created: created, filled: rowsIn)
            }
        }, then: {
            Result { () throws(OutputError) in
                try JSONReport.writeTemporary(result, for: base + ".json", scopeName: scopeName, generatedAt: generatedAt,
                                              version: version, changes: changes)
            }
        })
        var temporaries: [String] = []
        if case .success(let w) = workbook { temporaries.append(w.temporary) }
        if case .success(let temporary) = json { temporaries.append(temporary) }
        let written: (workbook: (temporary: String, continued: [ContinuedSheet]), json: String)
        do {
            written = (try workbook.get(), try json.get())
        } catch {
            for temp in temporaries { AtomicFile.discard(temp) }
            throw error
        }
        try AtomicFile.commit([(written.workbook.temporary, base + ".xlsx"), (written.json, base + ".json")])
        return written.workbook.continued
    }
}
