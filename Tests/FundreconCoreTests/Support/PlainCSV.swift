/// An obviously correct reader of the CSV grammar fundrecon documents, for property tests to
/// hold the real one to. It works on a whole array of bytes, one byte at a time, with no
/// buffers, chunks or fast paths, and it is written from the grammar, not from the reader:
///
/// - Records end at LF; a CR right before the LF belongs to the line end. A file whose first
///   CR or LF is a CR not followed by LF (or a CR as its last byte) ends its lines with CR
///   alone: every CR in it reads as LF (`crLineEnds`; the tokenizer alone knows LF only).
/// - A field that starts with `"` is quoted: it runs to the next `"` not doubled, may hold
///   commas and line breaks, and `""` inside stands for `"`. Blanks may follow the closing
///   quote; anything else up to the next comma or LF is "text after the closing quote" (the
///   first such field is named) and is dropped.
/// - A quote that never closes spoils only the record's first physical line: that line is
///   the record (one field, unquoted), and reading resumes on the next line.
/// - A record whose fields hold only blanks (space, tab, CR) is skipped, unless it has a problem.
/// - A field's value has spaces and tabs trimmed at both ends, and CRs at its end.
/// - Line numbers count every LF, those inside quoted fields and those of skipped records.
///
/// Text is UTF-8: each byte that does not begin a well-formed character (as the standard
/// library judges it) reads as "?", and reading goes on at the next byte.
struct PlainCSV {
    struct Record: Equatable, CustomStringConvertible {
        var line: Int
        var endLine: Int
        var fields: [[UInt8]]
        var problem: String?

        var description: String {
            "\(line)-\(endLine) \(problem ?? "ok") \(fields.map { String(decoding: $0, as: UTF8.self).debugDescription })"
        }
    }

    static func records(_ bytes: [UInt8], crLineEnds: Bool = true) -> [Record] {
        let b = crLineEnds ? crLineEndsRead(decoded(bytes)) : decoded(bytes)
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        let n = b.count
        var out: [Record] = []
        var pos = 0
        var line = 1
        nextRecord: while pos < n {
            var fields: [[UInt8]] = []
            var problem: String?
            var lineFeeds = 0
            var i = pos
            while true {
                if i < n && b[i] == quote {
                    var content: [UInt8] = []
                    var j = i + 1
                    var closed = false
                    while j < n {
                        if b[j] == quote {
                            if j + 1 < n && b[j + 1] == quote {
                                content.append(quote)
                                j += 2
                                continue
                            }
                            closed = true
                            break
                        }
                        if b[j] == lf { lineFeeds += 1 }
                        content.append(b[j])
                        j += 1
                    }
                    if !closed {
                        var e = pos
                        while e < n && b[e] != lf { e += 1 }
                        out.append(Record(line: line, endLine: line, fields: [trim(Array(b[pos..<e]))], problem: "unterminated quote"))
                        line += 1
                        pos = e + 1
                        continue nextRecord
                    }
                    fields.append(content)
                    var k = j + 1
                    while k < n && (b[k] == 0x20 || b[k] == 0x09) { k += 1 }
                    let ends = k == n || b[k] == comma || b[k] == lf || (b[k] == cr && (k + 1 == n || b[k + 1] == lf))
                    if !ends {
                        if problem == nil { problem = "text after closing quote in field \(fields.count - 1)" }
                        while k < n && b[k] != comma && b[k] != lf { k += 1 }
                    }
                    i = k
                } else {
                    var j = i
                    while j < n && b[j] != comma && b[j] != lf { j += 1 }
                    fields.append(Array(b[i..<j]))
                    i = j
                }
                if i < n && b[i] == cr && i + 1 < n && b[i + 1] == lf { i += 1 }
                if i < n && b[i] == comma {
                    i += 1
                    continue
                }
                break
            }
            let blank = fields.allSatisfy { $0.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == cr } }
            if problem != nil || !blank {
                out.append(Record(line: line, endLine: line + lineFeeds, fields: fields.map(trim), problem: problem))
            }
            line += lineFeeds + 1
            pos = i + 1
        }
        return out
    }

    /// Bytes as UTF-8, each byte that begins no well-formed character made "?".
    /// The bytes with every CR made LF when the first CR or LF is a lone CR.
    static func crLineEndsRead(_ b: [UInt8]) -> [UInt8] {
        for i in b.indices {
            if b[i] == UInt8(ascii: "\n") { return b }
            if b[i] == UInt8(ascii: "\r") {
                if i + 1 < b.count && b[i + 1] == UInt8(ascii: "\n") { return b }
                return b.map { $0 == UInt8(ascii: "\r") ? UInt8(ascii: "\n") : $0 }
            }
        }
        return b
    }

    static func decoded(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            let lead = b[i]
            let length = lead < 0x80 ? 1 : lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3 : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0
            if length > 0, i + length <= b.count, let s = String(validating: b[i..<i + length], as: UTF8.self), s.unicodeScalars.count == 1 {
                out += b[i..<i + length]
                i += length
            } else {
                out.append(UInt8(ascii: "?"))
                i += 1
            }
        }
        return out
    }

    private static func trim(_ f: [UInt8]) -> [UInt8] {
        var s = 0, e = f.count
        while s < e && (f[s] == 0x20 || f[s] == 0x09) { s += 1 }
        while e > s && (f[e - 1] == 0x20 || f[e - 1] == 0x09 || f[e - 1] == 0x0D) { e -= 1 }
        return Array(f[s..<e])
    }
}
