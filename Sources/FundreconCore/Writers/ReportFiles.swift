/// The run's two reports, written at the same time: the workbook (libxlsxwriter, one
/// thread, most of the write) and the JSON (rendered and written on the other core).
public enum ReportFiles {
    /// Writes `base.xlsx` and `base.json`; throws the first failure once both are done.
    public static func write(_ result: ReconcileResult, to base: String, scopeName: String, generatedAt: String,
                             version: String, changes: Changes?, created: Int64?) throws(OutputError) {
        let jobs: [() -> OutputError?] = [
            {
                do throws(OutputError) {
                    try WorkbookReport(result, scopeName: scopeName, generatedAt: generatedAt, version: version, changes: changes)
                        .write(to: base + ".xlsx", created: created)
                    return nil
                } catch { return error }
            },
            {
                let json = JSONReport.render(result, scopeName: scopeName, generatedAt: generatedAt, version: version, changes: changes)
                do throws(OutputError) { try AtomicFile.write(json, to: base + ".json") } catch { return error }
                return nil
            },
        ]
        if let failure = Concurrently.map(jobs, { $0() }).compactMap({ $0 }).first { throw failure }
    }
}
