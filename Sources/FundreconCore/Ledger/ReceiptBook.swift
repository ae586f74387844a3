import CSupport

/// What receipts.csv streams into: every accepted row's units, project, day, amount, line and
/// the sender's voucher it names, a column each. Owned by the thread that reads the file;
/// `groupByPair()` groups the rows by the units they pass between, for the matching.
public struct ReceiptBook: RowBook {
    private var pairs = KeyPlaces()
    /// Each row's pair while the file is read; emptied by `groupByPair()`.
    private var rowPair: [Int32] = []
    private(set) var project: [Int32] = []
    private(set) var day: [Int32] = []
    private(set) var amount: [Fen] = []
    private(set) var line: [Int32] = []
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
    var count: Int { line.count }

    public mutating func expect(rows: Int) {
        guard line.isEmpty else { return }
        rowPair.reserveCapacity(rows)
        project.reserveCapacity(rows)
        day.reserveCapacity(rows)
        amount.reserveCapacity(rows)
        line.reserveCapacity(rows)
        refs.reserve(rows)
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
        while partStarts.count <= row.part { partStarts.append(line.count) }
        let (place, _) = pairs.place(of: EdgeKey(project: -1, from: row.from, to: row.to))
        rowPair.append(Int32(clamping: place))
        project.append(Int32(clamping: row.project))
        day.append(row.date.daysSinceEpoch)
        amount.append(row.amount)
        line.append(Int32(clamping: row.line))
        refs.append(key: row.ref)
        latestDay = max(latestDay ?? row.date, row.date)
    }

    /// Starts loading the columns of pair `place`'s rows, which lie scattered over the file's
    /// order: the matching asks for the next pair's while it matches one, so that its misses
    /// overlap that work instead of stalling the gathering of the next.
    func prefetchRows(ofPair place: Int, also: (Int) -> Void) {
        guard pairStarts.indices.contains(place + 1) else { return }
        let range = pairStarts[place]..<pairStarts[place + 1]
        guard range.lowerBound >= 0 && range.upperBound <= order.count else { return }
        day.withUnsafeBufferPointer { d in
            amount.withUnsafeBufferPointer { a in
                project.withUnsafeBufferPointer { p in
                    line.withUnsafeBufferPointer { l in
                        guard let d = d.baseAddress, let a = a.baseAddress, let p = p.baseAddress, let l = l.baseAddress else { return }
                        for k in order[range] {
                            let i = Int(k)
                            guard i >= 0 && i < count else { continue }
                            fundrecon_prefetch(d + i)
                            fundrecon_prefetch(a + i)
                            fundrecon_prefetch(p + i)
                            fundrecon_prefetch(l + i)
                            also(i)
                        }
                    }
                }
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
        for column in [\ReceiptBook.rowPair, \.project, \.day, \.line] { self[keyPath: column].removeSubrange(start...) }
        amount.removeSubrange(start...)
        let kept = refs.keepFirst(start)
        latestDay = day.max().map { Day(daysSinceEpoch: $0) }
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
        for p in rowPair { counts[Int(p)] += 1 }
        let starts = startsOfPlaces(counts)
        // A counting sort of the row numbers themselves: no column of them to copy from.
        order = [Int32](repeating: 0, count: rowPair.count)
        var cursor = starts
        for (row, p) in rowPair.enumerated() {
            order[cursor[Int(p)]] = Int32(clamping: row)
            cursor[Int(p)] += 1
        }
        pairStarts = starts + [line.count]
        rowPair = []  // the order says it now
        // Rows come mostly in date order: sort only the pairs that are not.
        let (day, line) = (self.day, self.line)
        for p in counts.indices where counts[p] > 1 {
            let range = starts[p]..<starts[p] + counts[p]
            let before: (Int32, Int32) -> Bool = { (day[Int($0)], line[Int($0)]) < (day[Int($1)], line[Int($1)]) }
            if zip(order[range], order[range].dropFirst()).contains(where: { !before($0, $1) }) {
                order[range].sort(by: before)
            }
        }
    }
}
