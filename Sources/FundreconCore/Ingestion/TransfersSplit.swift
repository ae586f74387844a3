import Foundation

/// transfers.csv read by two threads at once: the first from the beginning to `point`, the
/// second from there to the end (after the plan and spending, so the two threads finish
/// together). The second part's rows are checked against the first part's vouchers once
/// both are read.
struct PlannedSplit {
    let path: String
    let size: Int64
    let point: SplitPoint
    let header: HeaderMap
    let encoding: TextEncoding
}

/// Reading transfers.csv from both ends at once: where to cut it, the two threads, and IN003
/// settled across the cut.
extension ScopeLoader {
    /// What the second thread's other files weigh against bytes of transfers.csv, for a first
    /// guess of the split (a balanced split is placed later, from where the first thread
    /// stands): from where each thread stood when the other finished at 10^7 rows, a plan line
    /// costs about three times its bytes; a spending row that goes to the ledger (reconcile)
    /// about 1.3 times, one that is only checked about the same.
    func otherWork(_ file: (InputFile, String), _ sinks: RowSinks) -> Int64 {
        switch file.0 {
        case .transfers: return 0
        case .plan: return fileSize(file.1) * 3
        case .spending: return sinks.spending == nil ? fileSize(file.1) : fileSize(file.1) * 13 / 10
        default: return fileSize(file.1)
        }
    }

    func fileSize(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }

    /// A split of transfers.csv that balances the two threads, when the file is big enough
    /// and its beginning tells its encoding and header (the second reader starts mid-file).
    func planSplit(_ path: String, otherBytes: Int64) -> PlannedSplit? {
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

    func loadSplit(_ split: PlannedSplit, _ streamed: [(InputFile, String)], expected: (InputFile) -> Bool, _ sinks: RowSinks) {
        let others = streamed.filter { $0.0 != .transfers }
        let tail = sinks.transferTail?()
        var parts = Concurrently.mapSharing([0, 1]) { worker -> [FileRead] in
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
    func startTail(_ split: PlannedSplit) -> CSVReader? {
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
    var balancedHeadShare: Double { hashing ? 0.44 : 0.5 }

    /// The second part of a split transfers.csv, from `boundary` to the end.
    func readTail(_ split: PlannedSplit, _ reader: CSVReader, _ tail: TransferTail?) -> FileRead {
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
    func settle(_ head: inout FileRead, _ tail: FileRead, _ split: PlannedSplit) -> Set<Int> {
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
}
