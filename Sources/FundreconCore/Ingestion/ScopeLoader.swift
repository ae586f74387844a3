import Foundation

/// Reads a scope's files in order and applies the input rules (IN001–IN010) row by row.
/// A row with any IN finding is rejected: counted, reported, and kept out of every sum.
public final class ScopeLoader {
    public internal(set) var scope = LoadedScope()
    public internal(set) var log = FindingLog()
    let settings: Settings
    let encoding: EncodingChoice
    let fileExists: (String) -> Bool
    /// Fingerprint every input (SHA-256) while reading it.
    public var hashing = false
    /// Called from the reading threads, one call at a time.
    public var progress: ReadProgress?
    let progressLock = NSLock()
    var progressParts: [InputFile: [(rows: Int, bytes: Int64)]] = [:]
    /// When and how transfers.csv is read by two threads.
    public var split = ReadSplit.standard

    public init(settings: Settings, encoding: EncodingChoice = .auto, fileExists: @escaping (String) -> Bool) {
        self.settings = settings
        self.encoding = encoding
        self.fileExists = fileExists
    }

    /// Reads units and projects first (later files refer to them), then the plan, transfers
    /// and spending at the same time, a thread each, then the indicators.
    public func load(_ sources: ScopeSources, sinks: RowSinks = RowSinks()) {
        func expected(_ file: InputFile) -> Bool { sources.expectsAllRequired && file.isRequired }
        for file in [InputFile.entities, .projects] {
            guard let path = sources.paths[file] else { continue }
            keep(open(file, path, expected: expected(file), sinks))
            // Later files refer to units and projects by their place in the hierarchy.
            if file == .entities { resolveEntityParents() }
            if file == .projects { resolveProjectParents() }
        }
        // The plan, transfers and spending each refer only to units and projects.
        let streamed = [InputFile.plan, .transfers, .spending].compactMap { file in sources.paths[file].map { (file, $0) } }
        if let path = sources.paths[.transfers], sinks.transferTail != nil || sinks.transfer == nil,
           let split = planSplit(path, otherBytes: streamed.reduce(0) { $0 + otherWork($1, sinks) }) {
            loadSplit(split, streamed, expected: expected, sinks)
        } else {
            loadTogether(streamed, expected: expected, sinks)
        }
        if let path = sources.paths[.indicators] {
            keep(open(.indicators, path, expected: expected(.indicators), sinks))
        }
    }

    /// The plan, transfers and spending, a thread each.
    func loadTogether(_ streamed: [(InputFile, String)], expected: (InputFile) -> Bool, _ sinks: RowSinks) {
        let reads = Concurrently.mapSharing(streamed) { file, path in
            guard file == .transfers, let sink = sinks.transfer else {
                let read = self.open(file, path, expected: expected(file), sinks)
                sinks.finished?(file)
                return read
            }
            // The longest file: its rows go to the ledger on a thread of their own.
            let handOff = HandOff(sink)
            var own = sinks
            own.transfer = handOff.add
            let read = self.open(file, path, expected: expected(file), own)
            handOff.finish()
            sinks.finished?(.transfers)
            return read
        }
        reads.forEach(keep)
    }

    func keep(_ read: FileRead) {
        scope.stats.append(read.stats)
        log.append(read.log)
        if read.stats.file == .plan { scope.plan = read.plan }
    }

    /// Reads one file into its own findings and voucher table: touches nothing shared but
    /// the sinks of its own file, so transfers and spending can be read at once.
    func open(_ file: InputFile, _ path: String, expected: Bool, _ sinks: RowSinks, limit: SplitPoint? = nil) -> FileRead {
        var read = FileRead(stats: FileStats(file: file, path: path))
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
        self.read(file, reader, &read, sinks)
        // IN003 is done with the voucher table (unless the file's second part must be checked
        // against it): drop it before the ledger groups the file's rows.
        if limit == nil { read.vouchers = VoucherRegistry() }
        read.splitAbandoned = reader.splitAbandoned
        reader.hashRest()
        read.stats.encoding = reader.encoding
        read.stats.bytes = reader.bytesRead
        read.stats.sha256 = reader.digest?.hex()
        return read
    }

    /// Tells progress for one part of a file (0, or 1 for the end of a split transfers.csv)
    /// as the sum of its parts, so a split file counts up as one.
    func report(_ file: InputFile, part: Int = 0, _ rows: Int, _ bytes: Int64) {
        guard let progress else { return }
        progressLock.withLock {
            var parts = progressParts[file] ?? [(0, 0), (0, 0)]
            if parts.indices.contains(part) { parts[part] = (rows, bytes) }
            progressParts[file] = parts
            progress(file, parts.reduce(0) { $0 + $1.rows }, parts.reduce(0) { $0 + $1.bytes })
        }
    }

    // MARK: One file

    func read(_ file: InputFile, _ reader: CSVReader, _ read: inout FileRead, _ sinks: RowSinks) {
        let path = read.stats.path
        guard reader.next() else {
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
            countRest(reader, &read.stats)
            return
        }
        let header = HeaderMap(cells: (0..<reader.fieldCount).map { reader.string($0) }, file: file)
        for f in header.findings(reader, file: file, path: path) { read.log.add(f) }
        if !header.missing.isEmpty {
            read.stats.rejectedWhole = true
            countRest(reader, &read.stats)
            return
        }
        var row = RowCheck(reader: reader, header: header, file: file, path: path, unit: settings.unit, refs: References(scope))
        if file == .transfers || file == .spending {
            let estimate = reader.estimatedRecords
            // A first part's own vouchers; the ledger takes the whole file's rows in the end.
            read.vouchers.reserve(reader.limit.map { reader.estimatedRecords(inBytes: $0.guess) } ?? estimate)
            sinks.expect?(file, estimate)
        }
        if file == .plan { read.plan.reserveCapacity(reader.estimatedRecords) }
        if file == .entities {
            // Sized once: grown by doubling, half a million units are copied over and over.
            scope.entities.reserveCapacity(reader.estimatedRecords)
            scope.entityRefs.reserve(reader.estimatedRecords)
        }
        if file == .projects { scope.projectRefs.reserve(reader.estimatedRecords) }
        while reader.next() {
            take(file, &row, &read, sinks)
            if read.stats.rowsRead & 0x3FFF == 0 { report(file, read.stats.rowsRead, reader.bytesRead) }
        }
    }

    /// Checks the reader's current row and hands it on when it is accepted.
    func take(_ file: InputFile, _ row: inout RowCheck, _ read: inout FileRead, _ sinks: RowSinks) {
        read.stats.rowsRead += 1
        row.begin()
        if row.checkShape() {
            switch file {
            case .entities: readEntity(&row, &read)
            case .projects: readProject(&row)
            case .plan: readPlanLine(&row, &read)
            case .transfers: readTransfer(&row, &read, sinks.transfer)
            case .spending: readSpending(&row, &read, sinks.spending)
            case .indicators: readIndicator(&row)
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
    func countRest(_ reader: CSVReader, _ stats: inout FileStats) {
        while reader.next() {
            stats.rowsRead += 1
            stats.rowsRejected += 1
        }
    }
}
