/// The forms findings are printed in: text for people on stderr, the machine formats on
/// stdout (spec §4 "Diagnostics").
public enum DiagnosticFormat: String, Sendable, CaseIterable {
    /// `path:line:column: severity[CODE]: message`, as compilers print, for editors and problem matchers.
    case text
    /// One JSON object per line.
    case json
    /// GitHub Actions workflow commands (`::error file=…,line=…,col=…,title=CODE::…`), paths
    /// relative to the workspace.
    case github

    /// Where its lines go when no file is asked for: a requested machine format on stdout,
    /// as linters print theirs; text for people on stderr.
    public var stream: Int32 { self == .text ? LineOutput.standardError : LineOutput.standardOutput }
}

public enum Diagnostics {
    /// `paths`: how the github format shows a finding's file (relative to the workspace).
    public static func line(_ f: Finding, format: DiagnosticFormat, language: Language, paths: WorkspacePaths? = nil) -> String {
        switch format {
        case .text: return text(f, language)
        case .json: return json(f, language)
        case .github: return github(f, language, paths: paths)
        }
    }

    static func text(_ f: Finding, _ language: Language) -> String {
        var location = f.primary.file
        if let line = f.primary.line {
            location += ":\(line)"
            if let column = f.primary.column { location += ":\(column)" }
        }
        return "\(location): \(f.severity.english)[\(f.code.rawValue)]: \(f.message(language))\(answered(f, language))".escapingControlCharacters()
    }

    /// "（已说明）", when staff answered the finding, so that a reader sees it is dealt with.
    static func answered(_ f: Finding, _ language: Language) -> String {
        guard let e = f.explanation else { return "" }
        return language == .zh ? "（\(e.status.chinese)）" : " (\(e.status.rawValue))"
    }

    static func github(_ f: Finding, _ language: Language, paths: WorkspacePaths? = nil) -> String {
        let command: String
        switch f.severity {
        case .error: command = "error"
        case .warning: command = "warning"
        case .info: command = "notice"
        }
        var properties = ["file=\(escapeProperty((paths?.shown(f.primary.file) ?? f.primary.file).escapingControlCharacters()))"]
        if let line = f.primary.line { properties.append("line=\(line)") }
        if let column = f.primary.column { properties.append("col=\(column)") }
        properties.append("title=\(f.code.rawValue)")
        return "::\(command) \(properties.joined(separator: ","))::\(escapeData(f.message(language).escapingControlCharacters()))"
    }

    // Escapes of the Actions toolkit: data escapes %, CR, LF; properties also : and ,
    static func escapeData(_ s: String) -> String {
        s.replacingAll(["%": "%25", "\r": "%0D", "\n": "%0A"])
    }

    static func escapeProperty(_ s: String) -> String {
        s.replacingAll(["%": "%25", "\r": "%0D", "\n": "%0A", ":": "%3A", ",": "%2C"])
    }

    static func json(_ f: Finding, _ language: Language) -> String {
        var o = JSONObjectWriter()
        fillJSON(f, language, into: &o)
        return o.finish()
    }

    /// The finding as a JSON object: the `--format json` line, and an element of the report's
    /// findings.
    static func fillJSON(_ f: Finding, _ language: Language, into o: inout JSONObjectWriter) {
        o.add("code", f.code.rawValue)
        o.add("severity", f.severity.english)
        o.add("message", f.message(language))
        o.add("file", f.primary.file)
        o.add("line", f.primary.line)
        o.add("column", f.primary.column)
        o.addObjects("rows", f.related) { r, row in
            row.add("file", r.file)
            row.add("line", r.line)
        }
        o.add("project", f.project)
        o.add("from", f.from)
        o.add("to", f.to)
        o.add("entity", f.entity)
        o.add("amount_fen", f.amount)
        if let cause = f.cause { o.add("cause", cause.code) }
        if let voucher = f.voucher { o.add("voucher", voucher) }
        if let e = f.explanation { o.addRaw("explanation", explanationJSON(e)) }
        o.add("key", f.identity)
    }

    /// `{status, text, owner, date}`, and when the figure moved since, `review` with both.
    static func explanationJSON(_ e: Explanation) -> String {
        var x = JSONObjectWriter()
        x.add("status", e.status.rawValue)
        x.add("text", e.text)
        x.add("owner", e.owner)
        x.add("date", e.date)
        if let r = e.review {
            var change = JSONObjectWriter()
            change.add("amount_fen_before", r.before.amount)
            change.add("amount_fen_now", r.after.amount)
            change.add("days_late_before", r.before.days)
            change.add("days_late_now", r.after.days)
            x.addRaw("review", change.finish())
        }
        return x.finish()
    }

    /// What a run prints of its findings for people: the first `limit` by severity (errors
    /// first, each severity in report order), and how many more the report holds. A scope
    /// with 600,000 findings then adds a bounded number of lines to a nightly log.
    public static func consoleSelection(_ findings: [Finding], limit: Int) -> (shown: [Finding], more: Int) {
        guard findings.count > limit else { return (findings, 0) }
        var shown: [Finding] = []
        shown.reserveCapacity(limit)
        for severity in Severity.allCases.reversed() where shown.count < limit {
            for f in findings where f.severity == severity {
                shown.append(f)
                if shown.count == limit { break }
            }
        }
        return (shown, findings.count - shown.count)
    }

    /// The line after a shortened list of findings.
    public static func moreLine(_ more: Int, report: String, language: Language) -> String {
        language == .zh ? "……另有 \(more) 条发现未列出，见报告 \(report)（--all-findings 全部列出）"
                        : "… \(more) more findings in the report \(report) (--all-findings lists them all)"
    }

    /// The closing line of a check: counts by severity and rows per file.
    public static func summary(_ result: CheckResult, language: Language) -> String {
        let e = result.count(.error), w = result.count(.warning), i = result.count(.info)
        var parts: [String] = []
        for s in result.scope.stats where s.present {
            parts.append(language == .zh
                         ? "\(s.shownName) 读 \(s.rowsRead) 行，用 \(s.rowsUsed)，拒 \(s.rowsRejected)"
                         : "\(s.shownName) \(s.rowsRead) read, \(s.rowsUsed) used, \(s.rowsRejected) rejected")
        }
        let skipped = result.skippedRules.map(\.rawValue).joined(separator: ", ")
        if language == .zh {
            return "检查完成：\(e) 个错误，\(w) 个警告，\(i) 个提示。" + parts.joined(separator: "；")
                + (skipped.isEmpty ? "" : "。未运行的规则：\(skipped)")
        }
        return "check: \(e) errors, \(w) warnings, \(i) info. " + parts.joined(separator: "; ")
            + (skipped.isEmpty ? "" : ". Rules not run: \(skipped)")
    }
}

extension String {
    /// Control characters (a NUL, an escape, a tab from a value) written as `\x00`, so that
    /// a value echoed into a line of text cannot cut it, colour a terminal or hide the rest.
    func escapingControlCharacters() -> String {
        guard utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else { return self }
        var out = ""
        out.reserveCapacity(utf8.count + 8)
        for scalar in unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\x" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 2)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(width - count, 0)) + self }

    func replacingAll(_ map: [Character: String]) -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for ch in self {
            if let r = map[ch] { out += r } else { out.append(ch) }
        }
        return out
    }
}

/// A small JSON object writer: keys in the order added, so output is byte-for-byte stable.
/// Writes bytes as it goes (a report has an object for each of half a million edges, and
/// joining a String for each key had made the JSON report slower than reading the ledgers).
public struct JSONObjectWriter {
    private var bytes: [UInt8] = [0x7B]  // {

    public init() {}

    /// Empties the writer for the next object, keeping its storage.
    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(0x7B)
    }

    private mutating func key(_ key: String) {
        if bytes.count > 1 { bytes.append(0x2C) }
        JSONText.appendQuoted(key, to: &bytes)
        bytes.append(0x3A)
    }

    public mutating func add(_ key: String, _ value: String?) {
        self.key(key)
        if let value { JSONText.appendQuoted(value, to: &bytes) } else { JSONText.appendNull(to: &bytes) }
    }

    public mutating func add(_ key: String, _ value: Int?) {
        add(key, value.map(Int64.init))
    }

    public mutating func add(_ key: String, _ value: Int64?) {
        self.key(key)
        if let value { JSONText.appendDecimal(value, to: &bytes) } else { JSONText.appendNull(to: &bytes) }
    }

    /// An array of objects, each filled in by `fill`.
    mutating func addObjects<C: Collection>(_ key: String, _ items: C, _ fill: (C.Element, inout JSONObjectWriter) -> Void) {
        self.key(key)
        bytes.append(0x5B)
        var first = true
        for item in items {
            if !first { bytes.append(0x2C) }
            first = false
            var object = JSONObjectWriter()
            fill(item, &object)
            object.finish(into: &bytes)
        }
        bytes.append(0x5D)
    }

    public mutating func addRaw(_ key: String, _ json: String) {
        self.key(key)
        bytes.append(contentsOf: json.utf8)
    }

    public func finish() -> String {
        var out = bytes
        out.append(0x7D)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the finished object to `out`, without making a String of it.
    func finish(into out: inout [UInt8]) {
        out.append(contentsOf: bytes)
        out.append(0x7D)
    }
}

public enum JSONText {
    public static func quote(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 2)
        appendQuoted(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `s` as a JSON string: quotes, backslashes and control characters escaped, the rest
    /// (UTF-8 included) as it is.
    static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        out.append(0x22)
        let done: Void? = s.utf8.withContiguousStorageIfAvailable { b in
            // Most text needs no escape: copied whole.
            if !b.contains(where: needsEscape) { out.append(contentsOf: b) } else { for c in b { appendEscaped(c, to: &out) } }
        }
        if done == nil { for c in s.utf8 { appendEscaped(c, to: &out) } }
        out.append(0x22)
    }

    @inline(__always)
    private static func needsEscape(_ c: UInt8) -> Bool { c < 0x20 || c == 0x22 || c == 0x5C }

    private static func appendEscaped(_ c: UInt8, to out: inout [UInt8]) {
        guard needsEscape(c) else { out.append(c); return }
        out.append(0x5C)
        switch c {
        case 0x22: out.append(0x22)
        case 0x5C: out.append(0x5C)
        case 0x0A: out.append(0x6E)  // n
        case 0x0D: out.append(0x72)  // r
        case 0x09: out.append(0x74)  // t
        default:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            out.append(contentsOf: [0x75, 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 0xF)]])  // u00XX
        }
    }

    static func appendNull(to out: inout [UInt8]) { out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C]) }

    static func appendDecimal(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(0x2D) }
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[19 - count] = UInt8(48 + magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            out.append(contentsOf: d[(20 - count)...])
        }
    }
}
