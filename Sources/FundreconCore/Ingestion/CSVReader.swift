import CSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a record could not be split into fields; the loader turns it into IN004.
public enum RecordProblem: Sendable, Equatable {
    /// A quoted field ran to the end of the file (or past `maxRecordBytes`). The reader
    /// resumes on the physical line after the record's first line so one stray quote
    /// cannot swallow the rest of the file.
    case unterminatedQuote
    /// Characters between a closing quote and the next comma, e.g. `"abc"def`.
    case textAfterClosingQuote(fieldIndex: Int)
}

public struct InputFileError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}

/// A field's position in the reader's buffer.
struct FieldSpan {
    var start: Int
    var end: Int
    var quoted: Bool
    var hasEscapedQuotes: Bool
}

/// The fields of the current record: storage reused from record to record (an array's
/// `removeAll(keepingCapacity:)` and checked appends were a few percent of reading).
struct FieldList {
    private var spans = UnsafeMutablePointer<FieldSpan>.allocate(capacity: 32)
    private var capacity = 32
    private(set) var count = 0

    mutating func removeAll() { count = 0 }

    mutating func append(_ span: FieldSpan) {
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
    subscript(i: Int) -> FieldSpan { spans[i] }

    var last: FieldSpan? { count > 0 ? spans[count - 1] : nil }

    func deallocate() { spans.deallocate() }
}

/// Streaming RFC 4180 reader over bytes. Reads 1 MiB chunks with read(2), decodes each
/// chunk to UTF-8 (validating in place, or GB18030 through iconv), and hands out one record
/// at a time. Field bytes are views into its buffer, valid until the next call to `next()`.
public final class CSVReader {
    public static let chunkSize = 1 << 20
    /// A record longer than this is taken as a runaway quote (see `RecordProblem`).
    public static let maxRecordBytes = 1 << 20

    public let path: String
    public private(set) var encoding: TextEncoding = .utf8
    /// Set when auto-detection found bytes that are neither UTF-8 nor GB18030 in the
    /// first chunk that holds non-ASCII bytes: the file is rejected whole (IN002).
    public private(set) var undecodable = false
    public private(set) var bytesRead: Int64 = 0
    /// SHA-256 of the file's bytes as read, when asked for (`hashing`).
    public private(set) var digest: SHA256?
    /// Size of the file when opened (0 when it cannot be told, e.g. a pipe).
    public let fileSize: Int64

    // Record currently handed out.
    public private(set) var line = 0
    public private(set) var endLine = 0
    public private(set) var problem: RecordProblem?
    /// Offset (in the buffer) of the first undecodable byte of this record, if any.
    private(set) var decodeErrorAt: Int?
    private(set) var fields = FieldList()
    private var recordStart = 0

    private let fd: Int32
    private let choice: EncodingChoice
    private var decided = false
    private var gb: GB18030Decoder?
    private var sawEOF = false

    // Decoded UTF-8 bytes; [pos, length) is not yet parsed.
    private var buf: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var length = 0
    private var pos = 0
    /// Stream offset of buf[0], to keep undecodable-byte offsets valid across compaction.
    private var base = 0
    private var nextLine = 1
    private var badOffsets: [Int] = []  // stream offsets, ascending
    private var badCursor = 0

    /// GB18030 bytes read but not yet decoded (a sequence cut by the chunk end stays here).
    private var raw: UnsafeMutablePointer<UInt8>
    /// Bytes read but not yet decoded, at `undecoded`.
    private var pending = 0
    /// A field with doubled quotes, undoubled; a record fits in `buf`, so a field fits here.
    private var unescaped: UnsafeMutablePointer<UInt8>
    /// Off only in tests that hold the fast split to the byte-by-byte one.
    var splitsUnquotedFast = true
    /// Where `splitUnquoted` puts the fields' ends.
    private let fieldEnds = UnsafeMutablePointer<Int>.allocate(capacity: CSVReader.fastFields)
    private static let fastFields = 64

    /// Where a reader of the first part of a split file stops: learnt from the thread that
    /// looks for the split while this one reads (see `SplitPoint`).
    var limit: SplitPoint?
    /// Stream offset this reader stops at, once known (nil: the end of the file).
    private var endOffset: Int64?
    /// Offset in the file of the first byte this reader reads.
    private var startOffset: Int64 = 0
    /// Set when the first part ended inside a quoted field: the split was not at a record's
    /// end, so this reader went on to the end of the file itself and the second part's rows
    /// must not be used.
    private(set) var splitAbandoned = false

    /// A reader of the rest of a file from `start`, a record's first byte on line `line`,
    /// in an encoding already decided from the file's beginning.
    convenience init(path: String, from start: Int64, line: Int, encoding decided: TextEncoding) throws(InputFileError) {
        try self.init(path: path, encoding: decided == .gb18030 ? .gb18030 : .utf8)
        encoding = decided
        startOffset = start
        nextLine = line
        if lseek(fd, off_t(start), SEEK_SET) != off_t(start) {
            throw InputFileError(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// True once the first chunk has shown (or the caller forced) the encoding.
    var encodingDecided: Bool { decided && !undecodable }

    public init(path: String, encoding choice: EncodingChoice = .auto, hashing: Bool = false) throws(InputFileError) {
        self.path = path
        digest = hashing ? SHA256() : nil
        self.choice = choice
        fd = open(path, O_RDONLY)
        if fd < 0 {
            let reason = String(cString: strerror(errno))
            throw InputFileError(path: path, reason: reason)
        }
        var info = stat()
        fileSize = fstat(fd, &info) == 0 ? Int64(info.st_size) : 0
        capacity = 2 * CSVReader.chunkSize + 16
        buf = .allocate(capacity: capacity)
        raw = .allocate(capacity: CSVReader.chunkSize + 8)
        unescaped = .allocate(capacity: capacity)
        switch choice {
        case .auto: break
        case .utf8: encoding = .utf8; decided = true
        case .gb18030: encoding = .gb18030; decided = true; gb = GB18030Decoder()
        }
    }

    deinit {
        close(fd)
        buf.deallocate()
        raw.deallocate()
        unescaped.deallocate()
        fields.deallocate()
        fieldEnds.deallocate()
    }

    // MARK: Reading and decoding

    /// Reads one chunk and appends its decoded bytes to `buf`. Returns false at end of file.
    private func fill() -> Bool {
        if sawEOF && pending == 0 { return false }
        if !sawEOF {
            var want = CSVReader.chunkSize - pending
            if let limit, endOffset == nil, !limit.admit(upTo: bytesRead + Int64(want)) {
                endOffset = limit.wait()?.offset ?? .max
            }
            if let endOffset { want = Int(min(Int64(want), max(0, endOffset - bytesRead))) }
            if want == 0 { sawEOF = true }
            if decodesInPlace { ensureCapacity(length + pending + want + 8) }
            let target = (decodesInPlace ? buf + length : raw) + pending
            var got = 0
            while got < want {
                let n = read(fd, target + got, want - got)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { sawEOF = true; break }
                got += n
            }
            digest?.update(target, count: got)
            pending += got
            bytesRead += Int64(got)
        }
        if !decided { detect() }
        if decodesInPlace {
            let checked = UTF8Validator.validateInPlace(buf + length, count: pending, atEnd: sawEOF,
                                                        outBase: base + length, badOffsets: &badOffsets)
            length += checked
            pending -= checked  // a sequence cut by the chunk's end waits in place for the rest
            return checked > 0 || !(sawEOF && pending == 0)
        }
        // GB18030 may grow by half as UTF-8 (2 bytes → 3); its decoder asks for 2×.
        ensureCapacity(length + 2 * pending + 8)
        var (consumed, written) = (0, 0)
        if let gb {
            (consumed, written) = gb.convert(raw, count: pending, atEnd: sawEOF,
                                             to: buf + length, outBase: base + length, badOffsets: &badOffsets)
        }
        length += written
        if consumed < pending { raw.update(from: raw + consumed, count: pending - consumed) }
        pending -= consumed
        return written > 0 || !(sawEOF && pending == 0)
    }

    /// UTF-8 is checked where it was read, in `buf` after the decoded text; GB18030 is read
    /// into `raw` and decoded into `buf`. Copying UTF-8 across had been a tenth of reading.
    /// Without iconv there is no GB18030 decoder, and the bytes are checked as UTF-8 (their
    /// rows then fail IN002) rather than never read.
    private var decodesInPlace: Bool { !(decided && encoding == .gb18030 && gb != nil) }

    /// Undecoded bytes kept in `buf` after the decoded ones, to move along with them.
    private var pendingInBuffer: Int { decodesInPlace ? pending : 0 }

    /// Where the bytes read but not yet decoded start.
    private var undecoded: UnsafeMutablePointer<UInt8> { decodesInPlace ? buf + length : raw }

    /// Decides the encoding from the bytes read so far, dropping a byte-order mark.
    private func detect() {
        let p = undecoded
        if pending >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF && bytesRead == Int64(pending) {
            encoding = .utf8BOM; decided = true
            pending -= 3
            p.update(from: p + 3, count: pending)
            return
        }
        if bytesRead == Int64(pending) && pending >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF)) {
            undecodable = true; decided = true  // UTF-16: neither of the accepted encodings
            return
        }
        if UTF8Validator.isAllASCII(p, count: pending) { return }  // decide on a later chunk
        decided = true
        let census = UTF8Validator.census(p, count: pending, atEnd: sawEOF)
        if census.malformed == 0 || census.multiByte > 4 * census.malformed {
            encoding = .utf8  // a few bad bytes in UTF-8 text spoil their rows only (IN002 per row)
        } else if let decoder = GB18030Decoder(), decoder.decodesCleanly(p, count: pending, atEnd: sawEOF) {
            encoding = .gb18030
            gb = decoder
            raw.update(from: p, count: pending)  // read in place while undecided: decode from `raw` now
        } else {
            undecodable = true
        }
    }

    private func ensureCapacity(_ needed: Int) {
        guard needed > capacity else { return }
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        let newBuf = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBuf.update(from: buf, count: length + pendingInBuffer)
        buf.deallocate()
        buf = newBuf
        unescaped.deallocate()
        unescaped = .allocate(capacity: newCapacity)
        capacity = newCapacity
    }

    /// Drops parsed bytes before `keepFrom` so the buffer does not grow with the file.
    private func compact(keepFrom: Int) {
        guard keepFrom > 0 else { return }
        let remaining = length - keepFrom
        if remaining + pendingInBuffer > 0 { buf.update(from: buf + keepFrom, count: remaining + pendingInBuffer) }
        base += keepFrom
        length = remaining
        pos -= keepFrom
    }

    // MARK: Records

    /// Advances to the next non-blank record. Returns false at end of file.
    public func next() -> Bool {
        while true {
            switch scanRecord() {
            case .record:
                if isBlankRecord() { continue }
                return true
            case .needMore:
                compact(keepFrom: pos)
                if !fill() {
                    if pos < length { continue }  // scan the last record with sawEOF set
                    return false
                }
            case .end:
                return false
            }
        }
    }

    private enum ScanResult { case record, needMore, end }

    private static let quote: UInt8 = 0x22, comma: UInt8 = 0x2C, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D

    /// Splits the record starting at `pos`. Needs the whole record in the buffer; asks for
    /// more when it runs off the end before the end of the file.
    private func scanRecord() -> ScanResult {
        if pos >= length { return sawEOF && pending == 0 ? .end : .needMore }
        if splitsUnquotedFast && splitUnquoted() { return .record }
        let atEOF = sawEOF && pending == 0
        let start = pos
        var i = start
        var lines = 0
        fields.removeAll()
        var recordProblem: RecordProblem?
        let p = buf
        let end = length

        fieldLoop: while true {
            if i < end && p[i] == CSVReader.quote {
                var j = i + 1
                var escaped = false
                var closed = false
                while j < end {
                    let c = p[j]
                    if c == CSVReader.quote {
                        if j + 1 < end && p[j + 1] == CSVReader.quote { escaped = true; j += 2; continue }
                        if j + 1 >= end && !atEOF { return .needMore }
                        closed = true
                        break
                    }
                    if c == CSVReader.lf { lines += 1 }
                    j += 1
                    if j - start > CSVReader.maxRecordBytes { break }
                }
                if !closed {
                    if !atEOF && j - start <= CSVReader.maxRecordBytes { return .needMore }
                    if j - start <= CSVReader.maxRecordBytes && abandonSplit() { return .needMore }
                    return runawayQuote(from: start)
                }
                fields.append(FieldSpan(start: i + 1, end: j, quoted: true, hasEscapedQuotes: escaped))
                var k = j + 1
                while k < end && (p[k] == 0x20 || p[k] == 0x09) { k += 1 }
                if k < end && p[k] == CSVReader.cr && k + 1 >= end && !atEOF { return .needMore }
                // Line ends are LF or CRLF; a lone CR after a closing quote is stray text.
                let atTerminator = k >= end || p[k] == CSVReader.comma || p[k] == CSVReader.lf
                    || (p[k] == CSVReader.cr && (k + 1 >= end || p[k + 1] == CSVReader.lf))
                if !atTerminator {
                    if recordProblem == nil { recordProblem = .textAfterClosingQuote(fieldIndex: fields.count - 1) }
                    while k < end && p[k] != CSVReader.comma && p[k] != CSVReader.lf { k += 1 }
                }
                i = k
            } else {
                var j = CSVReader.nextCommaOrLineFeed(p, from: i, end: end)
                while j < end {
                    let c = p[j]
                    if c == CSVReader.comma || c == CSVReader.lf { break }
                    j += 1
                }
                var fieldEnd = j
                if j < end && p[j] == CSVReader.lf && fieldEnd > i && p[fieldEnd - 1] == CSVReader.cr { fieldEnd -= 1 }
                fields.append(FieldSpan(start: i, end: fieldEnd, quoted: false, hasEscapedQuotes: false))
                i = j
            }
            // i is at a comma, a line end, a CR before LF, or the end of the buffer.
            if i < end && p[i] == CSVReader.cr {
                if i + 1 >= end && !atEOF { return .needMore }  // its LF may be in the next chunk
                if i + 1 < end && p[i + 1] == CSVReader.lf { i += 1 }
            }
            if i >= end {
                if !atEOF { return .needMore }
                break fieldLoop
            }
            if p[i] == CSVReader.comma { i += 1; continue }
            if p[i] == CSVReader.lf { i += 1; break fieldLoop }
            if p[i] == CSVReader.cr { i += 1; break fieldLoop }  // a CR as the file's last byte
        }
        recordStart = start
        problem = recordProblem
        line = nextLine
        endLine = nextLine + lines
        nextLine = endLine + 1
        pos = i
        markDecodeErrors(upTo: i)
        return .record
    }

    /// The usual record, with no quoted field and its line end in the buffer, split 16 bytes
    /// at a time (C, SSE2); false for any other, which `scanRecord` splits byte by byte.
    private func splitUnquoted() -> Bool {
        var lineEnd = 0
        let n = fundrecon_split_unquoted(buf, pos, length, fieldEnds, CSVReader.fastFields, &lineEnd)
        guard n > 0 else { return false }
        fields.removeAll()
        var start = pos
        for k in 0..<n {
            var end = fieldEnds[k]
            if k == n - 1 && end > start && buf[end - 1] == CSVReader.cr { end -= 1 }  // CRLF
            fields.append(FieldSpan(start: start, end: end, quoted: false, hasEscapedQuotes: false))
            start = fieldEnds[k] + 1
        }
        recordStart = pos
        problem = nil
        line = nextLine
        endLine = nextLine
        nextLine += 1
        pos = lineEnd + 1
        markDecodeErrors(upTo: pos)
        return true
    }

    /// The first part of a split file ended inside quotes: read on to the end of the file
    /// instead. False when this reader already reads to the end.
    private func abandonSplit() -> Bool {
        guard let endOffset, endOffset != .max else { return false }
        self.endOffset = .max
        splitAbandoned = true
        sawEOF = false
        return true
    }

    /// After the first part of a split file: feeds the rest of the file to the fingerprint,
    /// which must see every byte in order.
    func hashRest() {
        guard digest != nil, let endOffset, endOffset != .max else { return }
        while true {
            let n = read(fd, raw, CSVReader.chunkSize)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            digest?.update(raw, count: n)
        }
    }

    /// Skips 8 bytes at a time while none of them is a comma or a line feed; the caller
    /// finishes byte by byte from the returned position.
    @inline(__always)
    private static func nextCommaOrLineFeed(_ p: UnsafeMutablePointer<UInt8>, from start: Int, end: Int) -> Int {
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

    /// A quote never closed: hand out the record's first line alone, marked, and resume after it.
    private func runawayQuote(from start: Int) -> ScanResult {
        var j = start
        while j < length && buf[j] != CSVReader.lf { j += 1 }
        let lineEnd = j < length ? j + 1 : j
        fields.removeAll()
        fields.append(FieldSpan(start: start, end: j, quoted: false, hasEscapedQuotes: false))
        recordStart = start
        problem = .unterminatedQuote
        line = nextLine
        endLine = nextLine
        nextLine += 1
        pos = lineEnd
        markDecodeErrors(upTo: lineEnd)
        return .record
    }

    private func markDecodeErrors(upTo recordEnd: Int) {
        decodeErrorAt = nil
        let startStream = base + recordStart, endStream = base + recordEnd
        while badCursor < badOffsets.count && badOffsets[badCursor] < endStream {
            let offset = badOffsets[badCursor]
            if offset >= startStream && decodeErrorAt == nil { decodeErrorAt = offset - base }
            badCursor += 1
        }
        if badCursor > 4096 {  // keep the list short on files full of bad bytes
            badOffsets.removeFirst(badCursor)
            badCursor = 0
        }
    }

    private func isBlankRecord() -> Bool {
        guard problem == nil else { return false }
        for i in 0..<fields.count {
            let f = fields[i]
            var k = f.start
            while k < f.end {
                let c = buf[k]
                if c != 0x20 && c != 0x09 && c != CSVReader.cr { return false }
                k += 1
            }
        }
        return true
    }

    /// Rows the whole file probably holds, from the line breaks in what has been read so far.
    /// Good enough to size tables up front.
    public var estimatedRecords: Int { estimatedRecords(inBytes: fileSize - startOffset) }

    /// Rows that `bytes` of the file probably hold.
    func estimatedRecords(inBytes bytes: Int64) -> Int {
        guard length > 0, bytes > 0 else { return 0 }
        var lines = 0
        for k in 0..<length where buf[k] == CSVReader.lf { lines += 1 }
        // Per byte of the file, not of the decoded text: GB18030 grows by up to half as UTF-8,
        // and an estimate from the decoded bytes fell short (the tables then grew twice over).
        let fileBytesDecoded = bytesRead - Int64(pending)
        let measured = base == 0 && fileBytesDecoded > 0 ? Double(fileBytesDecoded) : Double(length)
        return Int(Double(bytes) * Double(max(lines, 1)) / measured)
    }

    // MARK: Field access

    public var fieldCount: Int { fields.count }

    /// The field's bytes, unquoted and unescaped, with surrounding ASCII blanks trimmed.
    /// An index past the last field gives an empty value.
    public func withField<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(field(index))
    }

    /// The field's bytes as `withField` gives them, for the per-row path where a closure would
    /// capture (and copy) the caller's tables. Valid until the next record or the next call.
    func field(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        guard index >= 0 && index < fields.count else { return UnsafeBufferPointer(start: nil, count: 0) }
        let f = fields[index]
        var s = f.start, e = f.end
        while s < e && (buf[s] == 0x20 || buf[s] == 0x09) { s += 1 }
        while e > s && (buf[e - 1] == 0x20 || buf[e - 1] == 0x09 || buf[e - 1] == CSVReader.cr) { e -= 1 }
        if !f.hasEscapedQuotes { return UnsafeBufferPointer(start: buf + s, count: e - s) }
        var n = 0
        var k = s
        while k < e {
            unescaped[n] = buf[k]
            n += 1
            k += (buf[k] == CSVReader.quote && k + 1 < e && buf[k + 1] == CSVReader.quote) ? 2 : 1
        }
        return UnsafeBufferPointer(start: unescaped, count: n)
    }

    public func string(_ index: Int) -> String {
        withField(index) { String(decoding: $0, as: UTF8.self) }
    }

    public func isEmpty(_ index: Int) -> Bool {
        withField(index) { $0.isEmpty }
    }

    /// Physical line and character column (both 1-based) of a field's first character.
    public func location(ofField index: Int) -> (line: Int, column: Int) {
        guard index >= 0 && index < fields.count else {
            return location(ofOffset: fields.last.map { $0.end } ?? recordStart)
        }
        let f = fields[index]
        return location(ofOffset: f.quoted ? f.start - 1 : f.start)
    }

    /// Location of the first undecodable byte in this record.
    public var decodeErrorLocation: (line: Int, column: Int)? {
        decodeErrorAt.map { location(ofOffset: $0) }
    }

    func location(ofOffset offset: Int) -> (line: Int, column: Int) {
        var l = line
        var column = 1
        var k = recordStart
        let stop = min(offset, length)
        while k < stop {
            let c = buf[k]
            if c == CSVReader.lf { l += 1; column = 1 } else if c & 0xC0 != 0x80 { column += 1 }
            k += 1
        }
        return (l, column)
    }

    /// The raw text of the record's first line, for messages about rows that did not split.
    public var rawFirstLine: String {
        var e = recordStart
        while e < length && buf[e] != CSVReader.lf { e += 1 }
        if e > recordStart && buf[e - 1] == CSVReader.cr { e -= 1 }
        return String(decoding: UnsafeBufferPointer(start: buf + recordStart, count: min(e - recordStart, 200)), as: UTF8.self)
    }
}
