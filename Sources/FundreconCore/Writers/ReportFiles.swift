/// The run's two reports, made at the same time: the workbook (libxlsxwriter, one thread,
/// most of the write) and the JSON (rendered and flushed on the other core). The JSON is put
/// in place only after the workbook, so a run stopped part-way leaves the previous pair.
public enum ReportFiles {
    /// Writes `base.xlsx` and `base.json`; throws the first failure once both are done.
    public static func write(_ result: ReconcileResult, to base: String, scopeName: String, generatedAt: String,
                             version: String, changes: Changes?, created: Int64?) throws(OutputError) {
        let jobs: [@Sendable () -> Result<String?, OutputError>] = [
            {
                do throws(OutputError) {
                    try WorkbookReport(result, scopeName: scopeName, generatedAt: generatedAt, version: version, changes: changes)
                        .write(to: base + ".xlsx", created: created)
                    return .success(nil)
                } catch { return .failure(error) }
            },
            {
                do throws(OutputError) {
                    return .success(try JSONReport.writeTemporary(result, for: base + ".json", scopeName: scopeName,
                                                                  generatedAt: generatedAt, version: version, changes: changes))
                } catch { return .failure(error) }
            },
        ]
        let outcomes = Concurrently.map(jobs) { $0() }
        let jsonTemp = outcomes.compactMap { try? $0.get() }.compactMap { $0 }.first
        for outcome in outcomes {
            if case .failure(let error) = outcome {
                if let jsonTemp { AtomicFile.discard(jsonTemp) }
                throw error
            }
        }
        if let jsonTemp { try AtomicFile.commit(jsonTemp, to: base + ".json") }
    }
}
