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

/// What streamed past for one edge: its `ok` money by day (same-day rows merged) and the
/// rows that did not move money.
struct EdgeBook: Sendable {
    var days: [Int32] = []
    var amounts: [Fen] = []
    var dayLines: [Int32] = []  // first row of each merged day
    var failed: [FailedTransfer] = []
    var firstLine = 0
    var lastLine = 0
    var okRows = 0
    /// Sum of the `ok` rows (every one, whatever its date).
    var total: Fen = 0

    mutating func addOK(_ day: Day, _ amount: Fen, line: Int) {
        if let last = days.last, last == day.daysSinceEpoch, let a = amounts.last {
            amounts[amounts.count - 1] = a + amount
        } else {
            days.append(day.daysSinceEpoch)
            amounts.append(amount)
            dayLines.append(Int32(clamping: line))
        }
        total += amount
        okRows += 1
        note(line)
    }

    /// Row-level checks need only the total: no day arrays.
    mutating func addTotal(_ amount: Fen, line: Int) {
        total += amount
        okRows += 1
        note(line)
    }

    mutating func note(_ line: Int) {
        if firstLine == 0 { firstLine = line }
        lastLine = line
    }

    /// Net money by day up to `asOf`, in day order, with the first row of each day.
    func byDay(upTo asOf: Day) -> [(day: Day, amount: Fen, line: Int)] {
        var net: [Int32: (Fen, Int32)] = [:]
        for i in days.indices where days[i] <= asOf.daysSinceEpoch {
            let (sum, line) = net[days[i]] ?? (0, dayLines[i])
            net[days[i]] = (sum + amounts[i], min(line, dayLines[i]))
        }
        return net.keys.sorted().map { d in
            let (sum, line) = net[d] ?? (0, 0)
            return (Day(daysSinceEpoch: d), sum, Int(line))
        }
    }

    /// `ok` money dated after `asOf`: listed, not yet counted.
    func after(_ asOf: Day) -> Fen {
        zip(days, amounts).reduce(0) { $0 + ($1.0 > asOf.daysSinceEpoch ? $1.1 : 0) }
    }
}

/// A movement of money at a unit on one project: in (received), out (passed on), spent.
struct FlowEvent: Sendable {
    enum Kind: UInt8, Sendable { case received, passedOn, spent, failedSpending }
    let day: Int32
    let amount: Fen
    let kind: Kind
    let line: Int32
    let file: UInt8  // 0 transfers, 1 spending
}

/// Accumulates the streamed rows of transfers.csv and spending.csv. Keeps per edge, per
/// unit and project, and a compact key per row (for FL007, FL009, BL004): never the rows.
public final class LedgerBook {
    private(set) var edges: [EdgeKey: EdgeBook] = [:]
    private(set) var flows: [EdgeKey: [FlowEvent]] = [:]  // keyed (project, unit, -1)
    private(set) var transferKeys = RowKeyIndex()
    private(set) var paidKeys = RowKeyIndex()
    private(set) var duplicates: [(line: Int, earlier: Int, key: RowKey, edge: EdgeKey)] = []
    private(set) var failedPayments: [(line: Int, key: RowKey, entity: Int, project: Int, payee: String?)] = []
    /// Latest transfer date, for the default period end.
    private(set) var latestTransferDay: Day?
    private(set) var transferTotal: Fen = 0
    private(set) var spendingTotal: Fen = 0

    /// Keeps only what the row-level rules (FL001, FL007) need: no flows through units.
    let rowLevelOnly: Bool

    public init(rowLevelOnly: Bool = false) { self.rowLevelOnly = rowLevelOnly }

    /// Sizes the row-key tables for a file's expected rows, so a big file does not pay for
    /// rehashing (and the transient second table it needs).
    public func expect(_ file: InputFile, rows: Int) {
        switch file {
        case .transfers: if transferKeys.count == 0 { transferKeys = RowKeyIndex(capacity: rows) }
        case .spending: if paidKeys.count == 0 && !rowLevelOnly { paidKeys = RowKeyIndex(capacity: rows) }
        default: break
        }
    }

    static func flowKey(unit: Int, project: Int) -> EdgeKey { EdgeKey(project: project, from: unit, to: -1) }

    public func add(_ row: TransferRow) {
        let edge = EdgeKey(project: row.project, from: row.from, to: row.to)
        latestTransferDay = max(latestTransferDay ?? row.date, row.date)
        transferTotal += row.amount
        switch row.status {
        case .ok:
            if rowLevelOnly {
                edges[edge, default: EdgeBook()].addTotal(row.amount, line: row.line)
            } else {
                edges[edge, default: EdgeBook()].addOK(row.date, row.amount, line: row.line)
            }
            let key = RowKey(project: row.project, from: row.from, to: row.to, amount: row.amount, day: row.date)
            if let earlier = transferKeys.insert(key, line: row.line) {
                duplicates.append((row.line, earlier, key, edge))
            }
            guard !rowLevelOnly else { return }
            record(unit: row.to, project: row.project, row.date, row.amount, .received, row.line, file: 0)
            record(unit: row.from, project: row.project, row.date, row.amount, .passedOn, row.line, file: 0)
        case .failed, .returned:
            edges[edge, default: EdgeBook()].failed.append(FailedTransfer(line: row.line, day: row.date, amount: row.amount, status: row.status))
            edges[edge, default: EdgeBook()].note(row.line)
        }
    }

    public func add(_ row: SpendingRow) {
        spendingTotal += row.amount
        guard !rowLevelOnly else { return }
        let key = RowKey(entity: row.entity, project: row.project, payee: row.payeeHash, amount: row.amount, day: row.date)
        switch row.status {
        case .paid:
            _ = paidKeys.insert(key, line: row.line)
            record(unit: row.entity, project: row.project, row.date, row.amount, .spent, row.line, file: 1)
        case .failed:
            failedPayments.append((row.line, key, row.entity, row.project, row.payee))
            record(unit: row.entity, project: row.project, row.date, row.amount, .failedSpending, row.line, file: 1)
        }
    }

    /// Appends a movement, merged into the previous one when it is the same day and kind
    /// (rows come roughly in date order, so this keeps a unit's events near one a day).
    private func record(unit: Int, project: Int, _ day: Day, _ amount: Fen, _ kind: FlowEvent.Kind, _ line: Int, file: UInt8) {
        let key = LedgerBook.flowKey(unit: unit, project: project)
        let d = day.daysSinceEpoch
        if let last = flows[key]?.last, last.day == d, last.kind == kind, last.file == file {
            flows[key, default: []][(flows[key]?.count ?? 1) - 1] = FlowEvent(day: d, amount: last.amount + amount, kind: kind, line: last.line, file: file)
        } else {
            flows[key, default: []].append(FlowEvent(day: d, amount: amount, kind: kind, line: Int32(clamping: line), file: file))
        }
    }
}
