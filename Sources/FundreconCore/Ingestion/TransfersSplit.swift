import Foundation

/// transfers.csv read by two threads at once: the first from the beginning to the split, the
/// second reads the plan and spending, then from the split to the end, so that the two finish
/// together. Each part goes into a book of its own; the second part's rows are checked against
/// the first part's vouchers (IN003) once both are read, and its book is folded into the first's.
struct TransfersSplit: Sendable {
    let path: String
    let size: Int64
    let point: SplitPoint
    let header: HeaderMap
    let encoding: TextEncoding
    let reading: FileReading

    /// A split that balances the two threads, when the file is big enough and its beginning
    /// tells its encoding and header (the second reader starts mid-file); nil: read it whole.
    static func plan(_ path: String, besides streamed: [(InputFile, String)], keepsSpending: Bool,
                     reading: FileReading, split: ReadSplit) -> TransfersSplit? {
        let size = fileSize(path)
        guard size >= split.from else { return nil }
        // The first thread reads [0, target); the second the other files, then the rest.
        let otherBytes = streamed.reduce(0) { $0 + otherWork($1, keepsSpending: keepsSpending) }
        let target = (size + otherBytes) / 2
        guard target < size - min(size / 8, 1 << 20) else { return nil }
        // A file that cannot be opened or read here is read whole by one thread, which reports why.
        guard let probe = try? CSVReader(path: path, encoding: reading.encoding), (try? probe.next()) == true,
              probe.encodingDecided, probe.problem == nil else { return nil }
        let header = HeaderMap(cells: (0..<probe.fieldCount).map { probe.string($0) }, file: .transfers)
        guard header.missing.isEmpty else { return nil }
        return TransfersSplit(path: path, size: size, point: SplitPoint(guess: target, fixed: !split.balanced), header: header,
                              encoding: probe.encoding, reading: reading)
    }

    /// What the second thread's other files weigh against bytes of transfers.csv, for a first
    /// guess of the split (a balanced split is placed later, from where the first thread
    /// stands): from where each thread stood when the other finished at 10^7 rows, a plan line
    /// costs about three times its bytes; a spending row that goes to the ledger (reconcile)
    /// about 1.3 times, one that is only checked about the same.
    static func otherWork(_ file: (InputFile, String), keepsSpending: Bool) -> Int64 {
        switch file.0 {
        case .transfers: return 0
        case .plan: return fileSize(file.1) * 3
        case .spending, .receipts: return keepsSpending ? fileSize(file.1) * 13 / 10 : fileSize(file.1)
        default: return fileSize(file.1)
        }
    }

    static func fileSize(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }

    /// Reads the streamed files (`streamed`: the plan, transfers and spending, in that order)
    /// on two threads; their reads come back in the same order, transfers.csv's as one file.
    func read<Transfers, Spending>(_ streamed: [(InputFile, String)], expected: Set<InputFile>,
                                   books: RowBooks<Transfers, Spending>) -> ([FileRead], FilledBooks<Transfers, Spending>) {
        let others = streamed.filter { $0.0 != .transfers }
        var outcomes = Concurrently.map([0, 1]) { worker -> StreamedRead<Transfers, Spending> in
            if worker == 0 {
                let (read, book) = reading.stream(.transfers, path, expected: expected.contains(.transfers), into: books.transfers,
                                                  sink: \.transfer, handOff: false, limit: point, finish: false)
                return StreamedRead(read: read, transfers: book)
            }
            // A fixed split is found first, so that the first thread need not wait for it.
            var tailReader = point.isFixed ? startTail() : nil
            var done = StreamedRead<Transfers, Spending>(reads: [])
            var readReceipts = false
            for (file, path) in others {
                if file == .spending {
                    let (read, book) = reading.stream(file, path, expected: expected.contains(file), into: books.spending,
                                                      sink: \.spending, handOff: false)
                    done.reads.append(read)
                    done.spending = book
                } else if file == .receipts {
                    // Every part at its first entry, one book for them all; the reads, a part
                    // each, keep the entries' count.
                    guard done.receipts == nil && !readReceipts else { continue }
                    readReceipts = true
                    let (reads, book) = reading.streamReceipts(others.filter { $0.0 == .receipts }.map(\.1), into: books.receipts)
                    done.reads += reads
                    done.receipts = book
                } else {
                    done.reads.append(reading.open(file, path, expected: expected.contains(file), RowSinks()))
                }
            }
            if !point.isFixed { tailReader = startTail() }
            if let tailReader {
                let (read, book) = readTail(tailReader, into: books.transfers)
                done.reads.append(read)
                done.transfers = book
            }
            return done
        }
        guard outcomes.count == 2, var head = outcomes[0].reads.first else {
            preconditionFailure("the first part of transfers.csv was not read")
        }
        // [the other files..., the second part if it was read]
        var done = outcomes[1].reads
        var headBook = outcomes[0].transfers.take()
        var tailBook = outcomes[1].transfers.take()
        var filled = FilledBooks<Transfers, Spending>(spending: outcomes[1].spending.take(), receipts: outcomes[1].receipts.take())
        outcomes = []  // the tables below are then held once, and let go when done with
        if done.count > others.count, var rest = done.popLast(), !head.splitAbandoned {
            if head.stats.isUsable && !rest.stats.rejectedWhole {
                head.stats.readers = 2
                let dropped = settle(&head, rest)
                // The voucher tables are done with unless receipts name vouchers: let them go
                // before the ledger takes the rows.
                if reading.keepsVouchers { head.tailVouchers = rest.vouchers } else { head.vouchers = VoucherRegistry() }
                rest = FileRead(stats: rest.stats)
                if let tail = tailBook.take(), var book = headBook.take() {
                    book.absorb(tail, dropping: dropped)
                    headBook = book
                }
            } else {
                // A part that could not be read costs the whole file: the two parts are one file.
                head.stats.rowsRead += rest.stats.rowsRead
                head.stats.rejectedWhole = true
                head.stats.rowsRejected = head.stats.rowsRead
                head.log.append(rest.log)
                headBook = nil
            }
        }
        tailBook = nil
        if !reading.keepsVouchers { head.vouchers = VoucherRegistry() }
        headBook?.finish()
        filled.transfers = headBook.take()
        var ordered: [FileRead] = []
        var next = 0
        for (file, _) in streamed {
            if file == .transfers {
                ordered.append(head)
            } else if next < done.count {
                ordered.append(done[next])
                next += 1
            }
        }
        return (ordered, filled)
    }

    /// Places the split and publishes it; the reader of the second part, or nil when the first
    /// thread reads the whole file.
    private func startTail() -> CSVReader? {
        // A file that cannot be read here is read whole by the first thread, which reports why.
        var boundary = point.propose(size: size, headShare: balancedHeadShare, minimumRest: Self.minimumTail)
            .flatMap { try? FileSplit.boundary(path: path, target: $0) }
            .flatMap { $0.offset < size ? $0 : nil }
        // Opened before the split is told, so that a file that cannot be opened twice is read
        // whole by the first thread instead of losing its end.
        let tailReader = boundary.flatMap { try? CSVReader(path: path, from: $0.offset, line: $0.line, encoding: encoding) }
        if tailReader == nil { boundary = nil }
        point.publish(boundary)
        return tailReader
    }

    /// Less than this left to read is not worth a second reader.
    static let minimumTail: Int64 = 4 << 20

    /// The first thread's share of what is left when the second is ready, from where each
    /// thread stood when the other finished at 10^7 rows (check: both parts read at the same
    /// rate; reconcile: the first thread also fingerprints the second part after its own, as
    /// SHA-256 runs in file order, so it takes less).
    private var balancedHeadShare: Double { reading.hashing ? 0.44 : 0.5 }

    /// The second part, from the split to the end, into a book of its own.
    private func readTail<Transfers: TransferRowBook>(_ reader: CSVReader, into make: (@Sendable () -> Transfers)?)
        -> (FileRead, Transfers?) {
        var read = FileRead(stats: FileStats(file: .transfers, path: path))
        var row = RowCheck(reader: reader, header: header, file: .transfers, path: path, unit: reading.settings.unit,
                           refs: References(reading.scope))
        row.defersDuplicates = true
        let inHand = make.map { BookInHand($0()) }
        var sinks = RowSinks()
        sinks.transfer = inHand?.add
        do throws(InputFileError) {
            while try reader.next() {
                if read.stats.rowsRead == 0 {
                    let estimate = reader.estimatedRecords
                    read.vouchers.reserve(estimate)
                    inHand?.expect(rows: estimate)
                }
                reading.take(.transfers, &row, &read, sinks)
                if read.stats.rowsRead & 0x3FFF == 0 { reading.tally?.report(.transfers, part: 1, read.stats.rowsRead, reader.bytesRead) }
            }
        } catch {
            return (FileReading.failed(read, .transfers, error), nil)
        }
        read.stats.bytes = reader.bytesRead
        return (read, inHand?.take())
    }

    /// IN003 across the two parts: a voucher of the second part that the first part used is a
    /// repeat from its first row in the second part on, and its repeats there name the first
    /// part's line. Takes the second part's counts and findings into the first's; returns the
    /// lines to leave out of the ledger.
    private func settle(_ head: inout FileRead, _ tail: FileRead) -> Set<Int> {
        let repeats = tail.vouchers.repeats(of: head.vouchers)
        let firstInHead = Dictionary(repeats.map { ($0.line, $0.earlier) }, uniquingKeysWith: { a, _ in a })
        for d in tail.deferred {
            let earlier = firstInHead[d.earlier] ?? d.earlier
            head.log.add(Finding(.IN003, RowCheck.duplicateVoucher(d.voucher, earlier: earlier), at: d.at,
                                 related: [SourceRef(file: path, line: earlier)]))
        }
        var unreported = firstInHead
        if !repeats.isEmpty, let start = point.wait(),
           let reader = try? CSVReader(path: path, from: start.offset, line: start.line, encoding: encoding) {
            // Rare: read the part again for where each such row's voucher stands and how it reads.
            let field = header.index(of: .voucher) ?? -1
            // Read once already: should it fail now, the rows left are reported by line below.
            while (try? reader.next()) == true {
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
}
