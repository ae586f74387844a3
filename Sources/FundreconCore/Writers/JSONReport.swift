/// The machine-readable report of spec §4. Keys are written in a fixed order and nothing
/// depends on the clock but `generated_at`, so equal inputs give equal bytes.
public enum JSONReport {
    public static let toolName = "fundrecon"

    public static func render(_ r: ReconcileResult, scopeName: String, generatedAt: String, version: String, changes: Changes? = nil) -> String {
        let sink = ByteSink(fd: nil)
        emit(r, scopeName: scopeName, generatedAt: generatedAt, version: version, changes: changes, into: sink)
        return String(decoding: sink.buffer, as: UTF8.self)
    }

    /// Writes the report to the temporary file for `path` a megabyte at a time (a province's
    /// report is hundreds of MB: never the whole text in memory) and returns that file, for
    /// `AtomicFile.commit`.
    public static func writeTemporary(_ r: ReconcileResult, for path: String, scopeName: String, generatedAt: String,
                                      version: String, changes: Changes? = nil) throws(OutputError) -> String {
        try AtomicFile.writeTemporary(for: path) { sink in
            emit(r, scopeName: scopeName, generatedAt: generatedAt, version: version, changes: changes, into: sink)
        }
    }

    private static func emit(_ r: ReconcileResult, scopeName: String, generatedAt: String, version: String, changes: Changes?,
                             into sink: ByteSink) {
        var o = StreamingObject(sink)
        var tool = JSONObjectWriter()
        tool.add("name", toolName)
        tool.add("version", version)
        o.raw("tool", tool.finish())
        o.raw("scope", JSONText.quote(scopeName))
        o.raw("generated_at", JSONText.quote(generatedAt))
        o.raw("settings", settings(r.settings))
        var period = JSONObjectWriter()
        period.add("start", r.period.start.description)
        period.add("end", r.period.end.description)
        period.add("as_of", r.period.asOf.description)
        o.raw("period", period.finish())
        o.raw("inputs", array(r.scope.stats.map(input)))
        o.raw("totals", totals(r.totals))
        var edges = JSONObjectWriter()
        for status in EdgeStatus.allCases { edges.add(status.rawValue, r.edgeCount(status)) }
        o.raw("edges", edges.finish())
        o.objects("findings", r.findings.indices) { i, x in Diagnostics.fillJSON(r.findings[i], r.settings.lang, into: &x) }
        var counts = JSONObjectWriter()
        for s in Severity.allCases.reversed() { counts.add(s.english, r.count(s)) }
        o.raw("counts", counts.finish())
        o.raw("skipped_rules", array(r.skippedRules.map { JSONText.quote($0.rawValue) }))
        // By position, fields read in place: a copy of each result retained its texts.
        let projects = r.scope.projects, entities = r.scope.entities, edgeList = r.edges, answered = r.answers.edges
        o.objects("edge_list", edgeList.indices) { i, x in
            x.add("project", projects[edgeList[i].key.project].code)
            x.add("from", entities[edgeList[i].key.from].id)
            x.add("to", entities[edgeList[i].key.to].id)
            x.add("planned_fen", edgeList[i].planned)
            x.add("transferred_fen", edgeList[i].transferred)
            x.add("status", edgeList[i].status.rawValue)
            if let cause = edgeList[i].cause { x.add("cause", cause.code) }
            if let e = answered[i] { x.addRaw("explanation", Diagnostics.explanationJSON(e)) }
        }
        // Answers whose finding is gone: kept, and written again each night.
        if !r.answers.kept.isEmpty {
            o.objects("explanations_kept", r.answers.kept) { k, x in
                x.add("key", k.key)
                x.add("code", k.explanation.code)
                x.add("about", k.explanation.about)
                x.addRaw("explanation", Diagnostics.explanationJSON(k.explanation))
            }
        }
        if let receipts = r.receipts { o.raw("receipts", self.receipts(receipts, r.settings)) }
        if let changes { o.raw("changes", self.changes(changes, r.settings.lang)) }
        o.end()
    }

    static func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }

    static func changes(_ c: Changes, _ lang: Language) -> String {
        var o = JSONObjectWriter()
        o.add("previous", c.previous)
        o.addRaw("new_findings", array(c.newFindings.map { Diagnostics.json($0, lang) }))
        o.addRaw("resolved_findings", array(c.resolvedFindings.map { f in
            var x = JSONObjectWriter()
            x.add("code", f.code)
            x.add("severity", f.severity)
            x.add("message", f.message)
            x.add("file", f.file)
            x.add("line", f.line)
            x.add("key", f.key)
            return x.finish()
        }))
        o.addRaw("edges", array(c.edges.map { e in
            var x = JSONObjectWriter()
            x.add("project", e.project)
            x.add("from", e.from)
            x.add("to", e.to)
            x.add("transferred_before_fen", e.before)
            x.add("transferred_fen", e.after)
            x.add("difference_fen", e.difference)
            return x.finish()
        }))
        return o.finish()
    }

    static func settings(_ s: Settings) -> String {
        var o = JSONObjectWriter()
        o.add("unit", s.unit.rawValue)
        o.add("period_end", s.periodEnd?.description)
        o.add("as_of", s.asOf?.description)
        o.add("tolerance_fen", s.tolerance)
        o.addRaw("tolerance_pct", s.tolerancePct.description)
        o.add("max_hold_days", s.maxHoldDays)
        var byLevel = JSONObjectWriter()
        for level in Level.allCases { if let d = s.maxHoldDaysByLevel[level] { byLevel.add(level.english, d) } }
        o.addRaw("max_hold_days_by_level", byLevel.finish())
        o.addRaw("min_execution_rate", s.minExecutionRate.description)
        o.addRaw("work_expense_cap", s.workExpenseCap.description)
        o.add("fail_on", s.failOn.rawValue)
        o.add("lang", s.lang.rawValue)
        return o.finish()
    }

    static func input(_ s: FileStats) -> String {
        var o = JSONObjectWriter()
        o.add("file", s.file.fileName)
        o.add("path", s.path)
        o.add("present", s.present ? "yes" : "no")
        o.add("encoding", s.encoding?.rawValue)
        o.add("sha256", s.sha256)
        o.add("bytes", s.bytes)
        o.add("rows_read", s.rowsRead)
        o.add("rows_used", s.rowsUsed)
        o.add("rows_rejected", s.rowsRejected)
        return o.finish()
    }

    static func totals(_ t: Totals) -> String {
        var o = JSONObjectWriter()
        o.addRaw("hops", array(t.hops.map { h in
            var x = JSONObjectWriter()
            x.add("hop", h.hop.name)
            x.add("planned_fen", h.planned)
            x.add("transferred_fen", h.transferred)
            x.add("planned", MoneyFormat.wanYuan(h.planned))
            x.add("transferred", MoneyFormat.wanYuan(h.transferred))
            return x.finish()
        }))
        o.addRaw("spent_by_level", array(t.spentByLevel.map { l in
            var x = JSONObjectWriter()
            x.add("level", l.level.english)
            x.add("spent_fen", l.spent)
            x.add("spent", MoneyFormat.wanYuan(l.spent))
            return x.finish()
        }))
        var all = JSONObjectWriter()
        all.add("planned_fen", t.planned)
        all.add("transferred_fen", t.transferred)
        all.add("spent_fen", t.spent)
        all.add("transferred_after_as_of_fen", t.transferredAfterAsOf)
        all.add("not_moved_fen", t.notMoved)
        o.addRaw("all", all.finish())
        return o.finish()
    }
}

/// The report's outer object, a key a line, without holding it: long arrays go out an
/// element a line.
struct StreamingObject {
    private let sink: ByteSink
    private var first = true

    init(_ sink: ByteSink) {
        self.sink = sink
        sink.write("{\n")
    }

    private mutating func key(_ key: String) {
        sink.write(first ? " " : ",\n ")
        first = false
        sink.write(JSONText.quote(key))
        sink.write(":")
    }

    mutating func raw(_ key: String, _ json: String) {
        self.key(key)
        sink.write(json)
    }

    /// `[` then each object on a line of its own, indented two spaces, then `]`. One writer
    /// is filled for each object in turn: no storage made per object.
    mutating func objects<C: Collection>(_ key: String, _ items: C, _ fill: (C.Element, inout JSONObjectWriter) -> Void) {
        self.key(key)
        sink.write("[\n")
        var firstItem = true
        var writer = JSONObjectWriter()
        for item in items {
            sink.write(firstItem ? "  " : ",\n  ")
            firstItem = false
            writer.reset()
            fill(item, &writer)
            sink.write(writer)
        }
        sink.write("\n]")
    }

    func end() { sink.write("\n}\n") }
}
