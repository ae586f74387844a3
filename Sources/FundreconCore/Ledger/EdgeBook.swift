import CSupport

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

    /// Starts loading row `start` of each column (an edge's first).
    func prefetch(from start: Int) {
        guard start >= 0 && start < min(days.count, amounts.count, lines.count) else { return }
        days.withUnsafeBufferPointer { if let b = $0.baseAddress { fundrecon_prefetch(b + start) } }
        amounts.withUnsafeBufferPointer { if let b = $0.baseAddress { fundrecon_prefetch(b + start) } }
        lines.withUnsafeBufferPointer { if let b = $0.baseAddress { fundrecon_prefetch(b + start) } }
    }

    /// Appends rows start..<start+count (an edge's `ok` rows) as movements of `kind`: received
    /// at the payee, passed on at the payer.
    func appendEvents(from start: Int, count: Int, _ kind: FlowEvent.Kind, to list: inout [FlowEvent]) {
        let end = start + count
        precondition(start >= 0 && end <= min(days.count, amounts.count, lines.count), "an edge's rows lie outside its columns")
        guard start < end else { return }
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
