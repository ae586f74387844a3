import Foundation

/// Reads a scope's files in order and applies the input rules (IN001–IN010) row by row.
/// A row with any IN finding is rejected: counted, reported, and kept out of every sum.
public final class ScopeLoader {
    public internal(set) var scope = LoadedScope()
    public internal(set) var log = FindingLog()
    let settings: Settings
    let encoding: EncodingChoice
    let fileExists: @Sendable (String) -> Bool
    /// Fingerprint every input (SHA-256) while reading it.
    public var hashing = false
    /// Called from the reading threads, one call at a time.
    public var progress: ReadProgress?
    /// When and how transfers.csv is read by two threads.
    public var split = ReadSplit.standard

    public init(settings: Settings, encoding: EncodingChoice = .auto, fileExists: @escaping @Sendable (String) -> Bool) {
        self.settings = settings
        self.encoding = encoding
        self.fileExists = fileExists
    }

    /// How a file is read, against the units and projects read so far.
    var reading: FileReading {
        FileReading(settings: settings, encoding: encoding, fileExists: fileExists, hashing: hashing,
                    keepsVouchers: keepsVouchers, tally: progress.map(ReadTally.init), scope: scope)
    }

    /// The vouchers of transfers.csv and receipts.csv, kept when the scope has receipts;
    /// handed over by `takeVouchers()`.
    private var vouchers = VoucherTables()

    /// The voucher tables, handed over: the loader keeps no reference, so they go when the
    /// ledger lets them go (a province's are a quarter of a gigabyte).
    public func takeVouchers() -> VoucherTables {
        defer { vouchers = VoucherTables() }
        return vouchers
    }
    private var keepsVouchers = false

    /// Reads every file and checks every row, keeping no streamed rows.
    public func load(_ sources: ScopeSources) {
        _ = load(sources, books: RowBooks<TransferBook, SpendingBook>(transfers: nil, spending: nil))
    }

    /// Reads units and projects first (later files refer to them), then the plan, transfers
    /// and spending at the same time, a thread each, then the indicators. The accepted rows of
    /// transfers and spending go to books made by `books`, which come back filled.
    public func load<Transfers, Spending>(_ sources: ScopeSources, books: RowBooks<Transfers, Spending>)
        -> FilledBooks<Transfers, Spending> {
        let expected = Set(InputFile.allCases.filter { sources.expectsAllRequired && $0.isRequired })
        keepsVouchers = sources.paths[.receipts] != nil && books.receipts != nil
        for file in [InputFile.entities, .projects] {
            guard let path = sources.paths[file] else { continue }
            keep(reading.open(file, path, expected: expected.contains(file), RowSinks()))
            // Later files refer to units and projects by their place in the hierarchy.
            if file == .entities { resolveEntityParents() }
            if file == .projects { resolveProjectParents() }
        }
        // The plan, transfers and spending each refer only to units and projects.
        // Each part of receipts.csv is an entry of its own, read one after another into one book.
        let streamed = [InputFile.plan, .transfers, .spending, .receipts].flatMap { file in sources.parts(file).map { (file, $0) } }
        let reading = self.reading
        let twoParts = sources.paths[.transfers].flatMap { path in
            TransfersSplit.plan(path, besides: streamed, keepsSpending: books.spending != nil, reading: reading, split: self.split)
        }
        let (reads, filled) = twoParts.map { $0.read(streamed, expected: expected, books: books) }
            ?? Self.readTogether(streamed, expected: expected, books: books, reading: reading)
        reads.forEach(keep)
        if let path = sources.paths[.indicators] {
            keep(self.reading.open(.indicators, path, expected: expected.contains(.indicators), RowSinks()))
        }
        return filled
    }

    /// The plan, transfers and spending, a thread each; the transfers' book is filled on a
    /// thread of its own, as the longest file's rows are checked.
    static func readTogether<Transfers, Spending>(_ streamed: [(InputFile, String)], expected: Set<InputFile>,
                                                  books: RowBooks<Transfers, Spending>, reading: FileReading)
        -> ([FileRead], FilledBooks<Transfers, Spending>) {
        // A thread a file, and one for every part of receipts.csv.
        let receiptParts = streamed.filter { $0.0 == .receipts }.map(\.1)
        let jobs = streamed.filter { $0.0 != .receipts } + (receiptParts.first.map { [(InputFile.receipts, $0)] } ?? [])
        let outcomes = Concurrently.map(jobs) { file, path -> StreamedRead<Transfers, Spending> in
            switch file {
            case .transfers:
                let (read, book) = reading.stream(file, path, expected: expected.contains(file), into: books.transfers,
                                                  sink: \.transfer, handOff: true)
                return StreamedRead(read: read, transfers: book)
            case .spending:
                let (read, book) = reading.stream(file, path, expected: expected.contains(file), into: books.spending,
                                                  sink: \.spending, handOff: false)
                return StreamedRead(read: read, spending: book)
            case .receipts:
                let (reads, book) = reading.streamReceipts(receiptParts, into: books.receipts)
                var streamed = StreamedRead<Transfers, Spending>(reads: reads)
                streamed.receipts = book
                return streamed
            default:
                return StreamedRead(read: reading.open(file, path, expected: expected.contains(file), RowSinks()))
            }
        }
        return StreamedRead.gather(outcomes)
    }

    func keep(_ read: FileRead) {
        scope.stats.append(read.stats)
        if keepsVouchers && read.stats.file == .transfers && read.stats.isUsable {
            vouchers.transfers = [read.vouchers] + (read.tailVouchers.map { [$0] } ?? [])
        }
        // A table a part, in part order, so that part k's vouchers are `receipts[k]`.
        if keepsVouchers && read.stats.file == .receipts { vouchers.receipts.append(read.stats.isUsable ? read.vouchers : VoucherRegistry()) }
        log.append(read.log)
        switch read.stats.file {
        case .entities:
            scope.entities = read.entities
            scope.entityRefs = read.entityRefs
        case .projects:
            scope.projects = read.projects
            scope.projectRefs = read.projectRefs
        case .plan: scope.plan = read.plan
        case .indicators: scope.indicators = read.indicators
        case .transfers, .spending, .receipts: break
        }
    }
}

/// What one reading thread hands back: its files' reads, and the book it filled, if any.
struct StreamedRead<Transfers: TransferRowBook, Spending: RowBook<SpendingRow>>: Sendable {
    var reads: [FileRead]
    var transfers: Transfers?
    var spending: Spending?
    var receipts: ReceiptBook?

    init(reads: [FileRead], transfers: Transfers? = nil, spending: Spending? = nil) {
        self.reads = reads
        self.transfers = transfers
        self.spending = spending
    }

    init(read: FileRead, transfers: Transfers? = nil, spending: Spending? = nil) {
        self.init(reads: [read], transfers: transfers, spending: spending)
    }

    /// The threads' reads in order, and their books, each taken out of its thread's result
    /// so that it is held once.
    static func gather(_ outcomes: consuming [StreamedRead]) -> ([FileRead], FilledBooks<Transfers, Spending>) {
        var reads: [FileRead] = []
        var filled = FilledBooks<Transfers, Spending>()
        for i in outcomes.indices {
            reads += outcomes[i].reads
            outcomes[i].reads = []
            if let book = outcomes[i].transfers.take() { filled.transfers = book }
            if let book = outcomes[i].spending.take() { filled.spending = book }
            if let book = outcomes[i].receipts.take() { filled.receipts = book }
        }
        return (reads, filled)
    }
}
