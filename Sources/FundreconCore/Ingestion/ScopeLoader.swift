import Foundation

/// Where each input file of a scope is read from.
public struct ScopeSources: Sendable {
    public var paths: [InputFile: String]
    /// Files whose absence is an IN001 finding (a whole input folder); naming single files
    /// on the command line checks only those.
    public var expectsAllRequired: Bool

    public init(paths: [InputFile: String], expectsAllRequired: Bool) {
        self.paths = paths
        self.expectsAllRequired = expectsAllRequired
    }

    /// Every file of the spec in one folder.
    public static func folder(_ dir: String, existing: (String) -> Bool) -> ScopeSources {
        var paths: [InputFile: String] = [:]
        for file in InputFile.allCases {
            let path = joinPath(dir, file.fileName)
            if existing(path) || file.isRequired { paths[file] = path }
        }
        return ScopeSources(paths: paths, expectsAllRequired: true)
    }

    public static func joinPath(_ dir: String, _ name: String) -> String {
        if dir.isEmpty || dir == "." { return name }
        return dir.hasSuffix("/") ? dir + name : dir + "/" + name
    }
}

/// Told now and then how far reading has got: the file, its rows so far, bytes so far.
public typealias ReadProgress = (_ file: InputFile, _ rows: Int, _ bytes: Int64) -> Void

/// Callbacks for the rows that are streamed, not kept.
public struct RowSinks {
    public var transfer: ((TransferRow) -> Void)?
    public var spending: ((SpendingRow) -> Void)?
    /// Told how many rows a streamed file probably holds before its first row, to size tables.
    public var expect: ((InputFile, Int) -> Void)?
    /// Told when a streamed file's last row has been delivered (or the file had none).
    public var finished: ((InputFile) -> Void)?
    /// Where a second reader of transfers.csv (its end, read at the same time as its
    /// beginning) sends its rows; nil: the file is read by one thread.
    public var transferTail: (() -> TransferTail)?
    public init(transfer: ((TransferRow) -> Void)? = nil, spending: ((SpendingRow) -> Void)? = nil,
                expect: ((InputFile, Int) -> Void)? = nil, finished: ((InputFile) -> Void)? = nil) {
        self.transfer = transfer
        self.spending = spending
        self.expect = expect
        self.finished = finished
    }
}

/// The rows of the end of transfers.csv, kept apart until the beginning has been read.
public struct TransferTail {
    public let expect: (Int) -> Void
    public let add: (TransferRow) -> Void
    /// Folds the rows in after the beginning's, leaving out the lines given (their voucher
    /// turned out to be used in the beginning).
    public let absorb: (Set<Int>) -> Void

    public init(expect: @escaping (Int) -> Void, add: @escaping (TransferRow) -> Void, absorb: @escaping (Set<Int>) -> Void) {
        self.expect = expect
        self.add = add
        self.absorb = absorb
    }
}

/// One file's share of a load: its accounting, findings, voucher table and plan lines, kept
/// apart until the file is done so that files can be read at once.
struct FileRead {
    var stats: FileStats
    var log = FindingLog()
    var vouchers = VoucherRegistry()
    /// Document numbers of the plan, normalised once per spelling and then shared: a province's
    /// plan repeats a few hundred of them (a plan of all-different numbers keeps them anyway).
    var documents = WordCache(limit: .max) { text -> String? in
        let trimmed = text.trimmingBlanks()
        return trimmed.isEmpty ? nil : ValueParsers.normalizeDocument(trimmed)
    }
    var methods = WordCache { text -> MethodCell? in
        let trimmed = text.trimmingBlanks()
        if trimmed.isEmpty { return .empty }
        return AllocationMethod(text: trimmed).map(MethodCell.known) ?? .unknown(trimmed)
    }
    var plan: [PlanLine] = []
    var transferStatuses = WordCache { TransferStatus(text: $0) }
    var spendingStatuses = WordCache { SpendingStatus(text: $0) }
    var levels = WordCache { Level(text: $0) }
    // The second part of a split file only: what the first part decides.
    var deferred: [DeferredDuplicate] = []
    var rejectedLines: [Int32] = []
    /// The first part of a split file ran on to the end (see `CSVReader.splitAbandoned`).
    var splitAbandoned = false
}

/// A plan line's allocation method as written: nothing, a method, or words that name none.
enum MethodCell {
    case empty
    case known(AllocationMethod)
    case unknown(String)
}

/// transfers.csv read by two threads at once: the first from the beginning to `point`, the
/// second from there to the end (after the plan and spending, so the two threads finish
/// together). The second part's rows are checked against the first part's vouchers once
/// both are read.
private struct PlannedSplit {
    let path: String
    let size: Int64
    let point: SplitPoint
    let header: HeaderMap
    let encoding: TextEncoding
}

/// Reads a scope's files in order and applies the input rules (IN001–IN010) row by row.
/// A row with any IN finding is rejected: counted, reported, and kept out of every sum.
public final class ScopeLoader {
    public private(set) var scope = LoadedScope()
    public private(set) var log = FindingLog()
    private let settings: Settings
    private let encoding: EncodingChoice
    private let fileExists: (String) -> Bool
    /// Fingerprint every input (SHA-256) while reading it.
    public var hashing = false
    /// Called from the reading threads, one call at a time.
    public var progress: ReadProgress?
    private let progressLock = NSLock()
    private var progressParts: [InputFile: [(rows: Int, bytes: Int64)]] = [:]
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
    private func loadTogether(_ streamed: [(InputFile, String)], expected: (InputFile) -> Bool, _ sinks: RowSinks) {
        let reads = Concurrently.map(streamed) { file, path in
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

    /// What the second thread's other files weigh against bytes of transfers.csv, for a first
    /// guess of the split (a balanced split is placed later, from where the first thread
    /// stands): from where each thread stood when the other finished at 10^7 rows, a plan line
    /// costs about three times its bytes; a spending row that goes to the ledger (reconcile)
    /// about 1.3 times, one that is only checked about the same.
    private func otherWork(_ file: (InputFile, String), _ sinks: RowSinks) -> Int64 {
        switch file.0 {
        case .transfers: return 0
        case .plan: return fileSize(file.1) * 3
        case .spending: return sinks.spending == nil ? fileSize(file.1) : fileSize(file.1) * 13 / 10
        default: return fileSize(file.1)
        }
    }

    private func fileSize(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }

    /// A split of transfers.csv that balances the two threads, when the file is big enough
    /// and its beginning tells its encoding and header (the second reader starts mid-file).
    private func planSplit(_ path: String, otherBytes: Int64) -> PlannedSplit? {
        let size = fileSize(path)
        guard size >= split.from else { return nil }
        // The first thread reads [0, target); the second the other files, then the rest.
        let target = (size + otherBytes) / 2
        guard target < size - min(size / 8, 1 << 20) else { return nil }
        guard let probe = try? CSVReader(path: path, encoding: encoding), probe.next(), probe.encodingDecided,
              probe.problem == nil else { return nil }
        let header = HeaderMap(cells: (0..<probe.fieldCount).map { probe.string($0) }, file: .transfers)
        guard header.missing.isEmpty else { return nil }
        return PlannedSplit(path: path, size: size, point: SplitPoint(guess: target, fixed: !split.balanced), header: header,
                            encoding: probe.encoding)
    }

    private func loadSplit(_ split: PlannedSplit, _ streamed: [(InputFile, String)], expected: (InputFile) -> Bool, _ sinks: RowSinks) {
        let others = streamed.filter { $0.0 != .transfers }
        let tail = sinks.transferTail?()
        var parts = Concurrently.map([0, 1]) { worker -> [FileRead] in
            if worker == 0 {
                return [self.open(.transfers, split.path, expected: expected(.transfers), sinks, limit: split.point)]
            }
            // A fixed split is found first, so that the first thread need not wait for it.
            var tailReader = split.point.isFixed ? self.startTail(split) : nil
            var reads = others.map { file, path in
                let read = self.open(file, path, expected: expected(file), sinks)
                sinks.finished?(file)
                return read
            }
            if !split.point.isFixed { tailReader = self.startTail(split) }
            if let tailReader { reads.append(self.readTail(split, tailReader, tail)) }
            return reads
        }
        guard parts.count == 2, var head = parts[0].first else { return }
        var done = parts[1]
        parts = []  // the tables below are then held once, and let go when done with
        if done.count > others.count, var rest = done.popLast(), !head.splitAbandoned {
            if head.stats.isUsable {
                head.stats.readers = 2
                let dropped = settle(&head, rest, split)
                // The voucher tables are done with: let them go before the ledger takes the rows.
                head.vouchers = VoucherRegistry()
                rest = FileRead(stats: rest.stats)
                tail?.absorb(dropped)
            } else {
                // Cannot happen for a file whose beginning was checked, but count every row.
                head.stats.rowsRead += rest.stats.rowsRead
                head.stats.rowsRejected += rest.stats.rowsRead
            }
        }
        head.vouchers = VoucherRegistry()
        sinks.finished?(.transfers)
        var next = 0
        for (file, _) in streamed {
            if file == .transfers {
                keep(head)
            } else if next < done.count {
                keep(done[next])
                next += 1
            }
        }
    }

    /// Places the split and publishes it; the reader of the second part, or nil when the first
    /// thread reads the whole file.
    private func startTail(_ split: PlannedSplit) -> CSVReader? {
        var boundary = split.point.propose(size: split.size, headShare: balancedHeadShare, minimumRest: ScopeLoader.minimumTail)
            .flatMap { FileSplit.boundary(path: split.path, target: $0) }
            .flatMap { $0.offset < split.size ? $0 : nil }
        // Opened before the split is told, so that a file that cannot be opened twice is read
        // whole by the first thread instead of losing its end.
        let tailReader = boundary.flatMap { try? CSVReader(path: split.path, from: $0.offset, line: $0.line, encoding: split.encoding) }
        if tailReader == nil { boundary = nil }
        split.point.publish(boundary)
        return tailReader
    }

    /// Less than this left to read is not worth a second reader.
    static let minimumTail: Int64 = 4 << 20

    /// The first thread's share of what is left when the second is ready, from where each
    /// thread stood when the other finished at 10^7 rows (check: both parts read at the same
    /// rate; reconcile: the first thread also fingerprints the second part after its own, as
    /// SHA-256 runs in file order, so it takes less).
    private var balancedHeadShare: Double { hashing ? 0.44 : 0.5 }

    /// The second part of a split transfers.csv, from `boundary` to the end.
    private func readTail(_ split: PlannedSplit, _ reader: CSVReader, _ tail: TransferTail?) -> FileRead {
        var read = FileRead(stats: FileStats(file: .transfers, path: split.path))
        var row = RowCheck(reader: reader, header: split.header, file: .transfers, path: split.path, unit: settings.unit, refs: References(scope))
        row.defersDuplicates = true
        var sinks = RowSinks()
        sinks.transfer = tail?.add
        while reader.next() {
            if read.stats.rowsRead == 0 {
                let estimate = reader.estimatedRecords
                read.vouchers.reserve(estimate)
                tail?.expect(estimate)
            }
            take(.transfers, &row, &read, sinks)
            if read.stats.rowsRead & 0x3FFF == 0 { report(.transfers, part: 1, read.stats.rowsRead, reader.bytesRead) }
        }
        read.stats.bytes = reader.bytesRead
        return read
    }

    /// IN003 across the two parts of a split file: a voucher of the second part that the first
    /// part used is a repeat from its first row in the second part on, and its repeats there
    /// name the first part's line. Takes the second part's counts and findings into the
    /// first's; returns the lines to leave out of the ledger.
    private func settle(_ head: inout FileRead, _ tail: FileRead, _ split: PlannedSplit) -> Set<Int> {
        let path = split.path
        let repeats = tail.vouchers.repeats(of: head.vouchers)
        let firstInHead = Dictionary(repeats.map { ($0.line, $0.earlier) }, uniquingKeysWith: { a, _ in a })
        for d in tail.deferred {
            let earlier = firstInHead[d.earlier] ?? d.earlier
            head.log.add(Finding(.IN003, RowCheck.duplicateVoucher(d.voucher, earlier: earlier), at: d.at,
                                 related: [SourceRef(file: path, line: earlier)]))
        }
        var unreported = firstInHead
        if !repeats.isEmpty, let start = split.point.wait(),
           let reader = try? CSVReader(path: path, from: start.offset, line: start.line, encoding: split.encoding) {
            // Rare: read the part again for where each such row's voucher stands and how it reads.
            let field = split.header.index(of: .voucher) ?? -1
            while reader.next() {
                guard let earlier = unreported.removeValue(forKey: reader.line) else { continue }
                let loc = reader.location(ofField: field)
                let shown = RowCheck.shortened(reader.string(field).trimmingBlanks())
                head.log.add(Finding(.IN003, RowCheck.duplicateVoucher(shown, earlier: earlier),
                                     at: SourceRef(file: path, line: loc.line, column: loc.column),
                                     related: [SourceRef(file: path, line: earlier)]))
            }
        }
        // Should the file not open again, each row is still reported, by its line alone.
        for (line, earlier) in unreported.sorted(by: { $0.key < $1.key }) {
            head.log.add(Finding(.IN003, RowCheck.duplicateVoucher("", earlier: earlier), at: SourceRef(file: path, line: line),
                                 related: [SourceRef(file: path, line: earlier)]))
        }
        let dropped = Set(repeats.map(\.line)).subtracting(tail.rejectedLines.map(Int.init))
        head.stats.rowsRead += tail.stats.rowsRead
        head.stats.rowsRejected += tail.stats.rowsRejected + dropped.count
        head.stats.bytes += tail.stats.bytes
        head.log.append(tail.log)
        return dropped
    }

    private func keep(_ read: FileRead) {
        scope.stats.append(read.stats)
        log.append(read.log)
        if read.stats.file == .plan { scope.plan = read.plan }
    }

    /// Reads one file into its own findings and voucher table: touches nothing shared but
    /// the sinks of its own file, so transfers and spending can be read at once.
    private func open(_ file: InputFile, _ path: String, expected: Bool, _ sinks: RowSinks, limit: SplitPoint? = nil) -> FileRead {
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
    private func report(_ file: InputFile, part: Int = 0, _ rows: Int, _ bytes: Int64) {
        guard let progress else { return }
        progressLock.withLock {
            var parts = progressParts[file] ?? [(0, 0), (0, 0)]
            if parts.indices.contains(part) { parts[part] = (rows, bytes) }
            progressParts[file] = parts
            progress(file, parts.reduce(0) { $0 + $1.rows }, parts.reduce(0) { $0 + $1.bytes })
        }
    }

    // MARK: One file

    private func read(_ file: InputFile, _ reader: CSVReader, _ read: inout FileRead, _ sinks: RowSinks) {
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
        let cells = (0..<reader.fieldCount).map { reader.string($0) }
        let header = HeaderMap(cells: cells, file: file)
        let headerLine = reader.line
        for (i, text) in header.unknown {
            let loc = reader.location(ofField: i)
            read.log.add(Finding(.IN010, Message(zh: "未识别的列“\(text)”已忽略", en: "unknown column \"\(text)\" ignored"),
                            at: SourceRef(file: path, line: loc.line, column: loc.column)))
        }
        for (i, text) in header.repeated {
            let loc = reader.location(ofField: i)
            read.log.add(Finding(.IN010, Message(zh: "重复的列“\(text)”已忽略，使用前面的同名列", en: "repeated column \"\(text)\" ignored; the earlier one is used"),
                            at: SourceRef(file: path, line: loc.line, column: loc.column)))
        }
        if !header.missing.isEmpty {
            read.stats.rejectedWhole = true
            let names = header.missing.map { "\($0.column.rawValue)（\($0.aliases[0])）" }.joined(separator: "、")
            read.log.add(Finding(.IN001, Message(zh: "\(file.fileName) 缺少必需的列：\(names)，整个文件未读取",
                                            en: "\(file.fileName) lacks required columns: \(names); the file was not read"),
                            at: SourceRef(file: path, line: headerLine)))
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
            // Sized once: grown by doubling, half a million units were copied over and over.
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
    private func take(_ file: InputFile, _ row: inout RowCheck, _ read: inout FileRead, _ sinks: RowSinks) {
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
    private func countRest(_ reader: CSVReader, _ stats: inout FileStats) {
        while reader.next() {
            stats.rowsRead += 1
            stats.rowsRejected += 1
        }
    }

    // MARK: Rows of each file

    private func readEntity(_ row: inout RowCheck, _ read: inout FileRead) {
        // Every unit is new to the table, so its slot misses the cache: loaded while the
        // row's texts are made.
        let keyHash = scope.entityRefs.prefetch(row.value(.id))
        let id = row.requiredText(.id)
        let name = row.requiredText(.name)
        let level = read.levels.value(row.value(.level))
        let levelText = level == nil ? row.text(.level) ?? "" : ""
        if level == nil {
            row.fail(.IN007, .level, levelText.isEmpty
                     ? Message(zh: "层级为空（应为 省/市/县/单位）", en: "level is empty (province, city, county or grantee)")
                     : Message(zh: "无法识别的层级“\(levelText)”（应为 省/市/县/单位）", en: "unknown level \"\(levelText)\" (province, city, county or grantee)"))
        }
        let parent = row.text(.parent)
        guard let id, let name, let level, !row.rejected else { return }
        if row.value(.id).count != id.utf8.count { scope.entityRefs.keysAreTexts = false }
        if let earlier = registerKey(row, &scope.entityRefs, hash: keyHash) {
            reportDuplicateKey(&row, firstLine: scope.entities[earlier].line)
            return
        }
        scope.entityRefs.addName(name)
        scope.entities.append(Entity(id: id, name: name, level: level, parentRef: parent, line: row.line, parent: nil))
    }

    private func readProject(_ row: inout RowCheck) {
        let keyHash = scope.projectRefs.prefetch(row.value(.code))
        let code = row.requiredText(.code)
        let name = row.requiredText(.name)
        let budget = row.amount(.budget, required: false, allowNegative: false)
        let kindText = row.text(.kind) ?? ""
        let kind = ProjectKind(text: kindText)
        if kind == nil {
            row.fail(.IN007, .kind, Message(zh: "无法识别的项目类别“\(kindText)”（可留空，或填 工作经费）",
                                            en: "unknown project kind \"\(kindText)\" (leave empty, or work-expense)"))
        }
        let parent = row.text(.parent)
        guard let code, let name, let kind, !row.rejected else { return }
        if row.value(.code).count != code.utf8.count { scope.projectRefs.keysAreTexts = false }
        if let earlier = registerKey(row, &scope.projectRefs, hash: keyHash) {
            reportDuplicateKey(&row, firstLine: scope.projects[earlier].line)
            return
        }
        scope.projectRefs.addName(name)
        scope.projects.append(Project(code: code, name: name, parentRef: parent, budget: budget, kind: kind, line: row.line, parent: nil))
    }

    /// IN003: the key column must be new in this file; the first occurrence is kept.
    /// Returns nil when the key is new, else the index of the item that already has it.
    private func registerKey(_ row: RowCheck, _ refs: inout RefIndex, hash: UInt64) -> Int? {
        refs.register(row.value(row.keyColumn), hash: hash)
    }

    private func reportDuplicateKey(_ row: inout RowCheck, firstLine: Int) {
        let key = row.text(row.keyColumn) ?? ""
        row.fail(.IN003, row.keyColumn, Message(
            zh: "编码“\(key)”重复（第 \(firstLine) 行已使用），本行未使用",
            en: "duplicate key \"\(key)\" (already used on line \(firstLine)); this row is not used"),
            related: [SourceRef(file: row.path, line: firstLine)])
    }

    private func readPlanLine(_ row: inout RowCheck, _ read: inout FileRead) {
        let label = row.text(.line)
        let project = row.project(.project)
        let from = row.entity(.from)
        let to = row.entity(.to)
        let amount = row.amount(.amount, required: true, allowNegative: false)
        var method: AllocationMethod?
        switch read.methods.value(row.value(.method)) {
        case .known(let m): method = m
        case .unknown(let methodText):
            row.fail(.IN007, .method, Message(
                zh: "无法识别的分配方式“\(methodText)”（竞争性分配/因素分配/集体研究/后补助/戴帽）",
                en: "unknown allocation method \"\(methodText)\" (competitive, factor, collective, post-subsidy, earmarked)"))
        case .empty, nil: break
        }
        let document = read.documents.value(row.value(.document))
        let due = row.date(.due, required: false)
        if let from, let to { row.checkDirection(from: from, to: to) }
        guard !row.rejected, let project, let from, let to, let amount else { return }
        read.plan.append(PlanLine(label: label, project: project, from: from, to: to, amount: amount,
                                   method: method, document: document, due: due, line: row.line))
    }

    private func readTransfer(_ row: inout RowCheck, _ read: inout FileRead, _ sink: ((TransferRow) -> Void)?) {
        // The voucher table is the one big random access of the row: start loading its slot,
        // parse the rest, then look.
        let voucherProbe = row.prefetchVoucher(in: &read.vouchers)
        let date = row.date(.date, required: true)
        let project = row.project(.project)
        let from = row.entity(.from)
        let to = row.entity(.to)
        let amount = row.amount(.amount, required: true, allowNegative: true)
        let status = row.status(&read.transferStatuses) {
            Message(zh: "无法识别的状态“\($0)”（成功/失败/退回）", en: "unknown status \"\($0)\" (ok, failed, returned)")
        }
        let voucherIsNew = row.voucher(into: &read.vouchers, probe: voucherProbe)
        if let from, let to { row.checkDirection(from: from, to: to) }
        guard sink != nil, !row.rejected, voucherIsNew, let date, let project, let from, let to,
              let amount, let status else { return }
        // Called through the optional: bound to a name first, the closure was retained a row.
        sink?(TransferRow(date: date, project: project, from: from, to: to, amount: amount, status: status, line: row.line))
    }

    private func readSpending(_ row: inout RowCheck, _ read: inout FileRead, _ sink: ((SpendingRow) -> Void)?) {
        let voucherProbe = row.prefetchVoucher(in: &read.vouchers)
        let date = row.date(.date, required: true)
        let entity = row.entity(.entity)
        let project = row.project(.project)
        let amount = row.amount(.amount, required: true, allowNegative: true)
        let status = row.status(&read.spendingStatuses) {
            Message(zh: "无法识别的支付状态“\($0)”（已支付/支付失败）", en: "unknown payment status \"\($0)\" (paid, failed)")
        }
        let voucherIsNew = row.voucher(into: &read.vouchers, probe: voucherProbe)
        guard sink != nil, !row.rejected, voucherIsNew, let date, let entity, let project,
              let amount, let status else { return }
        sink?(SpendingRow(date: date, entity: entity, project: project, amount: amount, status: status,
                         payeeHash: row.withValue(.payee) { ByteInterner.hash($0) },
                         payee: status == .failed ? row.text(.payee) : nil, line: row.line))
    }

    private func readIndicator(_ row: inout RowCheck) {
        let project = row.project(.project)
        let name = row.requiredText(.name)
        let target = row.requiredText(.target)
        guard !row.rejected, let project, let name, let target else { return }
        scope.indicators.append(IndicatorRow(project: project, level1: row.text(.level1), level2: row.text(.level2),
                                             name: name, target: target, actual: row.text(.actual), line: row.line))
    }

    // MARK: Hierarchies (IN009)

    private func resolveEntityParents() {
        let parents = hierarchy(scope.entities, path: scope.path(.entities), noun: ("单位", "unit"),
                                lookup: scope.entity(named:), attach: { $0.entity = $1 })
        for i in scope.entities.indices { scope.entities[i].parent = parents[i] }
    }

    private func resolveProjectParents() {
        let parents = hierarchy(scope.projects, path: scope.path(.projects), noun: ("项目", "project"),
                                lookup: scope.project(named:), attach: { $0.project = $1 })
        for i in scope.projects.indices { scope.projects[i].parent = parents[i] }
    }

    /// Resolves each node's parent, reports orphans and cycles (IN009), and returns the parents
    /// with every cycle broken so later walks up the tree end.
    private func hierarchy<Node: HierarchyNode>(_ nodes: [Node], path: String, noun: (zh: String, en: String),
                                                lookup: (String) -> Int?, attach: (inout Finding, String) -> Void) -> [Int?] {
        var parents = [Int?](repeating: nil, count: nodes.count)
        for (i, node) in nodes.enumerated() {
            guard let ref = node.parentRef, !ref.isEmpty else { continue }
            if let p = lookup(ref) {
                parents[i] = p
                continue
            }
            var finding = Finding(.IN009, Message(zh: "上级\(noun.zh)“\(ref)”不存在（孤立\(noun.zh)）",
                                                  en: "parent \(noun.en) \"\(ref)\" does not exist (orphan)"),
                                  at: SourceRef(file: path, line: node.line))
            attach(&finding, node.key)
            log.add(finding)
        }
        for cycle in HierarchyCycles.find(count: nodes.count, parent: { parents[$0] }) {
            let lines = cycle.map { nodes[$0].line }
            let names = cycle.map { nodes[$0].key }.joined(separator: " → ")
            var finding = Finding(.IN009, Message(zh: "\(noun.zh)的上下级关系形成循环：\(names)", en: "the \(noun.en) hierarchy has a cycle: \(names)"),
                                  at: SourceRef(file: path, line: lines[0]), related: lines.dropFirst().map { SourceRef(file: path, line: $0) })
            attach(&finding, nodes[cycle[0]].key)
            log.add(finding)
            for i in cycle { parents[i] = nil }
        }
        return parents
    }
}

enum HierarchyCycles {
    /// The cycles of a parent function over 0..<count, each listed once from its first member.
    static func find(count: Int, parent: (Int) -> Int?) -> [[Int]] {
        var state = [UInt8](repeating: 0, count: count)  // 0 new, 1 on the current path, 2 done
        var cycles: [[Int]] = []
        for start in 0..<count where state[start] == 0 {
            var path: [Int] = []
            var node: Int? = start
            while let n = node, state[n] == 0 {
                state[n] = 1
                path.append(n)
                node = parent(n)
            }
            if let n = node, state[n] == 1, let at = path.firstIndex(of: n) {
                let cycle = Array(path[at...])
                let first = cycle.min() ?? n
                let k = cycle.firstIndex(of: first) ?? 0
                cycles.append(Array(cycle[k...] + cycle[..<k]))
            }
            for p in path { state[p] = 2 }
        }
        return cycles
    }
}
