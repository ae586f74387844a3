import Foundation
import Synchronization

/// How one input file is read: opened, decoded, its header mapped, and each row checked
/// (IN001–IN010) and parsed. A value each reading thread holds a copy of: it writes only to
/// the `FileRead` and the book it returns, so files can be read at once.
struct FileReading: Sendable {
    let settings: Settings
    let encoding: EncodingChoice
    let fileExists: @Sendable (String) -> Bool
    /// Fingerprint every input (SHA-256) while reading it.
    let hashing: Bool
    /// Keep the vouchers of transfers.csv and receipts.csv once read: receipts name the
    /// senders' vouchers, and the matching sheets show both.
    let keepsVouchers: Bool
    let tally: ReadTally?
    /// The units and projects read so far, which rows refer to.
    let scope: LoadedScope
    /// The part of receipts.csv being read.
    var receiptPart = 0
    /// What the earlier parts of receipts.csv admitted: the parts share one limit
    /// (`amountLimit`), as they are one file to the rules' sums.
    var admittedBefore: Fen = 0
    /// The packing of the sender's vouchers the earlier parts of receipts.csv left.
    var refPackingBefore = WrittenVouchers.Packing()

    init(settings: Settings, encoding: EncodingChoice, fileExists: @escaping @Sendable (String) -> Bool, hashing: Bool,
         keepsVouchers: Bool, tally: ReadTally?, scope: LoadedScope) {
        self.settings = settings
        self.encoding = encoding
        self.fileExists = fileExists
        self.hashing = hashing
        self.keepsVouchers = keepsVouchers
        self.tally = tally
        self.scope = scope
    }

    /// receipts.csv's parts, one after another, into one book: each part a file of its own
    /// (its accounting, findings, vouchers and fingerprint), its rows told apart by part. A
    /// part left out whole takes its rows out of the book again. The rows go into the book on
    /// a thread of their own (`HandOff`), as transfers.csv's do: beside a province's transfers,
    /// the receivers' books are the read that ends last, and this lets both cores share it.
    func streamReceipts(_ parts: [String], into make: (@Sendable () -> ReceiptBook)?) -> ([FileRead], ReceiptBook?) {
        guard let make else { return (parts.map { open(.receipts, $0, expected: false, RowSinks()) }, nil) }
        var book = make()
        var reads: [FileRead] = []
        var admitted: Fen = 0
        var packing = WrittenVouchers.Packing()
        for (k, path) in parts.enumerated() {
            var reading = self
            reading.receiptPart = k
            reading.admittedBefore = admitted
            reading.refPackingBefore = packing
            packing = WrittenVouchers.Packing()
            let handOff = HandOff(consume book)
            var sinks = RowSinks()
            sinks.receipt = handOff.add
            sinks.expect = handOff.expect
            var read = reading.open(.receipts, path, expected: false, sinks)
            swap(&packing, &read.refPacking)
            book = handOff.finish()
            if read.stats.present && !read.stats.isUsable {
                packing.keepOthers(book.dropPart(k))
            } else {
                admitted = read.amountTotal
            }
            reads.append(read)
        }
        book.finish()
        book.adoptRefPacking(packing)
        return (reads, book)
    }

    /// Reads a streamed file into a book of its own, made by `make`, and hands both back;
    /// without `make`, the rows are checked and go nowhere. `handOff`: the book is filled on a
    /// second thread while this one reads. `finish`: finish the book (not the first part of a
    /// split file, whose book must first take in the second part's).
    func stream<Book: RowBook>(_ file: InputFile, _ path: String, expected: Bool, into make: (@Sendable () -> Book)?,
                               sink: WritableKeyPath<RowSinks, ((Book.Row) -> Void)?>, handOff: Bool,
                               limit: SplitPoint? = nil, finish: Bool = true) -> (FileRead, Book?) {
        guard let make else { return (open(file, path, expected: expected, RowSinks(), limit: limit), nil) }
        var sinks = RowSinks()
        if handOff {
            let handOff = HandOff(make())
            sinks[keyPath: sink] = handOff.add
            sinks.expect = handOff.expect
            let read = open(file, path, expected: expected, sinks, limit: limit)
            var book = handOff.finish()
            guard !read.stats.rejectedWhole else { return (read, nil) }
            if finish { book.finish() }
            return (read, book)
        }
        let inHand = BookInHand(make())
        sinks[keyPath: sink] = inHand.add
        sinks.expect = inHand.expect
        let read = open(file, path, expected: expected, sinks, limit: limit)
        guard !read.stats.rejectedWhole, var book = inHand.take() else { return (read, nil) }
        if finish { book.finish() }
        return (read, book)
    }

    /// Reads one file into its own findings and voucher table; accepted rows of a streamed
    /// file go to `sinks`. `limit`: the first part of a split file, up to the split.
    func open(_ file: InputFile, _ path: String, expected: Bool, _ sinks: RowSinks, limit: SplitPoint? = nil) -> FileRead {
        var read = FileRead(stats: FileStats(file: file, path: path))
        read.amountTotal = admittedBefore
        read.refPacking = refPackingBefore
        guard fileExists(path) else {
            if expected {
                read.log.add(Finding(.IN001, Message(zh: "缺少必需的文件 \(file.fileName)", en: "required file \(file.fileName) is missing"),
                                     at: SourceRef(file: path)))
            }
            return read
        }
        read.stats.present = true
        let reader: CSVReader
        do {
            reader = try CSVReader(path: path, encoding: encoding, hashing: hashing)
        } catch {
            read.stats.rejectedWhole = true
            read.log.add(Finding(.IN001, Message(zh: "无法打开 \(file.fileName)：\(error.reason)", en: "cannot open \(file.fileName): \(error.reason)"),
                                 at: SourceRef(file: path)))
            return read
        }
        reader.limit = limit
        do throws(InputFileError) {
            try self.read(file, reader, &read, sinks)
            try reader.hashRest()
        } catch {
            return Self.failed(read, file, error)
        }
        // IN003 is done with the voucher table (unless the file's second part must be checked
        // against it): drop it before the ledger groups the file's rows.
        if limit == nil && !(keepsVouchers && (file == .transfers || file == .receipts)) { read.vouchers = VoucherRegistry() }
        read.splitAbandoned = reader.splitAbandoned
        read.stats.encoding = reader.encoding
        read.stats.bytes = reader.bytesRead
        read.stats.sha256 = reader.digest?.hex()
        return read
    }

    /// A file that could not be read to its end: none of its rows are used, those read before
    /// the failure included, and the finding says where it failed.
    static func failed(_ read: FileRead, _ file: InputFile, _ error: InputFileError) -> FileRead {
        var failed = FileRead(stats: read.stats)
        failed.log = read.log
        failed.stats.rejectedWhole = true
        failed.stats.rowsRejected = failed.stats.rowsRead
        let offset = error.offset ?? 0
        failed.log.add(Finding(.IN001, Message(
            zh: "读取 \(file.fileName) 时出错（第 \(offset) 字节处）：\(error.reason)；本文件的行一律未使用",
            en: "cannot read \(file.fileName) at byte \(offset): \(error.reason); none of its rows are used"),
            at: SourceRef(file: read.stats.path)))
        return failed
    }

    private func read(_ file: InputFile, _ reader: CSVReader, _ read: inout FileRead, _ sinks: RowSinks) throws(InputFileError) {
        let path = read.stats.path
        guard try reader.next() else {
            read.stats.rejectedWhole = true
            read.log.add(Finding(.IN001, Message(zh: "\(file.fileName) 是空文件，没有表头行", en: "\(file.fileName) is empty: no header row"),
                            at: SourceRef(file: path, line: 1)))
            return
        }
        if reader.undecodable {
            read.stats.rejectedWhole = true
            read.log.add(Finding(.IN002, Message(
                zh: "\(file.fileName) 既不是 UTF-8 也不是 GB18030 编码，整个文件未读取；请另存为“CSV UTF-8”",
                en: "\(file.fileName) is neither UTF-8 nor GB18030; the file was not read. Save it as \"CSV UTF-8\""),
                at: SourceRef(file: path)))
            try countRest(reader, &read.stats)
            return
        }
        let header = HeaderMap(cells: (0..<reader.fieldCount).map { reader.string($0) }, file: file)
        for f in header.findings(reader, file: file, path: path) { read.log.add(f) }
        if header.isUnusable {
            read.stats.rejectedWhole = true
            try countRest(reader, &read.stats)
            return
        }
        var row = RowCheck(reader: reader, header: header, file: file, path: path, unit: settings.unit, refs: References(scope))
        if file.isStreamed {
            let estimate = reader.estimatedRecords
            // A first part's own vouchers; the ledger takes the whole file's rows in the end.
            read.vouchers.reserve(reader.limit.map { reader.estimatedRecords(inBytes: $0.guess) } ?? estimate)
            sinks.expect?(estimate)
        }
        if file == .plan { read.plan.reserveCapacity(reader.estimatedRecords) }
        if file == .entities {
            // Sized once: grown by doubling, half a million units are copied over and over.
            read.entities.reserveCapacity(reader.estimatedRecords)
            read.entityRefs.reserve(reader.estimatedRecords)
        }
        if file == .projects { read.projectRefs.reserve(reader.estimatedRecords) }
        while try reader.next() {
            take(file, &row, &read, sinks)
            if read.stats.rowsRead & 0x3FFF == 0 { tally?.report(file, read.stats.rowsRead, reader.bytesRead) }
        }
        if read.stats.rowsRead == 0 && header.isMostlyUnknown && reader.limit == nil {
            read.stats.rejectedWhole = true
            read.log.add(Finding(.IN001, Message(
                zh: "\(file.fileName) 只有一行，且其中多数列名无法识别：可能不是\(file.chineseName)文件，或整个文件被读成了一行",
                en: "\(file.fileName) has a single line, and most of its column names are unknown: it may not be a \(file.rawValue) file, or the whole file was read as one line"),
                at: SourceRef(file: path, line: 1)))
        }
    }

    /// Checks the reader's current row and hands it on when it is accepted.
    func take(_ file: InputFile, _ row: inout RowCheck, _ read: inout FileRead, _ sinks: RowSinks) {
        read.stats.rowsRead += 1
        row.begin()
        if row.checkShape() {
            switch file {
            case .entities: readEntity(&row, &read)
            case .projects: readProject(&row, &read)
            case .plan: readPlanLine(&row, &read)
            case .transfers: readTransfer(&row, &read, sinks.transfer)
            case .spending: readSpending(&row, &read, sinks.spending)
            case .receipts: readReceipt(&row, &read, sinks.receipt)
            case .indicators: readIndicator(&row, &read)
            }
        }
        if row.rejected {
            read.stats.rowsRejected += 1
            if row.defersDuplicates { read.rejectedLines.append(Int32(clamping: row.line)) }
        }
        if let d = row.deferredDuplicate { read.deferred.append(d) }
        if !row.findings.isEmpty {
            for f in row.findings { read.log.add(f) }
        }
    }

    /// Counts the rows of a file left out whole, so rows read = used + rejected still holds.
    private func countRest(_ reader: CSVReader, _ stats: inout FileStats) throws(InputFileError) {
        while try reader.next() {
            stats.rowsRead += 1
            stats.rowsRejected += 1
        }
    }
}

/// Tells `ReadProgress` how far the reading threads have got, one call at a time, a split
/// file's two parts added up so that it counts up as one file.
final class ReadTally: Sendable {
    private let progress: ReadProgress
    private let parts = Mutex<[InputFile: [(rows: Int, bytes: Int64)]]>([:])

    init(_ progress: @escaping ReadProgress) { self.progress = progress }

    /// `part`: 0, or 1 for the end of a split transfers.csv.
    func report(_ file: InputFile, part: Int = 0, _ rows: Int, _ bytes: Int64) {
        parts.withLock { parts in
            var these = parts[file] ?? [(0, 0), (0, 0)]
            if these.indices.contains(part) { these[part] = (rows, bytes) }
            parts[file] = these
            progress(file, these.reduce(0) { $0 + $1.rows }, these.reduce(0) { $0 + $1.bytes })
        }
    }
}
