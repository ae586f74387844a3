import Foundation

/// `fundrecon explanations export`: every answer in a report folder as one CSV, sorted by scope
/// and key, so that a folder's answers can be kept under version control and diffed, and fed
/// back with `--explanations`.
public enum ExplanationsExport {
    public static let header = ["scope", "key", "status", "explanation", "owner", "date", "figure", "code", "about"]

    /// The scopes with reports in `folder`, by the names of their workbooks.
    public static func scopes(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let scopes = names.compactMap { name -> String? in
            guard let m = name.wholeMatch(of: /reconciliation-(.+)-\d{4}-\d{2}-\d{2}(?:-\d{1,4})?\.xlsx/) else { return nil }
            return String(m.1)
        }
        return Array(Set(scopes)).sorted()
    }

    /// The answers of each scope: those a run would read tonight (`ReportFolder`), the latest
    /// save of each key holding.
    public static func answers(in folder: String, scopes: [String]) throws(WorkbookReadError) -> [(scope: String, answers: Explanations)] {
        var out: [(String, Explanations)] = []
        for scope in scopes {
            let reports = ReportFolder(folder: folder, scope: scope)
            let newest = reports.reports().max { ($0.date, $0.modified) < ($1.date, $1.modified) }
            var merged = Explanations()
            for path in reports.workbooksToRead(target: newest?.path ?? "") {
                merged.merge(later: try Explanations.read(workbook: path))
            }
            out.append((scope, merged))
        }
        return out
    }

    public static func csv(_ scopes: [(scope: String, answers: Explanations)]) -> String {
        var lines = [header.joined(separator: ",")]
        for (scope, answers) in scopes {
            for key in answers.byKey.keys.sorted() {
                guard let e = answers.byKey[key] else { continue }
                // A row waiting for review keeps the figure it was answered against, which is its basis.
                let figure = e.basis?.text ?? ""
                lines.append([scope, key, e.status.rawValue, e.text, e.owner, e.date, figure, e.code, e.about].map(field).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// RFC 4180: quoted when it holds a comma, a quote or a line break.
    static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
