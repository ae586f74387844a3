import CSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An input that could not be opened or read to its end.
public struct InputFileError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    /// Where in the file reading failed; nil when it could not be opened.
    public var offset: Int64?
    public var description: String { "\(path): \(reason)" }

    init(_ failure: SystemCallError, offset: Int64? = nil) {
        path = failure.path
        reason = failure.reason
        self.offset = offset
    }
}

/// Reads a CSV file a record at a time: 1 MiB chunks with read(2), each decoded to UTF-8
/// (validated in place, or GB18030 through iconv), split by `CSVTokenizer`, and handed out
/// one record at a time with its line numbers. Field bytes are views into its buffer, valid
/// until the next call to `next()`.
///
/// The state touched for every record is `@exclusivity(unchecked)`: a reader belongs to one
/// thread, and no access to it is held across a call that could reach it again; checked at
/// run time, those accesses cost about a tenth of `check`'s time at 10^7 rows.
///
/// (Over 400 lines: the buffer's layout — decoded bytes, bytes waiting to be decoded, the
/// record handed out — is private to this type and shared by reading, decoding, the split's
/// end and field access; split across files, it would have to be opened to all of them.)
public final class CSVReader {
    public static let defaultChunkSize = 1 << 20
    /// A record longer than this is taken as a runaway quote (see `RecordProblem`).
    public static let maxRecordBytes = 1 << 20
    /// Bytes asked of each read(2).
    let chunkSize: Int

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
    @exclusivity(unchecked)
    public private(set) var line = 0
    @exclusivity(unchecked)
    public private(set) var endLine = 0
    @exclusivity(unchecked)
    public private(set) var problem: RecordProblem?
    /// Offset (in the buffer) of the first undecodable byte of this record, if any.
    @exclusivity(unchecked)
    private(set) var decodeErrorAt: Int?
    let fields = FieldList()
    @exclusivity(unchecked)
    private(set) var tokenizer = CSVTokenizer(maxRecordBytes: CSVReader.maxRecordBytes)
    @exclusivity(unchecked)
    private var recordStart = 0

    private let fd: Int32
    /// read(2) through `SystemCall`; tests put a failing one in its place.
    var readChunk: (_ fd: Int32, _ into: UnsafeMutableRawPointer, _ count: Int, _ path: String) throws(SystemCallError) -> Int = SystemCall.read
    private let choice: EncodingChoice
    @exclusivity(unchecked)
    private var decided = false
    private var gb: GB18030Decoder?
    @exclusivity(unchecked)
    private var sawEOF = false

    // Decoded UTF-8 bytes; [pos, length) is not yet parsed.
    @exclusivity(unchecked)
    private var buf: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked)
    private var capacity: Int
    @exclusivity(unchecked)
    private var length = 0
    @exclusivity(unchecked)
    private var pos = 0
    /// Stream offset of buf[0], to keep undecodable-byte offsets valid across compaction.
    @exclusivity(unchecked)
    private var base = 0
    @exclusivity(unchecked)
    private var nextLine = 1
    @exclusivity(unchecked)
    private var badOffsets: [Int] = []  // stream offsets, ascending
    /// Line ends are CR alone (classic Mac OS, some exporters): decided on the first line end,
    /// and then every CR decoded is read as LF. Stream offset of the first byte not yet looked at.
    @exclusivity(unchecked)
    private var lineEnds = LineEnds.undecided
    private var lineEndsFrom = 0
    /// Stream offset from which CRs are still to be turned into LFs (in a CR-only file).
    private var crToLineFeedFrom = 0
    private enum LineEnds { case undecided, lf, crOnly }
    @exclusivity(unchecked)
    private var badCursor = 0

    /// GB18030 bytes read but not yet decoded (a sequence cut by the chunk end stays here).
    @exclusivity(unchecked)
    private var raw: UnsafeMutablePointer<UInt8>
    /// Bytes read but not yet decoded, at `undecoded`.
    @exclusivity(unchecked)
    private var pending = 0
    /// A field with doubled quotes, undoubled; a record fits in `buf`, so a field fits here.
    @exclusivity(unchecked)
    private var unescaped: UnsafeMutablePointer<UInt8>
    /// Off only in tests that hold the fast split to the byte-by-byte one.
    var splitsUnquotedFast: Bool {
        get { tokenizer.splitsUnquotedFast }
        set { tokenizer.splitsUnquotedFast = newValue }
    }

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
        do {
            try SystemCall.seek(fd, to: start, path: path)
        } catch {
            throw InputFileError(error, offset: start)
        }
    }

    /// True once the first chunk has shown (or the caller forced) the encoding.
    var encodingDecided: Bool { decided && !undecodable }

    public init(path: String, encoding choice: EncodingChoice = .auto, hashing: Bool = false,
                chunkSize: Int = CSVReader.defaultChunkSize) throws(InputFileError) {
        self.path = path
        self.chunkSize = chunkSize
        digest = hashing ? SHA256() : nil
        self.choice = choice
        do {
            fd = try SystemCall.open(path, O_RDONLY | O_CLOEXEC)
        } catch {
            throw InputFileError(error)
        }
        // Only to size tables: a file whose size cannot be told is read all the same.
        fileSize = (try? SystemCall.size(fd, path: path)) ?? 0
        capacity = 2 * chunkSize + 16
        buf = .allocate(capacity: capacity)
        raw = .allocate(capacity: chunkSize + 8)
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
    }

    // MARK: Reading and decoding

    /// Reads one chunk and appends its decoded bytes to `buf`. Returns false at end of file;
    /// throws when read(2) fails, with the offset it failed at.
    private func fill() throws(InputFileError) -> Bool {
        if sawEOF && pending == 0 { return false }
        if !sawEOF {
            var want = chunkSize - pending
            if let limit, endOffset == nil, !limit.admit(upTo: bytesRead + Int64(want)) {
                endOffset = limit.wait()?.offset ?? .max
            }
            if let endOffset { want = Int(min(Int64(want), max(0, endOffset - bytesRead))) }
            if want == 0 { sawEOF = true }
            if decodesInPlace { ensureCapacity(length + pending + want + 8) }
            let target = (decodesInPlace ? buf + length : raw) + pending
            var got = 0
            while got < want {
                let n: Int
                do {
                    n = try readChunk(fd, target + got, want - got, path)
                } catch {
                    throw InputFileError(error, offset: bytesRead + Int64(got))
                }
                if n == 0 { sawEOF = true; break }
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
            settleLineEnds()
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
        settleLineEnds()
        if consumed < pending { raw.update(from: raw + consumed, count: pending - consumed) }
        pending -= consumed
        return written > 0 || !(sawEOF && pending == 0)
    }

    /// Decides, on the file's first CR or LF, whether lines end with CR alone; in such a file
    /// turns each CR decoded since the last call into LF, so that the tokenizer, line numbers
    /// and quoted line breaks work as in any other file. Decided before the tokenizer can end
    /// a record (it ends records at LF only), so every CR of the file is read the same way.
    /// The fingerprint is of the bytes as read.
    private func settleLineEnds() {
        if lineEnds == .lf { return }
        var k = max(lineEndsFrom - base, 0)
        if lineEnds == .undecided {
            while k < length {
                if buf[k] == CSVReader.lf { lineEnds = .lf; return }
                if buf[k] == CSVReader.cr {
                    if k + 1 < length { lineEnds = buf[k + 1] == CSVReader.lf ? .lf : .crOnly; break }
                    if sawEOF && pending == 0 { lineEnds = .crOnly; break }
                    lineEndsFrom = base + k  // look again when the next byte is there
                    return
                }
                k += 1
            }
            if lineEnds != .crOnly {
                lineEndsFrom = base + length
                return
            }
        }
        k = max(crToLineFeedFrom - base, 0)
        while k < length {
            if buf[k] == CSVReader.cr { buf[k] = CSVReader.lf }
            k += 1
        }
        crToLineFeedFrom = base + length
    }

    /// UTF-8 is checked where it was read, in `buf` after the decoded text; GB18030 is read
    /// into `raw` and decoded into `buf`. Copying UTF-8 across would cost a tenth of reading.
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
        // Whichever of the two decodes the chunk with fewer errors; a few bad bytes (a stray
        // byte, a character cut by the file's end, a row saved in the other encoding) then
        // spoil their rows only (IN002 a row), in either encoding.
        let census = UTF8Validator.census(p, count: pending, atEnd: sawEOF)
        if census.malformed == 0 { return }
        let decoder = GB18030Decoder()
        let gbErrors = decoder?.errors(p, count: pending, atEnd: sawEOF) ?? .max
        if let decoder, gbErrors < census.malformed {
            // Text, not noise: at most one bad byte in eight of those outside ASCII.
            let nonASCII = (0..<pending).reduce(0) { $0 + (p[$1] >= 0x80 ? 1 : 0) }
            guard gbErrors * 8 <= nonASCII else { undecodable = true; return }
            encoding = .gb18030
            gb = decoder
            raw.update(from: p, count: pending)  // read in place while undecided: decode from `raw` now
        } else if census.multiByte <= 4 * census.malformed {
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

    /// Advances to the next non-blank record. Returns false at end of file; throws when the
    /// file cannot be read on (never a shorter file).
    public func next() throws(InputFileError) -> Bool {
        while true {
            switch scanRecord() {
            case .record:
                if isBlankRecord() { continue }
                return true
            case .needMore:
                compact(keepFrom: pos)
                if try !fill() {
                    if pos < length { continue }  // scan the last record with sawEOF set
                    return false
                }
            case .end:
                return false
            }
        }
    }

    private enum ScanResult { case record, needMore, end }

    private static let quote: UInt8 = 0x22, lf: UInt8 = 0x0A, cr: UInt8 = 0x0D

    /// Splits the record starting at `pos`. Needs the whole record in the buffer; asks for
    /// more when it runs off the end before the end of the file.
    private func scanRecord() -> ScanResult {
        let atEOF = sawEOF && pending == 0
        if pos >= length { return atEOF ? .end : .needMore }
        switch tokenizer.readRecord(buf, from: pos, end: length, atEnd: atEOF, into: fields) {
        case .needMore:
            return .needMore
        case let .record(next, lines, recordProblem):
            accept(next: next, lines: lines, problem: recordProblem)
        case let .unterminatedQuote(next, withinLimit):
            if withinLimit && abandonSplit() { return .needMore }
            // The record's first line alone, marked; reading resumes after it.
            accept(next: next, lines: 0, problem: .unterminatedQuote)
        }
        return .record
    }

    private func accept(next: Int, lines: Int, problem recordProblem: RecordProblem?) {
        recordStart = pos
        problem = recordProblem
        line = nextLine
        endLine = nextLine + lines
        nextLine = endLine + 1
        pos = next
        markDecodeErrors(upTo: next)
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
    func hashRest() throws(InputFileError) {
        guard digest != nil, let endOffset, endOffset != .max else { return }
        var offset = endOffset
        while true {
            let n: Int
            do {
                n = try readChunk(fd, raw, chunkSize, path)
            } catch {
                throw InputFileError(error, offset: offset)
            }
            if n == 0 { break }
            digest?.update(raw, count: n)
            offset += Int64(n)
        }
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
        problem == nil && CSVTokenizer.isBlank(buf, fields)
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
