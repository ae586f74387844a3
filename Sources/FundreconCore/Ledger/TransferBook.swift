/// What transfers.csv streams into: per edge, its rows' day, amount and line. Owned by the
/// thread that fills it; read once `finish()` has put each edge's rows together.
public struct TransferBook: TransferRowBook {
    private(set) var edges = EdgeTable()
    /// Latest transfer date, for the default period end.
    private(set) var latestDay: Day?

    // While reading: each edge's place, its book so far, and every `ok` row in file order.
    private var places = KeyPlaces()
    private var books: [EdgeBook] = []
    private var rowEdge: [Int32] = []
    private var rowDay: [Int32] = []
    private var rowAmount: [Fen] = []
    private var rowLine: [Int32] = []
    /// The rows of later parts of a split file, in file order after these: regrouped where they
    /// lie at the seal, never copied onto the columns above (a copy, and fresh pages, of half
    /// the file's rows).
    private var absorbed: [RowColumns] = []
    /// Rows taken but not yet booked: booked `batch` at a time, each row's edge slot loading
    /// from when it arrives, so that the batch's cache misses overlap (a province's export
    /// lists rows by date, each of another edge, and a miss a row costs a fifth of `check`).
    private var arriving: [TransferRow] = []
    private static let batch = 8

    public init() {}

    public mutating func expect(rows: Int) {
        guard rowEdge.isEmpty else { return }
        rowEdge.reserveCapacity(rows)
        rowDay.reserveCapacity(rows)
        rowAmount.reserveCapacity(rows)
        rowLine.reserveCapacity(rows)
    }

    public mutating func add(_ row: TransferRow) {
        places.prefetch(EdgeKey(project: row.project, from: row.from, to: row.to))
        arriving.append(row)
        if arriving.count == Self.batch { bookArriving() }
    }

    private mutating func bookArriving() {
        for row in arriving { book(row) }
        arriving.removeAll(keepingCapacity: true)
    }

    private mutating func book(_ row: TransferRow) {
        let key = EdgeKey(project: row.project, from: row.from, to: row.to)
        latestDay = max(latestDay ?? row.date, row.date)
        let (place, isNew) = places.place(of: key)
        if isNew { books.append(EdgeBook()) }
        switch row.status {
        case .ok:
            // Only the columns: an edge's count, sum and lines are worked out in `finish()`,
            // so an `ok` row touches no edge book (a cache miss a row when edges interleave).
            rowEdge.append(Int32(clamping: place))
            rowDay.append(row.date.daysSinceEpoch)
            rowAmount.append(row.amount)
            rowLine.append(Int32(clamping: row.line))
        case .failed, .returned:
            books[place].failed.append(FailedTransfer(line: row.line, day: row.date, amount: row.amount, status: row.status))
        }
    }

    /// After the file's last row: books the rows still arriving. Their grouping by edge waits
    /// for the seal (`groupByEdge`), when the receivers' books have let go of what they can.
    public mutating func finish() {
        bookArriving()
    }

    /// Puts each edge's rows together (a counting sort by edge, a column at a time, so that
    /// at most one column is held twice) and makes the edge table. Once, at the seal.
    mutating func groupByEdge() {
        bookArriving()
        var counts = [Int](repeating: 0, count: books.count)
        // Each column's parts held once, here, so that each goes as soon as it is regrouped.
        let edgeOf = [rowEdge] + absorbed.map(\.edge)
        var amounts = [rowAmount] + absorbed.map(\.amount)
        var days = [rowDay] + absorbed.map(\.day)
        var lines = [rowLine] + absorbed.map(\.line)
        (rowEdge, rowDay, rowAmount, rowLine, absorbed) = ([], [], [], [], [])
        // Every row's edge is a place the book handed out: an index out of range is a bug, and traps.
        for part in edgeOf { for e in part { counts[Int(e)] += 1 } }
        let starts = startsOfPlaces(counts)
        // One column at a time, each on both cores: only the column being regrouped is ever
        // held twice.
        let groupedAmounts = groupedByPlace(&amounts, places: edgeOf, starts: starts, zero: 0, threads: 2)
        let groupedDays = groupedByPlace(&days, places: edgeOf, starts: starts, zero: 0, threads: 2)
        let groupedLines = groupedByPlace(&lines, places: edgeOf, starts: starts, zero: 0, threads: 2)
        let rows = EdgeRows(days: groupedDays, amounts: groupedAmounts, lines: groupedLines)
        for i in books.indices {
            let range = starts[i]..<starts[i] + counts[i]
            books[i].start = starts[i]
            books[i].okRows = counts[i]
            books[i].total = rows.amounts[range].reduce(0, +)
            books[i].rows = rows
            // An edge's rows are in file order: its first and last lines are at the ends.
            var first = Int.max, last = 0
            if !range.isEmpty {
                first = Int(rows.lines[range.lowerBound])
                last = Int(rows.lines[range.upperBound - 1])
            }
            if let line = books[i].failed.first?.line { first = min(first, line) }
            if let line = books[i].failed.last?.line { last = max(last, line) }
            books[i].firstLine = first == .max ? 0 : first
            books[i].lastLine = last
        }
        edges = EdgeTable(places, values: books)
        books = []
        places = KeyPlaces()
    }

    // MARK: The second part of a split file

    public mutating func absorb(_ tail: consuming TransferBook, dropping: Set<Int>) {
        bookArriving()
        tail.bookArriving()
        var source: TransferBook
        if dropping.isEmpty { source = consume tail } else { source = tail.replayed(without: dropping) }
        var placeHere: [Int32] = []
        placeHere.reserveCapacity(source.books.count)
        let latest = source.latestDay
        for key in source.places.keys {
            let (place, isNew) = places.place(of: key)
            if isNew { books.append(EdgeBook()) }
            placeHere.append(Int32(clamping: place))
        }
        for (i, book) in source.books.enumerated() where !book.failed.isEmpty {
            books[Int(placeHere[i])].failed += book.failed
        }
        var tailParts = [RowColumns(edge: source.rowEdge, day: source.rowDay, amount: source.rowAmount, line: source.rowLine)]
            + source.absorbed
        source = TransferBook()
        // Each part's edges renumbered to this book's places, in place (the part is held once).
        for k in tailParts.indices {
            tailParts[k].edge.withUnsafeMutableBufferPointer { edges in
                for i in edges.indices { edges[i] = placeHere[Int(edges[i])] }
            }
        }
        absorbed += tailParts
        if let day = latest { latestDay = max(latestDay ?? day, day) }
    }

    /// These rows again, in file order, without the `dropped` lines.
    private func replayed(without dropped: Set<Int>) -> TransferBook {
        var out = TransferBook()
        var failed: [(edge: Int, row: FailedTransfer)] = []
        for (edge, book) in books.enumerated() { failed += book.failed.map { (edge, $0) } }
        failed.sort { $0.row.line < $1.row.line }
        var next = 0
        func replay(edge: Int, day: Day, amount: Fen, status: TransferStatus, line: Int) {
            guard !dropped.contains(line) else { return }
            let key = places.keys[edge]
            out.add(TransferRow(date: day, project: key.project, from: key.from, to: key.to, amount: amount, status: status, line: line))
        }
        func replayFailed(before line: Int) {
            while next < failed.count && failed[next].row.line < line {
                let f = failed[next].row
                replay(edge: failed[next].edge, day: f.day, amount: f.amount, status: f.status, line: f.line)
                next += 1
            }
        }
        for part in [RowColumns(edge: rowEdge, day: rowDay, amount: rowAmount, line: rowLine)] + absorbed {
            for i in part.edge.indices {
                replayFailed(before: Int(part.line[i]))
                replay(edge: Int(part.edge[i]), day: Day(daysSinceEpoch: part.day[i]), amount: part.amount[i], status: .ok,
                       line: Int(part.line[i]))
            }
        }
        replayFailed(before: .max)
        out.bookArriving()
        return out
    }
}

/// One part's `ok` rows, a column each, in file order.
private struct RowColumns {
    var edge: [Int32]
    var day: [Int32]
    var amount: [Fen]
    var line: [Int32]
}
