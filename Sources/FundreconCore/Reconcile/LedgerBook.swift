/// The key of an edge: money of one project from one unit to another.
public struct EdgeKey: Hashable, Sendable, Comparable {
    public let project: Int
    public let from: Int
    public let to: Int

    public static func < (a: EdgeKey, b: EdgeKey) -> Bool { (a.project, a.from, a.to) < (b.project, b.from, b.to) }
}

/// A transfer row that did not move money (失败 / 退回): listed, never counted.
struct FailedTransfer: Sendable {
    let line: Int
    let day: Day
    let amount: Fen
    let status: TransferStatus
}

/// The `ok` rows of every edge, a column each, the rows of one edge together and in file
/// order: 16 bytes a row, and no arrays per edge (their growth left a third of them empty).
final class EdgeRows: Sendable {
    let days: [Int32]
    let amounts: [Fen]
    let lines: [Int32]

    init(days: [Int32], amounts: [Fen], lines: [Int32]) {
        self.days = days
        self.amounts = amounts
        self.lines = lines
    }

    static let none = EdgeRows(days: [], amounts: [], lines: [])

    /// Appends rows start..<start+count (an edge's `ok` rows) as movements of `kind`: received
    /// at the payee, passed on at the payer.
    func appendEvents(from start: Int, count: Int, _ kind: FlowEvent.Kind, to list: inout [FlowEvent]) {
        let end = min(start + count, days.count, amounts.count, lines.count)
        guard start >= 0, start < end else { return }
        days.withUnsafeBufferPointer { d in
            amounts.withUnsafeBufferPointer { a in
                lines.withUnsafeBufferPointer { l in
                    for i in start..<end { list.append(FlowEvent(day: d[i], amount: a[i], kind: kind, line: l[i], file: 0)) }
                }
            }
        }
    }
}

/// What streamed past for one edge: its `ok` rows (a range of `EdgeRows`) and the rows that
/// did not move money. Keeping the rows per edge answers FL007 (same day and amount twice)
/// and FL009 (paid again later) inside the edge, with no table over all rows.
struct EdgeBook: Sendable {
    var rows = EdgeRows.none
    var start = 0
    var okRows = 0
    var failed: [FailedTransfer] = []
    var firstLine = 0
    var lastLine = 0
    /// Sum of the `ok` rows (every one, whatever its date).
    var total: Fen = 0

    var days: ArraySlice<Int32> { rows.days[start..<start + okRows] }
    var amounts: ArraySlice<Fen> { rows.amounts[start..<start + okRows] }
    var lines: ArraySlice<Int32> { rows.lines[start..<start + okRows] }

    /// Net money by day up to `asOf`, in day order, with the first row of each day.
    func byDay(upTo asOf: Day) -> [(day: Day, amount: Fen, line: Int)] {
        let limit = asOf.daysSinceEpoch
        let days = self.days, amounts = self.amounts, lines = self.lines
        var order = days.indices.filter { days[$0] <= limit }
        // Rows mostly come in date order: check before sorting.
        if zip(order, order.dropFirst()).contains(where: { days[$0] > days[$1] }) { order.sort { days[$0] < days[$1] } }
        var out: [(day: Day, amount: Fen, line: Int)] = []
        for i in order {
            if let last = out.last, last.day.daysSinceEpoch == days[i] {
                out[out.count - 1] = (last.day, last.amount + amounts[i], min(last.line, Int(lines[i])))
            } else {
                out.append((Day(daysSinceEpoch: days[i]), amounts[i], Int(lines[i])))
            }
        }
        return out
    }

    /// `ok` money dated after `asOf`: listed, not yet counted.
    func after(_ asOf: Day) -> Fen {
        let days = self.days, amounts = self.amounts
        return zip(days, amounts).reduce(0) { $0 + ($1.0 > asOf.daysSinceEpoch ? $1.1 : 0) }
    }

    /// The first `ok` row of `amount` dated on or after `day`: the earliest such day, and on
    /// it the first line.
    func firstOnOrAfter(_ day: Int32, amount: Fen) -> (day: Int32, line: Int)? {
        var best: (day: Int32, line: Int32)?
        let days = self.days, amounts = self.amounts, lines = self.lines
        for i in days.indices where amounts[i] == amount && days[i] >= day {
            if let b = best, (b.day, b.line) <= (days[i], lines[i]) { continue }
            best = (days[i], lines[i])
        }
        return best.map { ($0.day, Int($0.line)) }
    }
}

/// A movement of money at a unit on one project: in (received), out (passed on), spent.
struct FlowEvent: Sendable {
    enum Kind: UInt8, Sendable { case received, passedOn, spent, failedSpending }
    // Widest first: 24 bytes a movement instead of 32 (millions of them at province scale).
    let amount: Fen
    let day: Int32
    let line: Int32
    let kind: Kind
    let file: UInt8  // 0 transfers, 1 spending

    init(day: Int32, amount: Fen, kind: Kind, line: Int32, file: UInt8) {
        self.amount = amount
        self.day = day
        self.line = line
        self.kind = kind
        self.file = file
    }

    /// This movement with `later` added, when both are one day's movement of one kind in one
    /// file (as they streamed, a run of such rows is one movement); nil otherwise.
    func merging(_ later: FlowEvent) -> FlowEvent? {
        guard day == later.day, kind == later.kind, file == later.file else { return nil }
        return FlowEvent(day: day, amount: amount + later.amount, kind: kind, line: line, file: file)
    }
}

/// Movements per (project, unit, -1), each key's in file order: slices of one array.
typealias FlowTable = KeyedTable<ArraySlice<FlowEvent>>

/// Makes a `FlowTable` row by row. A row is merged into its key's last movement when that is
/// the same day and kind (rows come roughly in date order, so a unit has near one a day);
/// movements of all keys go into one array, grouped by key once the file is read.
struct FlowTableBuilder: Sendable {
    private var places = KeyPlaces()
    private var lastOf: [Int32] = []
    private var events: [FlowEvent] = []
    private var eventPlace: [Int32] = []

    /// Room for about `rows` movements, so the array is not copied as it grows (pages that
    /// stay unused cost nothing).
    mutating func reserve(_ rows: Int) {
        guard events.isEmpty else { return }
        events.reserveCapacity(rows)
        eventPlace.reserveCapacity(rows)
    }

    /// Returns the key's place (one per unit and project).
    @discardableResult
    mutating func record(unit: Int, project: Int, _ day: Day, _ amount: Fen, _ kind: FlowEvent.Kind, _ line: Int, file: UInt8) -> Int {
        let (place, isNew) = places.place(of: LedgerBook.flowKey(unit: unit, project: project))
        if isNew { lastOf.append(-1) }
        let e = FlowEvent(day: day.daysSinceEpoch, amount: amount, kind: kind, line: Int32(clamping: line), file: file)
        let last = Int(lastOf[place])
        if last >= 0, let merged = events[last].merging(e) {
            events[last] = merged
        } else {
            lastOf[place] = Int32(clamping: events.count)
            events.append(e)
            eventPlace.append(Int32(clamping: place))
        }
        return place
    }

    mutating func finish() -> FlowTable {
        var counts = [Int](repeating: 0, count: places.keys.count)
        for p in eventPlace { counts[Int(p)] += 1 }
        let starts = startsOfPlaces(counts)
        let zero = FlowEvent(day: 0, amount: 0, kind: .spent, line: 0, file: 0)
        let grouped = groupedByPlace(&events, places: eventPlace, starts: starts, zero: zero)
        let slices = counts.indices.map { grouped[starts[$0]..<starts[$0] + counts[$0]] }
        let table = FlowTable(places, values: slices)
        self = FlowTableBuilder()
        return table
    }
}

extension Array where Element == FlowEvent {
    /// Puts the movements in line order (rows of one edge already are: sorted only when edges
    /// interleave) and merges each run of one day's rows of one kind, in place.
    mutating func mergeRunsInFileOrder() {
        guard count > 1 else { return }
        var inOrder = true
        for k in 1..<count where self[k - 1].line >= self[k].line {
            inOrder = false
            break
        }
        if !inOrder { sort { $0.line < $1.line } }
        var kept = 0
        withUnsafeMutableBufferPointer { p in
            for r in 0..<p.count {
                if kept > 0, let merged = p[kept - 1].merging(p[r]) {
                    p[kept - 1] = merged
                } else {
                    p[kept] = p[r]
                    kept += 1
                }
            }
        }
        removeLast(count - kept)
    }
}

/// Values by key, iterated in the order the keys were first seen: an array of values and
/// the keys' places, made once when a file has been read.
struct KeyedTable<Value: Sendable>: Sequence, Sendable {
    private var places = KeyPlaces()
    private(set) var values: [Value] = []

    init() {}

    init(_ places: KeyPlaces, values: [Value]) {
        self.places = places
        self.values = values
    }

    var keys: [EdgeKey] { places.keys }
    var count: Int { places.keys.count }

    subscript(key: EdgeKey) -> Value? { places.place(ofKnown: key).map { values[$0] } }

    func makeIterator() -> some IteratorProtocol<(key: EdgeKey, value: Value)> {
        zip(places.keys, values).lazy.map { (key: $0.0, value: $0.1) }.makeIterator()
    }
}

typealias EdgeTable = KeyedTable<EdgeBook>

/// Numbers keys 0, 1, 2, … in the order they are first seen, while a file streams. An open
/// table of places with a cheap mix of the three integers: the standard dictionary's seeded
/// hashing of an `EdgeKey` was a tenth of reading a transfer row.
struct KeyPlaces: Sendable {
    private(set) var keys: [EdgeKey] = []
    private var slots: [Int32] = []  // place + 1; 0 empty
    private var last = (key: EdgeKey(project: -1, from: -1, to: -1), place: -1)

    @inline(__always)
    private static func slot(_ key: EdgeKey, _ mask: Int) -> Int {
        var h = UInt64(truncatingIfNeeded: key.project) &* 0x9E37_79B9_7F4A_7C15
        h ^= UInt64(truncatingIfNeeded: key.from) &* 0xC2B2_AE3D_27D4_EB4F
        h ^= UInt64(truncatingIfNeeded: key.to) &* 0x1656_67B1_9E37_79F9
        h ^= h >> 29; h = h &* 0xBF58_476D_1CE4_E5B9; h ^= h >> 32
        return Int(truncatingIfNeeded: h) & mask
    }

    /// The key's place, when it has one.
    func place(ofKnown key: EdgeKey) -> Int? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        var s = KeyPlaces.slot(key, mask)
        while true {
            let p = Int(slots[s]) - 1
            if p < 0 { return nil }
            if keys[p] == key { return p }
            s = (s + 1) & mask
        }
    }

    /// The key's place, and whether it is new.
    mutating func place(of key: EdgeKey) -> (place: Int, isNew: Bool) {
        // Ledgers list runs of one edge: the row before is the likeliest match.
        if last.key == key { return (last.place, false) }
        if (keys.count + 1) * 4 > slots.count * 3 { grow() }
        let mask = slots.count - 1
        var s = KeyPlaces.slot(key, mask)
        while true {
            let p = Int(slots[s]) - 1
            if p < 0 { break }
            if keys[p] == key {
                last = (key, p)
                return (p, false)
            }
            s = (s + 1) & mask
        }
        let place = keys.count
        keys.append(key)
        slots[s] = Int32(clamping: place + 1)
        last = (key, place)
        return (place, true)
    }

    private mutating func grow() {
        let size = max(64, slots.count * 2)
        slots = [Int32](repeating: 0, count: size)
        let mask = size - 1
        for (p, key) in keys.enumerated() {
            var s = KeyPlaces.slot(key, mask)
            while slots[s] != 0 { s = (s + 1) & mask }
            slots[s] = Int32(clamping: p + 1)
        }
    }
}

/// Where each place's rows begin when places follow one another: running sums of `counts`.
func startsOfPlaces(_ counts: [Int]) -> [Int] {
    var starts = [Int](repeating: 0, count: counts.count)
    var next = 0
    for p in counts.indices {
        starts[p] = next
        next += counts[p]
    }
    return starts
}

/// A column of rows put in the order of their keys' places, keeping file order within a
/// place (a counting sort): `starts[p]` is where place p's rows begin. The column is emptied
/// as it is copied, so that only one column is ever held twice.
func groupedByPlace<T>(_ column: inout [T], places: [Int32], starts: [Int], zero: T) -> [T] {
    var out = [T](repeating: zero, count: column.count)
    var cursor = starts
    for i in column.indices where i < places.count {
        let p = Int(places[i])
        guard p < cursor.count, cursor[p] < out.count else { continue }
        out[cursor[p]] = column[i]
        cursor[p] += 1
    }
    column = []
    return out
}

/// What transfers.csv streams into: per edge and per unit and project. Filled by one reader
/// thread only; read once `finish()` has put each edge's rows together.
final class TransferBook: @unchecked Sendable {
    private(set) var edges = EdgeTable()
    /// Latest transfer date, for the default period end.
    private(set) var latestDay: Day?
    private(set) var total: Fen = 0

    // While reading: each edge's place, its book so far, and every `ok` row in file order.
    private var places = KeyPlaces()
    private var books: [EdgeBook] = []
    private var rowEdge: [Int32] = []
    private var rowDay: [Int32] = []
    private var rowAmount: [Fen] = []
    private var rowLine: [Int32] = []

    func expect(rows: Int) {
        guard rowEdge.isEmpty else { return }
        rowEdge.reserveCapacity(rows)
        rowDay.reserveCapacity(rows)
        rowAmount.reserveCapacity(rows)
        rowLine.reserveCapacity(rows)
    }

    func add(_ row: TransferRow) {
        let key = EdgeKey(project: row.project, from: row.from, to: row.to)
        latestDay = max(latestDay ?? row.date, row.date)
        total += row.amount
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

    /// Puts each edge's rows together (a counting sort by edge, a column at a time, so that
    /// at most one column is held twice) and makes the edge table. Once, after the last row.
    func finish() {
        var counts = [Int](repeating: 0, count: books.count)
        for e in rowEdge where Int(e) < counts.count { counts[Int(e)] += 1 }
        let starts = startsOfPlaces(counts)
        let edgeOf = rowEdge
        rowEdge = []
        // The amounts on one core, the days and lines on the other: by now the voucher tables
        // are gone, so the columns held twice at once do not raise the peak.
        var days = rowDay, amounts = rowAmount, lines = rowLine
        rowDay = []; rowAmount = []; rowLine = []
        var groupedDays: [Int32] = [], groupedAmounts: [Fen] = [], groupedLines: [Int32] = []
        _ = Concurrently.map([0, 1]) { part -> Bool in
            if part == 0 {
                groupedAmounts = groupedByPlace(&amounts, places: edgeOf, starts: starts, zero: 0)
            } else {
                groupedDays = groupedByPlace(&days, places: edgeOf, starts: starts, zero: 0)
                groupedLines = groupedByPlace(&lines, places: edgeOf, starts: starts, zero: 0)
            }
            return true
        }
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

    func release() { edges = EdgeTable() }

    /// Takes in the rows a second reader gave `tail` (the end of the file, read at the same
    /// time), as if they had come after ours, leaving out `dropping` (lines found to repeat a
    /// voucher of our part). Before `finish()`.
    func absorb(_ tail: TransferBook, dropping: Set<Int>) {
        let source = dropping.isEmpty ? tail : tail.replayed(without: dropping)
        var placeHere: [Int32] = []
        placeHere.reserveCapacity(source.books.count)
        for key in source.places.keys {
            let (place, isNew) = places.place(of: key)
            if isNew { books.append(EdgeBook()) }
            placeHere.append(Int32(clamping: place))
        }
        for (i, book) in source.books.enumerated() where !book.failed.isEmpty {
            books[Int(placeHere[i])].failed += book.failed
        }
        // One exact growth at most (the estimate may fall short), never a doubling.
        let rows = rowEdge.count + source.rowEdge.count
        rowEdge.reserveCapacity(rows)
        rowDay.reserveCapacity(rows)
        rowAmount.reserveCapacity(rows)
        rowLine.reserveCapacity(rows)
        rowEdge.append(contentsOf: source.rowEdge.lazy.map { placeHere[Int($0)] })
        rowDay += source.rowDay
        rowAmount += source.rowAmount
        rowLine += source.rowLine
        total += source.total
        if let day = source.latestDay { latestDay = max(latestDay ?? day, day) }
        tail.empty()
        source.empty()
    }

    /// Lets go of the rows once another book has taken them.
    private func empty() {
        places = KeyPlaces()
        books = []
        rowEdge = []
        rowDay = []
        rowAmount = []
        rowLine = []
    }

    /// These rows again, in file order, without the `dropped` lines.
    private func replayed(without dropped: Set<Int>) -> TransferBook {
        let out = TransferBook()
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
        for i in rowEdge.indices {
            replayFailed(before: Int(rowLine[i]))
            replay(edge: Int(rowEdge[i]), day: Day(daysSinceEpoch: rowDay[i]), amount: rowAmount[i], status: .ok, line: Int(rowLine[i]))
        }
        replayFailed(before: .max)
        return out
    }
}

/// A paid row of spending.csv, kept for BL004's question whether a failed payment was paid again.
struct PaidRow: Sendable {
    /// What a re-payment must share with the failed payment: unit and project (as their
    /// movements' place), payee and amount.
    struct Key: Hashable {
        let place: Int32
        let payee: UInt64
        let amount: Fen
    }
    // 24 bytes: five million of them at province scale.
    let payee: UInt64
    let amount: Fen
    let place: Int32
    let day: Int32

    var key: Key { Key(place: place, payee: payee, amount: amount) }

    /// One of 65,536, the same for rows with equal keys.
    var filterBit: Int {
        let mix = (payee ^ UInt64(bitPattern: amount) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(UInt32(bitPattern: place))) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: mix >> 48)
    }
}

/// What spending.csv streams into: per unit and project, and every paid row (BL004's
/// re-payments). Filled by one reader thread only, alongside the `TransferBook`.
final class SpendingBook: @unchecked Sendable {
    /// Filled once spending.csv has been read (`finish()`).
    private(set) var flows = FlowTable()
    private var building = FlowTableBuilder()
    /// Every paid row while the file is read, in file order: 24 bytes each, appended, never
    /// looked up one by one.
    private var paidRows: [PaidRow] = []
    /// The failed payments in the paid rows' form, for BL004's matching.
    private var failedKeys: [PaidRow] = []
    private(set) var failedPayments: [(line: Int, key: RowKey, entity: Int, project: Int, payee: String?)] = []
    private(set) var total: Fen = 0
    let rowLevelOnly: Bool

    init(rowLevelOnly: Bool) { self.rowLevelOnly = rowLevelOnly }

    func expect(rows: Int) {
        guard paidRows.isEmpty && !rowLevelOnly else { return }
        paidRows.reserveCapacity(rows)
        building.reserve(rows)
    }

    /// BL004's answers, one per failed payment, known once the file is read.
    private(set) var repaid: [Bool] = []

    /// Groups the movements and answers BL004, after which the paid rows are dropped: at
    /// province scale they are 160 MB that the rules would otherwise carry.
    func finish() {
        repaid = FailedPaymentsNotRepaid.repaid(failedKeys, paidRows)
        paidRows = []
        failedKeys = []
        flows = building.finish()  // after the paid rows are gone: grouping holds the movements twice for a moment
    }

    func add(_ row: SpendingRow) {
        total += row.amount
        guard !rowLevelOnly else { return }
        let key = RowKey(entity: row.entity, project: row.project, payee: row.payeeHash, amount: row.amount, day: row.date)
        switch row.status {
        case .paid:
            let place = building.record(unit: row.entity, project: row.project, row.date, row.amount, .spent, row.line, file: 1)
            paidRows.append(PaidRow(payee: row.payeeHash, amount: row.amount, place: Int32(clamping: place), day: key.day))
        case .failed:
            failedPayments.append((row.line, key, row.entity, row.project, row.payee))
            let place = building.record(unit: row.entity, project: row.project, row.date, row.amount, .failedSpending, row.line, file: 1)
            failedKeys.append(PaidRow(payee: row.payeeHash, amount: row.amount, place: Int32(clamping: place), day: key.day))
        }
    }
}

/// Accumulates the streamed rows of transfers.csv and spending.csv. Keeps per edge its rows'
/// day, amount and line, per unit and project what was spent, and a compact key per paid
/// row (FL009's re-payments, BL004): never the rows' text.
/// The two files fill separate halves, so they can be read at the same time.
public final class LedgerBook {
    let transfers: TransferBook
    let spending: SpendingBook

    /// Keeps only what the row-level rules (FL001, FL007) need: no flows through units.
    public init(rowLevelOnly: Bool = false) {
        transfers = TransferBook()
        spending = SpendingBook(rowLevelOnly: rowLevelOnly)
    }

    /// Where the loader sends the rows it accepts; each half is called from one thread.
    public var sinks: RowSinks {
        let t = transfers, s = spending
        var sinks = RowSinks(transfer: t.add, spending: s.add, expect: { file, rows in
            if file == .spending { s.expect(rows: rows) }
            if file == .transfers { t.expect(rows: rows) }
        }, finished: { file in
            if file == .transfers { t.finish() }
            if file == .spending { s.finish() }
        })
        sinks.transferTail = {
            let tail = TransferBook()
            return TransferTail(expect: { tail.expect(rows: $0) }, add: tail.add, absorb: { t.absorb(tail, dropping: $0) })
        }
        return sinks
    }

    var edges: EdgeTable { transfers.edges }
    /// Drops every edge's rows once the edge and balance rules are done with them; the
    /// result is built from what the rules returned and from the spending movements.
    func releaseTransferRows() {
        transfers.release()
        unitIndex = nil
    }

    /// BL004: whether each failed payment was paid again (worked out when spending.csv ends).
    func repaid() -> [Bool] { spending.repaid }
    var failedPayments: [(line: Int, key: RowKey, entity: Int, project: Int, payee: String?)] { spending.failedPayments }
    var latestTransferDay: Day? { transfers.latestDay }
    var transferTotal: Fen { transfers.total }
    var spendingTotal: Fen { spending.total }

    /// Spending's movements per (project, unit, -1): what was spent (and failed) where.
    var spendingFlows: FlowTable { spending.flows }

    private var unitIndex: UnitIndex?

    /// Units with money through them, in id order.
    var flowUnits: [Int] { index().units }

    /// What a unit's balance costs beyond its movements, counted in movements (its lists and
    /// groups), from the two runs' end times at 10^7.
    static let unitOverhead = 30

    /// `flowUnits` cut into `parts` runs of about as many movements each: a unit's balance
    /// costs about its movements, and cut by count, the run holding the province, cities and
    /// counties took half as long again as the run of grantees.
    func flowUnitRuns(_ parts: Int) -> [ArraySlice<Int>] {
        let index = index()
        let units = index.units
        guard parts > 1, !units.isEmpty else { return [units[...]] + Array(repeating: [], count: max(parts - 1, 0)) }
        let books = index.edges.values, spendingEvents = index.spendingFlows.values
        var work = [Int](repeating: 0, count: units.count)
        var total = 0
        for (k, unit) in units.enumerated() {
            var w = LedgerBook.unitOverhead
            for e in index.incoming[unit] where books.indices.contains(Int(e)) { w += books[Int(e)].okRows }
            for e in index.outgoing[unit] where books.indices.contains(Int(e)) { w += books[Int(e)].okRows }
            for f in index.spendingFlowsOf[unit] where spendingEvents.indices.contains(Int(f)) { w += spendingEvents[Int(f)].count }
            work[k] = w
            total += w
        }
        var runs: [ArraySlice<Int>] = []
        var start = 0, done = 0
        for k in units.indices {
            done += work[k]
            // Cut after the unit that brings the work done to the next share.
            if runs.count < parts - 1 && done * parts >= total * (runs.count + 1) {
                runs.append(units[start...k])
                start = k + 1
            }
        }
        runs.append(units[start...])
        while runs.count < parts { runs.append([]) }
        return runs
    }

    /// A unit's movements per project: received and passed on (from the rows of the edges
    /// into and out of it) and spent. A transfer row is kept once, on its edge; the events of
    /// one unit are made when its balance is worked out, and dropped after.
    func flows(ofUnit unit: Int) -> [(project: Int, events: [FlowEvent])] {
        let index = index()
        let keys = index.edges.keys, books = index.edges.values
        let incoming = index.incoming[unit], outgoing = index.outgoing[unit]
        let spendingKeys = index.spendingFlows.keys, spendingEvents = index.spendingFlows.values
        let spendingPlaces = index.spendingFlowsOf[unit]
        // A unit has a few projects: a short list searched in place, not a dictionary a unit.
        var byProject: [(project: Int, events: [FlowEvent])] = []
        var sizes: [Int] = []
        func slot(_ project: Int) -> Int {
            if let i = byProject.firstIndex(where: { $0.project == project }) { return i }
            byProject.append((project, []))
            sizes.append(0)
            return byProject.count - 1
        }
        func isEdge(_ e: Int) -> Bool { keys.indices.contains(e) && books.indices.contains(e) }
        func isSpending(_ f: Int) -> Bool { spendingKeys.indices.contains(f) && spendingEvents.indices.contains(f) }
        // Each project's list sized first and allocated once: grown row by row, its copies
        // were a fifth of the balances.
        for e32 in incoming where isEdge(Int(e32)) { sizes[slot(keys[Int(e32)].project)] += books[Int(e32)].okRows }
        for e32 in outgoing where isEdge(Int(e32)) { sizes[slot(keys[Int(e32)].project)] += books[Int(e32)].okRows }
        for f32 in spendingPlaces where isSpending(Int(f32)) { sizes[slot(spendingKeys[Int(f32)].project)] += spendingEvents[Int(f32)].count }
        for i in byProject.indices { byProject[i].events.reserveCapacity(sizes[i]) }
        func take(_ edgeIndices: ArraySlice<Int32>, _ kind: FlowEvent.Kind) {
            for e32 in edgeIndices where isEdge(Int(e32)) {
                let e = Int(e32)
                // Fields read in place: a copy of the edge's book retained each of its tables.
                let place = slot(keys[e].project)
                books[e].rows.appendEvents(from: books[e].start, count: books[e].okRows, kind, to: &byProject[place].events)
            }
        }
        take(incoming, .received)
        take(outgoing, .passedOn)
        // In file order, a run of one day's rows of one kind is one movement, as they streamed.
        for i in byProject.indices {
            byProject[i].events.mergeRunsInFileOrder()
        }
        for f32 in spendingPlaces where isSpending(Int(f32)) {
            let place = Int(f32)
            byProject[slot(spendingKeys[place].project)].events.append(contentsOf: spendingEvents[place])
        }
        return byProject.sorted { $0.project < $1.project }
    }

    private final class UnitIndex {
        /// A unit's edges are positions in the edge table, not hash look-ups.
        var edges = EdgeTable()
        var incoming = UnitLists()
        var outgoing = UnitLists()
        var spendingFlows = FlowTable()
        /// A unit's spending flows: their places in `spendingFlows`, one per project.
        var spendingFlowsOf = UnitLists()
        var units: [Int] = []
    }

    private func index() -> UnitIndex {
        if let unitIndex { return unitIndex }
        let index = UnitIndex()
        index.edges = transfers.edges
        let edges = index.edges
        index.incoming = UnitLists { add in
            for (i, edge) in edges.enumerated() where edge.value.okRows > 0 { add(edge.key.to, i) }
        }
        index.outgoing = UnitLists { add in
            for (i, edge) in edges.enumerated() where edge.value.okRows > 0 { add(edge.key.from, i) }
        }
        index.spendingFlows = spending.flows
        let spendingKeys = index.spendingFlows.keys
        index.spendingFlowsOf = UnitLists { add in
            for (place, key) in spendingKeys.enumerated() { add(key.from, place) }
        }
        let listed = max(index.incoming.unitCount, index.outgoing.unitCount, index.spendingFlowsOf.unitCount)
        index.units = (0..<listed).filter {
            !index.incoming[$0].isEmpty || !index.outgoing[$0].isEmpty || !index.spendingFlowsOf[$0].isEmpty
        }
        unitIndex = index
        return index
    }

    static func flowKey(unit: Int, project: Int) -> EdgeKey { EdgeKey(project: project, from: unit, to: -1) }
}
