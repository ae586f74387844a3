/// The run's two reports, made at the same time: the workbook (libxlsxwriter, one thread,
/// most of the write) and the JSON (rendered and flushed on the other core). The JSON is put
/// in place only after the workbook, so a run stopped part-way leaves the previous pair.
public enum ReportFiles {
    /// Writes `base.xlsx` and `base.json`; throws the first failure once both are done.
    /// Returns the workbook's tables too long for one sheet.
    @discardableResult
    public static func write(_ result: ReconcileResult, to base: String, scopeName: String, generatedAt: String,
                             version: String, changes: Changes?, created: Int64?) throws(OutputError) -> [ContinuedSheet] {
        let jobs: [@Sendable () -> Result<Written, OutputError>] = [
            {
                do throws(OutputError) {
                    return .success(.workbook(try WorkbookReport(result, scopeName: scopeName, generatedAt: generatedAt, version: version,
                                                                 changes: changes).write(to: base + ".xlsx", created: created)))
                } catch { return .failure(error) }
            },
            {
                do throws(OutputError) {
                    return .success(.json(temporary: try JSONReport.writeTemporary(result, for: base + ".json", scopeName: scopeName,
                                                                                   generatedAt: generatedAt, version: version, changes: changes)))
                } catch { return .failure(error) }
            },
        ]
        let outcomes = Concurrently.map(jobs) { $0() }
        var jsonTemp: String?, continued: [ContinuedSheet] = []
        for case .success(let written) in outcomes {
            switch written {
            case .workbook(let c): continued = c
            case .json(let temporary): jsonTemp = temporary
            }
        }
        for outcome in outcomes {
            if case .failure(let error) = outcome {
                if let jsonTemp { AtomicFile.discard(jsonTemp) }
                throw error
            }
        }
        if let jsonTemp { try AtomicFile.commit(jsonTemp, to: base + ".json") }
        return continued
    }

    private enum Written: Sendable {
        case workbook([ContinuedSheet])
        case json(temporary: String)
    }
}
