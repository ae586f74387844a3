import CSupport

/// Why a record could not be split into fields; the loader turns it into IN004.
public enum RecordProblem: Sendable, Equatable {
    /// A quoted field ran to the end of the file (or past the tokenizer's look-ahead). The
    /// reader resumes on the physical line after the record's first line so one stray quote
    /// cannot swallow the rest of the file.
    case unterminatedQuote
    /// The record is whole (its quotes, if any, closed) but longer than `maxRecordBytes`:
    /// counted as one row and not read.
    case recordTooLong
    /// Characters between a closing quote and the next comma, e.g. `"abc"def`.
    case textAfterClosingQuote(fieldIndex: Int)
}

/// A field's bytes in the tokenizer's input: inside the quotes when quoted.
package struct FieldSpan: Equatable {
    package var start: Int
    package var end: Int
    package var quoted: Bool
    package var hasEscapedQuotes: Bool
}

/// The fields of the current record: storage reused from record to record (an array's
/// `removeAll(keepingCapacity:)` and checked appends cost a few percent of reading), and the
/// scratch the vectorised split writes its field ends to. Owned by one reader, so its state
/// needs no run-time exclusivity checks (see `CSVReader`).
package final class FieldList {
    @exclusivity(unchecked)
    private var spans = UnsafeMutablePointer<FieldSpan>.allocate(capacity: 32)
    @exclusivity(unchecked)
    private var capacity = 32
    @exclusivity(unchecked)
    package private(set) var count = 0
    /// Where `fundrecon_split_unquoted` puts the fields' ends.
    let fastEnds = UnsafeMutablePointer<Int>.allocate(capacity: FieldList.fastFields)
    static let fastFields = 64

    package init() {}

    deinit {
        spans.deallocate()
        fastEnds.deallocate()
    }

    func removeAll() { count = 0 }

    func append(_ span: FieldSpan) {
        if count == capacity {
            let bigger = UnsafeMutablePointer<FieldSpan>.allocate(capacity: capacity * 2)
            bigger.update(from: spans, count: count)
            spans.deallocate()
            spans = bigger
            capacity *= 2
        }
        spans[count] = span
        count += 1
    }

    /// The field at `i`, which must be below `count`.
    package subscript(i: Int) -> FieldSpan { spans[i] }

    var last: FieldSpan? { count > 0 ? spans[count - 1] : nil }
}

/// The record grammar, over bytes already in memory: RFC 4180 with LF or CRLF line ends,
/// blanks allowed around a quoted field, and a record cut off at `maxRecordBytes` when a
/// quote never closes. No I/O, no decoding, no state between records: the caller owns the
/// bytes and says whether more may follow (`atEnd`).
package struct CSVTokenizer {
    /// What became of the bytes from `start`.
    package enum Outcome: Equatable {
        /// A record, its fields in the list; the next one starts at `next`. `lines` counts
        /// the line feeds inside its quoted fields.
        case record(next: Int, lines: Int, problem: RecordProblem?)
        /// The record runs past `end` and more bytes may come.
        case needMore
        /// A quote never closed before the end of the input (`withinLimit`) or within
        /// `maxRecordBytes`. The list holds the record's first physical line as one field,
        /// which ends at `next`: what a reader hands out to resume after it.
        case unterminatedQuote(next: Int, withinLimit: Bool)
    }

    /// A record longer than this is not read (`recordTooLong`).
    var maxRecordBytes: Int
    /// How far a quoted field is followed to its closing quote: a quote still open this far
    /// after the record's start is taken as a runaway. Beyond `maxRecordBytes`, so that a
    /// long field that does close is one row too long, not a stray quote and rows made of
    /// its lines.
    var lookaheadBytes: Int { maxRecordBytes * 16 }
    /// Off only in tests that hold the vectorised split to the byte-by-byte one.
    package var splitsUnquotedFast = true

    package init(maxRecordBytes: Int) { self.maxRecordBytes = maxRecordBytes }

    private static let quote: UInt8 = 0x22, comma: UInt8 = 0x2C, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D

    /// Splits the record that starts at `start` of `p[..<end]` into `fields`.
    package func readRecord(_ p: UnsafePointer<UInt8>, from start: Int, end: Int, atEnd: Bool, into fields: FieldList) -> Outcome {
        if start >= end { return .needMore }
        if splitsUnquotedFast, let next = Self.splitUnquoted(p, from: start, end: end, into: fields) {
            return .record(next: next, lines: 0, problem: next - start > maxRecordBytes ? .recordTooLong : nil)
        }
        var i = start
        var lines = 0
        fields.removeAll()
        var recordProblem: RecordProblem?

        while true {
            if i < end && p[i] == Self.quote {
                var j = i + 1
                var escaped = false
                var closed = false
                while j < end {
                    let c = p[j]
                    if c == Self.quote {
                        if j + 1 < end && p[j + 1] == Self.quote { escaped = true; j += 2; continue }
                        if j + 1 >= end && !atEnd { return .needMore }
                        closed = true
                        break
                    }
                    if c == Self.lf { lines += 1 }
                    j += 1
                    if j - start > lookaheadBytes { break }
                }
                if !closed {
                    let withinLimit = j - start <= lookaheadBytes
                    if !atEnd && withinLimit { return .needMore }
                    return runaway(p, from: start, end: end, into: fields, withinLimit: withinLimit)
                }
                fields.append(FieldSpan(start: i + 1, end: j, quoted: true, hasEscapedQuotes: escaped))
                var k = j + 1
                while k < end && (p[k] == 0x20 || p[k] == 0x09) { k += 1 }
                if k < end && p[k] == Self.cr && k + 1 >= end && !atEnd { return .needMore }
                // Line ends are LF or CRLF; a lone CR after a closing quote is stray text.
                let atTerminator = k >= end || p[k] == Self.comma || p[k] == Self.lf
                    || (p[k] == Self.cr && (k + 1 >= end || p[k + 1] == Self.lf))
                if !atTerminator {
                    if recordProblem == nil { recordProblem = .textAfterClosingQuote(fieldIndex: fields.count - 1) }
                    while k < end && p[k] != Self.comma && p[k] != Self.lf { k += 1 }
                }
                i = k
            } else {
                var j = Self.nextCommaOrLineFeed(p, from: i, end: end)
                while j < end {
                    let c = p[j]
                    if c == Self.comma || c == Self.lf { break }
                    j += 1
                }
                var fieldEnd = j
                if j < end && p[j] == Self.lf && fieldEnd > i && p[fieldEnd - 1] == Self.cr { fieldEnd -= 1 }
                fields.append(FieldSpan(start: i, end: fieldEnd, quoted: false, hasEscapedQuotes: false))
                i = j
            }
            // i is at a comma, a line end, a CR before LF, or the end of the input.
            if i < end && p[i] == Self.cr {
                if i + 1 >= end && !atEnd { return .needMore }  // its LF may come next
                if i + 1 < end && p[i + 1] == Self.lf { i += 1 }
            }
            if i >= end {
                if !atEnd { return .needMore }
                break
            }
            if p[i] == Self.comma { i += 1; continue }
            i += 1  // a line feed, or a CR as the input's last byte
            break
        }
        if i - start > maxRecordBytes { recordProblem = .recordTooLong }
        return .record(next: i, lines: lines, problem: recordProblem)
    }

    /// The usual record, with no quoted field and its line end in the input, split 16 bytes
    /// at a time (C, SSE2); nil for any other, which `readRecord` splits byte by byte.
    private static func splitUnquoted(_ p: UnsafePointer<UInt8>, from start: Int, end: Int, into fields: FieldList) -> Int? {
        var lineEnd = 0
        let ends = fields.fastEnds
        let n = fundrecon_split_unquoted(p, start, end, ends, FieldList.fastFields, &lineEnd)
        guard n > 0 else { return nil }
        fields.removeAll()
        var fieldStart = start
        for k in 0..<n {
            var fieldEnd = ends[k]
            if k == n - 1 && fieldEnd > fieldStart && p[fieldEnd - 1] == cr { fieldEnd -= 1 }  // CRLF
            fields.append(FieldSpan(start: fieldStart, end: fieldEnd, quoted: false, hasEscapedQuotes: false))
            fieldStart = ends[k] + 1
        }
        return lineEnd + 1
    }

    /// Skips 8 bytes at a time while none of them is a comma or a line feed; the caller
    /// finishes byte by byte from the returned position.
    @inline(__always)
    private static func nextCommaOrLineFeed(_ p: UnsafePointer<UInt8>, from start: Int, end: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        var j = start
        let raw = UnsafeRawPointer(p)
        while j + 8 <= end {
            let v = raw.loadUnaligned(fromByteOffset: j, as: UInt64.self)
            let commas = v ^ (ones &* 0x2C), lineFeeds = v ^ (ones &* 0x0A)
            // A byte of zero in either means a match (the lowest such byte is exact).
            let found = ((commas &- ones) & ~commas | (lineFeeds &- ones) & ~lineFeeds) & highs
            if found != 0 { return j + found.trailingZeroBitCount / 8 }
            j += 8
        }
        return j
    }

    /// A quote never closed: the record's first physical line as one field.
    private func runaway(_ p: UnsafePointer<UInt8>, from start: Int, end: Int, into fields: FieldList, withinLimit: Bool) -> Outcome {
        var j = start
        while j < end && p[j] != Self.lf { j += 1 }
        fields.removeAll()
        fields.append(FieldSpan(start: start, end: j, quoted: false, hasEscapedQuotes: false))
        return .unterminatedQuote(next: j < end ? j + 1 : j, withinLimit: withinLimit)
    }

    /// True when every field of the record holds only blanks (spaces, tabs, CRs): a line the
    /// reader skips, as a spreadsheet shows nothing on it.
    static func isBlank(_ p: UnsafePointer<UInt8>, _ fields: FieldList) -> Bool {
        for i in 0..<fields.count {
            let f = fields[i]
            var k = f.start
            while k < f.end {
                let c = p[k]
                if c != 0x20 && c != 0x09 && c != cr { return false }
                k += 1
            }
        }
        return true
    }
}
