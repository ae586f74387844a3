import CSupport
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
    public struct PastFinding: Sendable, Equatable {
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
        // Built by hand: it is made for every finding, twice at province scale (the report's
        // key, and tonight's comparison), and arrays joined cost a third of the comparison.
        var id = code.rawValue
        id += "|"
        id += primary.file.lastPathPart ?? Substring(primary.file)
        let keys = [project, from, to, entity]
        if keys.contains(where: { !($0 ?? "").isEmpty }) {
            for key in keys {
                id += "|"
                id += key ?? ""
            }
            // Several findings of one code on one edge (a receipt each) are told apart by it.
            if let voucher {
                id += "|"
                id += voucher
            }
            return id
        }
        id += "|"
        // Only a message that names a line needs the pattern.
        let en = message(.en)
        id += en.contains("line ") ? en.replacing(/line \d+/, with: "line #") : en
        return id
    }
}

public enum ChangeDetector {
    /// The parts of an earlier report that are compared.
    package struct Report {
        struct Edge: Equatable {
            let project: String
            let from: String
            let to: String
            let transferred: Fen
        }
        var findings: [Changes.PastFinding] = []
        var edges: [Edge] = []

        /// Reads `findings` (required) and `edge_list`; nil when the document is not such a report.
        /// `passed` is told how far the reading has come after each finding and edge: the text
        /// before that is not read again.
        package static func read(_ bytes: UnsafeBufferPointer<UInt8>, passed: (Int) -> Void = { _ in }) -> Report? {
            var cursor = JSONCursor(bytes)
            var report = Report()
            var sawFindings = false
            let read = cursor.object { c, key in
                switch key {
                case "findings":
                    sawFindings = true
                    return c.array { c in
                        guard let f = Changes.PastFinding.read(&c) else { return false }
                        report.findings.append(f)
                        passed(c.offset)
                        return true
                    }
                case "edge_list":
                    if c.null() { return true }
                    return c.array { c in
                        guard let e = Edge.read(&c) else { return false }
                        report.edges.append(e)
                        passed(c.offset)
                        return true
                    }
                default:
                    return c.skipValue()
                }
            }
            return read && sawFindings && cursor.atEnd() ? report : nil
        }
    }

    /// The newest earlier report of `scope` in `folder`: the same day's when it exists (it is
    /// about to be replaced), else the latest before it; of a day's copies (written while the
    /// workbook was open), the last written.
    public static func previousReport(in folder: String, scope: String) -> String? {
        ReportFolder(folder: folder, scope: scope).reports(extension: "json")
            .max { ($0.date, $0.modified, $0.copy) < ($1.date, $1.modified, $1.copy) }?.path
    }

    /// Compares a result with the report at `path`; nil when there is none or it cannot be read.
    /// Its scratch (the earlier report's text, and its findings by identity: half a gigabyte
    /// at province scale with the receivers' books) is handed back to the system before the
    /// write, which would otherwise peak on top of it.
    public static func compare(_ result: ReconcileResult, withReportAt path: String) -> Changes? {
        defer { fundrecon_release_free_memory() }
        guard var old = readReport(at: path) else { return nil }
        // Occurrences per identity: two duplicates on one edge stay two.
        var before: [String: [Changes.PastFinding]] = [:]
        before.reserveCapacity(old.findings.count)
        let pastFindings = old.findings
        old.findings = []  // the dictionary holds them now
        for f in consume pastFindings { before[f.key ?? "\(f.code)|\(f.message)", default: []].append(f) }
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
        let name = path.lastPathPart.map(String.init) ?? path
        return Changes(previous: name, newFindings: newFindings, resolvedFindings: resolved, edges: edgeChanges(result, old.edges))
    }

    /// The earlier report's findings and edges; its text is let go as they are read.
    private static func readReport(at path: String) -> Report? {
        EarlierReportText.withBytes(at: path) { bytes, passed in Report.read(bytes, passed: passed) }
    }

    /// Edges whose transferred sum moved, in key order: those of the earlier report matched by
    /// their text keys, then those new since.
    private static func edgeChanges(_ result: ReconcileResult, _ oldEdges: [Report.Edge]) -> [Changes.EdgeChange] {
        let scope = result.scope
        var changes: [Changes.EdgeChange]
        if scope.entityRefs.keysAreTexts && scope.projectRefs.keysAreTexts {
            changes = edgeChangesByPlace(result, oldEdges)
        } else {
            changes = edgeChangesByText(result, oldEdges)
        }
        changes.sort { ($0.project, $0.from, $0.to) < ($1.project, $1.from, $1.to) }
        return changes
    }

    /// Matching through the key tables: the earlier report's texts are looked up as the ids
    /// they are, and the edges compared as numbers (half a million edges: a string key each
    /// costs half a second).
    static func edgeChangesByPlace(_ result: ReconcileResult, _ oldEdges: [Report.Edge]) -> [Changes.EdgeChange] {
        let scope = result.scope
        let edges = result.edges
        var places = KeyPlaces()
        var now: [Fen] = [], placeOfEdge: [Int] = [], lastEdgeOfPlace: [Int] = []
        now.reserveCapacity(edges.count)
        placeOfEdge.reserveCapacity(edges.count)
        for i in edges.indices {
            let (p, isNew) = places.place(of: edges[i].key)
            if isNew {
                now.append(edges[i].transferred)
                lastEdgeOfPlace.append(i)
            } else {
                now[p] = edges[i].transferred  // the last edge of a key holds
                lastEdgeOfPlace[p] = i
            }
            placeOfEdge.append(p)
        }
        func hasText(_ i: Int, _ e: Report.Edge) -> Bool {
            let key = edges[i].key
            return scope.entities[key.to].id == e.to && scope.entities[key.from].id == e.from && scope.projects[key.project].code == e.project
        }
        var seen = [Bool](repeating: false, count: now.count)
        var changes: [Changes.EdgeChange] = []
        // Both lists are in key order, and night to night mostly the same edges: the next edge
        // of ours is tried first, before three look-ups in tables too big for the cache.
        var next = 0
        for e in oldEdges {
            var place: Int?
            if next < edges.count && hasText(next, e) {
                place = placeOfEdge[next]
                next += 1
            } else if let project = scope.projectRefs.item(withIDText: e.project), let from = scope.entityRefs.item(withIDText: e.from),
                      let to = scope.entityRefs.item(withIDText: e.to) {
                place = places.place(ofKnown: EdgeKey(project: project, from: from, to: to))
                // An edge new since, or one gone: the lists run on together after it.
                if let place { next = lastEdgeOfPlace[place] + 1 }
            }
            var after: Fen = 0
            if let place {
                seen[place] = true
                after = now[place]
            }
            if after != e.transferred {
                changes.append(Changes.EdgeChange(project: e.project, from: e.from, to: e.to, before: e.transferred, after: after))
            }
        }
        for (p, key) in places.keys.enumerated() where !seen[p] && now[p] != 0 {
            changes.append(Changes.EdgeChange(project: scope.projects[key.project].code, from: scope.entities[key.from].id,
                                              to: scope.entities[key.to].id, before: 0, after: now[p]))
        }
        return changes
    }

    /// Matching by the text of the keys, for a scope where some id was registered with blanks
    /// its text has not.
    static func edgeChangesByText(_ result: ReconcileResult, _ oldEdges: [Report.Edge]) -> [Changes.EdgeChange] {
        let scope = result.scope
        var place: [String: Int] = [:]
        place.reserveCapacity(result.edges.count)
        var keys: [EdgeKeyText] = [], now: [Fen] = []
        for e in result.edges {
            let k = EdgeKeyText(project: scope.projects[e.key.project].code, from: scope.entities[e.key.from].id, to: scope.entities[e.key.to].id)
            let joined = k.joined
            if let p = place[joined] {
                keys[p] = k
                now[p] = e.transferred  // the last edge of a key holds
            } else {
                place[joined] = keys.count
                keys.append(k)
                now.append(e.transferred)
            }
        }
        var seen = [Bool](repeating: false, count: keys.count)
        var changes: [Changes.EdgeChange] = []
        for e in oldEdges {
            let p = place[EdgeKeyText(project: e.project, from: e.from, to: e.to).joined]
            if let p { seen[p] = true }
            let after = p.map { now[$0] } ?? 0
            if after != e.transferred {
                changes.append(Changes.EdgeChange(project: e.project, from: e.from, to: e.to, before: e.transferred, after: after))
            }
        }
        for (p, k) in keys.enumerated() where !seen[p] && now[p] != 0 {
            changes.append(Changes.EdgeChange(project: k.project, from: k.from, to: k.to, before: 0, after: now[p]))
        }
        return changes
    }

    private struct EdgeKeyText {
        let project: String
        let from: String
        let to: String
        var joined: String { "\(project)|\(from)|\(to)" }
    }
}

extension Changes.PastFinding {
    /// One finding object; nil when a required member is missing or of the wrong kind.
    static func read(_ c: inout JSONCursor) -> Changes.PastFinding? {
        var code: String?, severity: String?, message: String?
        var file: String?, line: Int?, project: String?, from: String?, to: String?, entity: String?, key: String?
        func text(_ c: inout JSONCursor, _ into: inout String?) -> Bool {
            guard let v = c.optionalString() else { return false }
            into = v
            return true
        }
        let ok = c.object { c, name in
            switch name {
            case "code": return text(&c, &code)
            case "severity": return text(&c, &severity)
            case "message": return text(&c, &message)
            case "file": return text(&c, &file)
            case "project": return text(&c, &project)
            case "from": return text(&c, &from)
            case "to": return text(&c, &to)
            case "entity": return text(&c, &entity)
            case "key": return text(&c, &key)
            case "line":
                guard let v = c.optionalInteger() else { return false }
                line = v.flatMap { Int(exactly: $0) }
                return true
            default: return c.skipValue()
            }
        }
        guard ok, let code, let severity, let message else { return nil }
        return Changes.PastFinding(code: code, severity: severity, message: message, file: file, line: line,
                                   project: project, from: from, to: to, entity: entity, key: key)
    }
}

extension ChangeDetector.Report.Edge {
    static func read(_ c: inout JSONCursor) -> Self? {
        var project: String?, from: String?, to: String?, transferred: Int64?
        let ok = c.object { c, name in
            switch name {
            case "project": project = c.string(); return project != nil
            case "from": from = c.string(); return from != nil
            case "to": to = c.string(); return to != nil
            case "transferred_fen": transferred = c.integer(); return transferred != nil
            default: return c.skipValue()
            }
        }
        guard ok, let project, let from, let to, let transferred else { return nil }
        return Self(project: project, from: from, to: to, transferred: transferred)
    }
}
