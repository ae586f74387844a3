import CSupport

/// One accepted row of receipts.csv as the book keeps it: its fields side by side, 24 bytes,
/// so that the matching, which gathers a pair's rows from all over the file's order, loads a
/// row with one cache miss instead of one a column.
struct BookedReceipt: Sendable {
    /// While the file is read, the row's pair (its place among the book's pairs); once the
    /// rows are grouped by pair, which then says it, the line of transfers.csv the row's `ref`
    /// names: 0 when it names none, -1 when transfers.csv has no such voucher
    /// (`ReceiptBook.link(toLines:)`). One field for both keeps the row at 24 bytes.
    fileprivate(set) var link: Int32
    let project: Int32
    let day: Int32
    let line: Int32
    let amount: Fen
}

/// What receipts.csv streams into: every accepted row's units, project, day, amount, line and
/// the sender's voucher it names. Owned by the thread that reads the file; `groupByPair()`
/// groups the rows by the units they pass between, for the matching.
public struct ReceiptBook: RowBook {
    private var pairs = KeyPlaces()
    /// The rows in file order.
    private(set) var rows: [BookedReceipt] = []
    /// The sender's vouchers written on the rows; until `takeRefs()`.
    private(set) var refs = WrittenVouchers()
    /// After `groupByPair()`: the rows' indices grouped by pair, in day and line order within one;
    /// pair p's are `order[pairStarts[p]..<pairStarts[p + 1]]`.
    private(set) var order: [Int32] = []
    private(set) var pairStarts: [Int] = [0]
    private(set) var latestDay: Day?
    /// Where each part of receipts.csv begins among the rows: parts are read one after
    /// another, so part k's rows are `partStarts[k]..<partStarts[k + 1]` (or to the end).
    private(set) var partStarts: [Int] = []

    public init() {}

    /// The pairs of units (`project` -1), in the order first seen.
    var pairKeys: [EdgeKey] { pairs.keys }
    var count: Int { rows.count }

    public mutating func expect(rows expected: Int) {
        guard rows.isEmpty else { return }
        rows.reserveCapacity(expected)
        refs.reserve(expected)
    }

    /// Rows taken but not yet booked: booked `batch` at a time, each row's pair slot loading
    /// from when it arrives, so that the misses of a file in date order (each row another
    /// pair) overlap, as in `TransferBook`.
    private var arriving: [ReceiptRow] = []
    private static let batch = 8

    public mutating func add(_ row: ReceiptRow) {
        pairs.prefetch(EdgeKey(project: -1, from: row.from, to: row.to))
        arriving.append(row)
        if arriving.count == Self.batch { bookArriving() }
    }

    private mutating func bookArriving() {
        for row in arriving { book(row) }
        arriving.removeAll(keepingCapacity: true)
    }

    private mutating func book(_ row: ReceiptRow) {
        while partStarts.count <= row.part { partStarts.append(rows.count) }
        let (place, _) = pairs.place(of: EdgeKey(project: -1, from: row.from, to: row.to))
        rows.append(BookedReceipt(link: Int32(clamping: place), project: Int32(clamping: row.project), day: row.date.daysSinceEpoch,
                                  line: Int32(clamping: row.line), amount: row.amount))
        refs.append(key: row.ref)
        latestDay = max(latestDay ?? row.date, row.date)
    }

    /// Starts loading pair `place`'s rows, which lie scattered over the file's order: the
    /// matching asks for the next pair's while it matches one, so that its misses overlap that
    /// work instead of stalling the gathering of the next.
    func prefetchRows(ofPair place: Int) {
        guard pairStarts.indices.contains(place + 1) else { return }
        let range = pairStarts[place]..<pairStarts[place + 1]
        guard range.lowerBound >= 0 && range.upperBound <= order.count else { return }
        rows.withUnsafeBufferPointer { rows in
            guard let base = rows.baseAddress else { return }
            for k in order[range] {
                let i = Int(k)
                guard i >= 0 && i < rows.count else { continue }
                // A row may straddle two cache lines.
                let row = UnsafeRawPointer(base + i)
                fundrecon_prefetch(row)
                fundrecon_prefetch(row + MemoryLayout<BookedReceipt>.size - 1)
            }
        }
    }

    /// The part row i is in.
    func part(ofRow i: Int) -> Int {
        guard partStarts.count > 1 else { return 0 }
        var low = 0, high = partStarts.count
        while low < high {
            let mid = (low + high) / 2
            if partStarts[mid] <= i { low = mid + 1 } else { high = mid }
        }
        return max(low - 1, 0)
    }

    /// Takes out the rows of part `k`, the last part read so far: a part that could not be
    /// read whole has none of its rows used. Before `groupByPair()`. Gives how many vouchers
    /// that do not pack the rows kept name (`WrittenVouchers.keepFirst`).
    @discardableResult
    mutating func dropPart(_ k: Int) -> Int {
        bookArriving()
        guard partStarts.indices.contains(k) else { return refs.keepFirst(count) }
        let start = partStarts[k]
        rows.removeSubrange(start...)
        let kept = refs.keepFirst(start)
        latestDay = rows.lazy.map(\.day).max().map { Day(daysSinceEpoch: $0) }
        return kept
    }

    /// Takes over the packing that made the rows' `ref` keys, once every part is read.
    mutating func adoptRefPacking(_ packing: WrittenVouchers.Packing) {
        refs.adopt(packing)
    }

    /// Takes the written vouchers out to be looked up (`ReceiptLedger`): 8 bytes a row, a fifth
    /// of the book, let go as they are answered.
    mutating func takeRefs() -> WrittenVouchers {
        bookArriving()
        let taken = refs
        refs = WrittenVouchers()
        return taken
    }

    /// After the file's last row: books the rows still arriving. Their grouping by pair waits
    /// for the seal (`groupByPair`), once the written vouchers are looked up and let go.
    public mutating func finish() {
        bookArriving()
    }

    /// Groups the rows by pair, in day and line order within one (`order`, `pairStarts`).
    /// Once, when the receipt ledger is made.
    mutating func groupByPair() {
        bookArriving()
        var counts = [Int](repeating: 0, count: pairs.keys.count)
        for row in rows { counts[Int(row.link)] += 1 }
        let starts = startsOfPlaces(counts)
        // A counting sort of the row numbers themselves: no column of them to copy from.
        order = [Int32](repeating: 0, count: rows.count)
        var cursor = starts
        for (i, row) in rows.enumerated() {
            order[cursor[Int(row.link)]] = Int32(clamping: i)
            cursor[Int(row.link)] += 1
        }
        pairStarts = starts + [rows.count]
        // Rows come mostly in date order: sort only the pairs that are not.
        let rows = self.rows
        for p in counts.indices where counts[p] > 1 {
            let range = starts[p]..<starts[p] + counts[p]
            let before: (Int32, Int32) -> Bool = { (rows[Int($0)].day, rows[Int($0)].line) < (rows[Int($1)].day, rows[Int($1)].line) }
            if zip(order[range], order[range].dropFirst()).contains(where: { !before($0, $1) }) {
                order[range].sort(by: before)
            }
        }
    }

    /// Once grouped: each row's link becomes the line of transfers.csv its `ref` names
    /// (`lines`, by row; a row past them names none).
    mutating func link(toLines lines: consuming RowChunks<Int32>) {
        let known = min(lines.count, rows.count)
        for i in rows.indices { rows[i].link = i < known ? lines[i] : 0 }
    }
}
