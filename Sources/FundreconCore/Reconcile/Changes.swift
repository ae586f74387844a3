import Foundation

/// What changed since the previous report of the same scope in the output folder.
public struct Changes: Sendable {
    public struct EdgeChange: Sendable, Equatable {
        public let project: String
        public let from: String
        public let to: String
        public let before: Fen
        public let after: Fen
        public var difference: Fen { after - before }
    }

    /// A finding of the previous report that is gone now.
    public struct PastFinding: Sendable, Decodable {
        public let code: String
        public let severity: String
        public let message: String
        public let file: String?
        public let line: Int?
        public let project: String?
        public let from: String?
        public let to: String?
        public let entity: String?
        public let key: String?
    }

    /// The report compared with, as named in the output folder.
    public let previous: String
    public let newFindings: [Finding]
    public let resolvedFindings: [PastFinding]
    public let edges: [EdgeChange]
}

extension Finding {
    /// Identity across runs: the code and the keys (project, units), not the line, which moves
    /// when rows are inserted. Findings without keys (a bad row) are known by their file and
    /// message, with any line numbers in it blanked.
    public var identity: String {
        let file = primary.file.split(separator: "/").last.map(String.init) ?? primary.file
        let keys = [project, from, to, entity].map { $0 ?? "" }
        if keys.contains(where: { !$0.isEmpty }) {
            return ([code.rawValue, file] + keys).joined(separator: "|")
        }
        let text = message.en.replacing(/line \d+/, with: "line #")
        return [code.rawValue, file, text].joined(separator: "|")
    }
}

public enum ChangeDetector {
    private struct Report: Decodable {
        struct Edge: Decodable {
            let project: String
            let from: String
            let to: String
            let transferred_fen: Int64
        }
        let findings: [Changes.PastFinding]
        let edge_list: [Edge]?
    }

    /// The newest earlier report of `scope` in `folder`: the same day's when it exists (it is
    /// about to be replaced), else the latest before it.
    public static func previousReport(in folder: String, scope: String) -> String? {
        let prefix = "reconciliation-\(scope)-"
        // Exactly <prefix>YYYY-MM-DD.json: a scope named "Inputs-2" is not "Inputs".
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix(prefix) && $0.dropFirst(prefix.count).wholeMatch(of: /\d{4}-\d{2}-\d{2}\.json/) != nil }
            .sorted()
        return names.last.map { ScopeSources.joinPath(folder, $0) }
    }

    /// Compares a result with the report at `path`; nil when there is none or it cannot be read.
    public static func compare(_ result: ReconcileResult, withReportAt path: String) -> Changes? {
        guard let data = FileManager.default.contents(atPath: path),
              let old = try? JSONDecoder().decode(Report.self, from: data) else { return nil }
        // Occurrences per identity: two duplicates on one edge stay two.
        var before: [String: [Changes.PastFinding]] = [:]
        for f in old.findings { before[f.key ?? "\(f.code)|\(f.message)", default: []].append(f) }
        var newFindings: [Finding] = []
        for f in result.findings {
            let id = f.identity
            if var list = before[id], !list.isEmpty {
                list.removeLast()
                before[id] = list
            } else {
                newFindings.append(f)
            }
        }
        let resolved = before.values.flatMap { $0 }.sorted { ($0.file ?? "", $0.line ?? 0, $0.code) < ($1.file ?? "", $1.line ?? 0, $1.code) }

        let scope = result.scope
        var after: [String: (EdgeKeyText, Fen)] = [:]
        for e in result.edges {
            let k = EdgeKeyText(project: scope.projects[e.key.project].code, from: scope.entities[e.key.from].id, to: scope.entities[e.key.to].id)
            after[k.joined] = (k, e.transferred)
        }
        var changes: [Changes.EdgeChange] = []
        var seen = Set<String>()
        for e in old.edge_list ?? [] {
            let k = EdgeKeyText(project: e.project, from: e.from, to: e.to)
            seen.insert(k.joined)
            let now = after[k.joined]?.1 ?? 0
            if now != e.transferred_fen {
                changes.append(Changes.EdgeChange(project: e.project, from: e.from, to: e.to, before: e.transferred_fen, after: now))
            }
        }
        for (joined, (k, now)) in after where !seen.contains(joined) && now != 0 {
            changes.append(Changes.EdgeChange(project: k.project, from: k.from, to: k.to, before: 0, after: now))
        }
        changes.sort { ($0.project, $0.from, $0.to) < ($1.project, $1.from, $1.to) }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return Changes(previous: name, newFindings: newFindings, resolvedFindings: resolved, edges: changes)
    }

    private struct EdgeKeyText {
        let project: String
        let from: String
        let to: String
        var joined: String { "\(project)|\(from)|\(to)" }
    }
}
