/// The forms findings are printed in on stderr (spec §4 "Diagnostics").
public enum DiagnosticFormat: String, Sendable, CaseIterable {
    /// `path:line:column: severity[CODE]: message`, as compilers print, for editors and problem matchers.
    case text
    /// One JSON object per line.
    case json
    /// GitHub Actions workflow commands (`::error file=…,line=…,col=…,title=CODE::…`).
    case github
}

public enum Diagnostics {
    public static func line(_ f: Finding, format: DiagnosticFormat, language: Language) -> String {
        switch format {
        case .text: return text(f, language)
        case .json: return json(f, language)
        case .github: return github(f, language)
        }
    }

    static func text(_ f: Finding, _ language: Language) -> String {
        var location = f.primary.file
        if let line = f.primary.line {
            location += ":\(line)"
            if let column = f.primary.column { location += ":\(column)" }
        }
        return "\(location): \(f.severity.english)[\(f.code.rawValue)]: \(f.message.text(language))"
    }

    static func github(_ f: Finding, _ language: Language) -> String {
        let command: String
        switch f.severity {
        case .error: command = "error"
        case .warning: command = "warning"
        case .info: command = "notice"
        }
        var properties = ["file=\(escapeProperty(f.primary.file))"]
        if let line = f.primary.line { properties.append("line=\(line)") }
        if let column = f.primary.column { properties.append("col=\(column)") }
        properties.append("title=\(f.code.rawValue)")
        return "::\(command) \(properties.joined(separator: ","))::\(escapeData(f.message.text(language)))"
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
        o.add("code", f.code.rawValue)
        o.add("severity", f.severity.english)
        o.add("message", f.message.text(language))
        o.add("file", f.primary.file)
        o.add("line", f.primary.line)
        o.add("column", f.primary.column)
        o.addRaw("rows", "[" + f.related.map { r in
            var row = JSONObjectWriter()
            row.add("file", r.file)
            row.add("line", r.line)
            return row.finish()
        }.joined(separator: ",") + "]")
        o.add("project", f.project)
        o.add("from", f.from)
        o.add("to", f.to)
        o.add("entity", f.entity)
        o.add("amount_fen", f.amount)
        o.add("key", f.identity)
        return o.finish()
    }

    /// The closing line of a check: counts by severity and rows per file.
    public static func summary(_ result: CheckResult, language: Language) -> String {
        let e = result.count(.error), w = result.count(.warning), i = result.count(.info)
        var parts: [String] = []
        for s in result.scope.stats where s.present {
            parts.append(language == .zh
                         ? "\(s.file.fileName) 读 \(s.rowsRead) 行，用 \(s.rowsUsed)，拒 \(s.rowsRejected)"
                         : "\(s.file.fileName) \(s.rowsRead) read, \(s.rowsUsed) used, \(s.rowsRejected) rejected")
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
    func replacingAll(_ map: [Character: String]) -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for ch in self {
            if let r = map[ch] { out += r } else { out.append(ch) }
        }
        return out
    }
}

/// A small JSON writer: keys in the order added, so output is byte-for-byte stable.
public struct JSONObjectWriter {
    private var parts: [String] = []

    public init() {}

    public mutating func add(_ key: String, _ value: String?) {
        parts.append("\(JSONText.quote(key)):\(value.map(JSONText.quote) ?? "null")")
    }

    public mutating func add(_ key: String, _ value: Int?) {
        parts.append("\(JSONText.quote(key)):\(value.map(String.init) ?? "null")")
    }

    public mutating func add(_ key: String, _ value: Int64?) {
        parts.append("\(JSONText.quote(key)):\(value.map(String.init) ?? "null")")
    }

    public mutating func addRaw(_ key: String, _ json: String) {
        parts.append("\(JSONText.quote(key)):\(json)")
    }

    public func finish(multiline: Bool = false) -> String {
        multiline ? "{\n" + parts.map { " " + $0 }.joined(separator: ",\n") + "\n}" : "{" + parts.joined(separator: ",") + "}"
    }
}

public enum JSONText {
    public static func quote(_ s: String) -> String {
        // Most text needs no escape: one pass over its bytes, no walk by scalar.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) { return "\"" + s + "\"" }
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
