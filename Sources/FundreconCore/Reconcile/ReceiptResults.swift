/// What became of a transfer or a receipt when the two books were matched, in the order the
/// matching sheets list them: what needs action first.
public enum ReceiptStatus: Int, Sendable, CaseIterable, Comparable {
    /// Sent, not booked, for longer than `in_transit_days` (RC001).
    case overdue = 0
    /// Booked, sent by nobody (RC002).
    case notSent
    /// Matched, amounts differ (RC003).
    case amountDiffers
    /// Matched, booked under another project (RC004).
    case projectDiffers
    /// Sent, not yet booked, younger than `in_transit_days` (RC005).
    case inTransit
    /// Matched as a batch (RC006).
    case batch
    case matched
    /// Sent after the as-of date and not booked: not yet due.
    case sentAfterAsOf

    public static func < (a: ReceiptStatus, b: ReceiptStatus) -> Bool { a.rawValue < b.rawValue }

    /// The JSON's name.
    public var name: String {
        switch self {
        case .overdue: return "overdue"
        case .notSent: return "not-sent"
        case .amountDiffers: return "amount-differs"
        case .projectDiffers: return "project-differs"
        case .inTransit: return "in-transit"
        case .batch: return "batch"
        case .matched: return "matched"
        case .sentAfterAsOf: return "sent-after-as-of"
        }
    }

    public var label: Message {
        switch self {
        case .overdue: return Message(zh: "未入账（超期）", en: "not booked (overdue)")
        case .notSent: return Message(zh: "无拨付记录", en: "not sent")
        case .amountDiffers: return Message(zh: "金额不符", en: "amount differs")
        case .projectDiffers: return Message(zh: "项目不符", en: "project differs")
        case .inTransit: return Message(zh: "在途", en: "in transit")
        case .batch: return Message(zh: "合并/拆分匹配", en: "matched as a batch")
        case .matched: return Message(zh: "已匹配", en: "matched")
        case .sentAfterAsOf: return Message(zh: "基准日后拨出", en: "sent after the as-of date")
        }
    }
}

/// One side of a matching row: a transfer or a receipt. Held in 40 bytes, not 56: a
/// province's matching lists a third of a million of them (the books keep their lines and
/// projects as 32-bit numbers already).
public struct MatchedRow: Sendable, Equatable {
    private let storedLine: Int32
    public let day: Day
    public let amount: Fen
    private let storedProject: Int32
    private let storedPart: Int32
    public var voucher: String

    public var line: Int { Int(storedLine) }
    public var project: Int { Int(storedProject) }
    /// The part of receipts.csv a receipt is in (`ReceiptReport.receiptFiles`); 0 for a transfer.
    public var part: Int { Int(storedPart) }

    init(line: Int32, day: Day, amount: Fen, project: Int32, part: Int, voucher: String) {
        storedLine = line
        self.day = day
        self.amount = amount
        storedProject = project
        storedPart = Int32(clamping: part)
        self.voucher = voucher
    }
}

/// A row of a matching sheet: transfers beside the receipts they were matched with.
public struct ReceiptMatch: Sendable {
    public let status: ReceiptStatus
    public let cause: AmountCause?
    public let hop: Hop
    public let from: Int
    public let to: Int
    public internal(set) var transfers: [MatchedRow]
    public internal(set) var receipts: [MatchedRow]
    /// Days from the last transfer to the last receipt; nil when one side is missing.
    public var daysBetween: Int? {
        guard let t = transfers.map(\.day).max(), let r = receipts.map(\.day).max() else { return nil }
        return r - t
    }
    /// Days a transfer has waited for its receipt at the as-of date (in transit, overdue).
    public let age: Int?
    /// What the receipt's written sender voucher tells, for RC002's message.
    let note: ReceiptNote?

    /// Puts the matches in the order of the sheets: status, the oldest first, then the units
    /// and the first lines. In place: a sorted copy held them twice at the run's peak.
    static func sort(_ matches: inout [ReceiptMatch]) {
        func key(_ m: ReceiptMatch) -> (Int, Int, Int, Int, Int, Int) {
            (m.status.rawValue, -(m.age ?? 0), m.from, m.to, m.transfers.first?.line ?? 0, m.receipts.first?.line ?? 0)
        }
        matches.sort { key($0) < key($1) }
    }
}

/// What a receipt's written sender voucher tells: `refLine` 0 when it names none, -1 when
/// transfers.csv has no such voucher, else that line; `sentHere` when the line is between the
/// same units.
struct ReceiptNote: Sendable {
    let refLine: Int32
    let sentHere: Bool
}

/// How long transfers have waited for their receipts, in the overview's bands.
public enum AgingBand: Int, Sendable, CaseIterable {
    case upTo15 = 0, upTo30, upTo90, over90

    public init(days: Int) {
        switch days {
        case ...15: self = .upTo15
        case ...30: self = .upTo30
        case ...90: self = .upTo90
        default: self = .over90
        }
    }

    public var label: String {
        switch self {
        case .upTo15: return "0–15"
        case .upTo30: return "16–30"
        case .upTo90: return "31–90"
        case .over90: return "> 90"
        }
    }

    /// The JSON's name.
    public var name: String {
        switch self {
        case .upTo15: return "0-15"
        case .upTo30: return "16-30"
        case .upTo90: return "31-90"
        case .over90: return "over-90"
        }
    }
}

/// A count of rows and their money.
public struct CountedAmount: Sendable, Equatable {
    public internal(set) var count = 0
    public internal(set) var amount: Fen = 0

    mutating func add(_ amount: Fen, rows: Int = 1) {
        count += rows
        self.amount += amount
    }

    mutating func add(_ other: CountedAmount) { add(other.amount, rows: other.count) }
}

/// One hop's two books side by side.
public struct ReceiptHopTotals: Sendable {
    public let hop: Hop
    /// Transfers to receivers that keep books in receipts.csv, dated up to the as-of date.
    public internal(set) var sent = CountedAmount()
    public internal(set) var received = CountedAmount()
    /// Transfers to receivers that have no row in receipts.csv: not matched.
    public internal(set) var notCovered = CountedAmount()
    /// Transfers waiting for their receipt, by how long.
    public internal(set) var inTransit = [CountedAmount](repeating: CountedAmount(), count: AgingBand.allCases.count)
    /// Matches by status, counted in matches and in the transfers' money (the receipts' for
    /// `notSent`).
    public internal(set) var byStatus = [CountedAmount](repeating: CountedAmount(), count: ReceiptStatus.allCases.count)

    init(hop: Hop) { self.hop = hop }

    public func status(_ s: ReceiptStatus) -> CountedAmount { byStatus[s.rawValue] }

    mutating func add(_ other: ReceiptHopTotals) {
        sent.add(other.sent)
        received.add(other.received)
        notCovered.add(other.notCovered)
        for i in inTransit.indices { inTransit[i].add(other.inTransit[i]) }
        for i in byStatus.indices { byStatus[i].add(other.byStatus[i]) }
    }
}

/// The two books matched: per hop their totals, and the rows of the matching sheets.
public struct ReceiptReport: Sendable {
    public let asOf: Day
    public internal(set) var hops: [ReceiptHopTotals]
    /// Every match but plain ones past `listedMatches` per hop, in the sheets' order.
    public internal(set) var matches: [ReceiptMatch]
    /// Plain matches left out of `matches` per hop (they are counted in `hops`).
    public internal(set) var unlistedMatches: [Hop: Int]
    /// receipts.csv's parts, by part.
    public let receiptFiles: [String]

    /// The listed matches per hop, in hop order: a matching sheet each.
    var sheets: [(hop: Hop, matches: [Int])] {
        var byHop: [Hop: [Int]] = [:]
        for (i, m) in matches.enumerated() { byHop[m.hop, default: []].append(i) }
        return byHop.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Plain matches listed per hop at most: a sheet of every matched pair of a province
    /// (millions) helps nobody and passes Excel's row limit; every other status is listed whole.
    public static let listedMatches = 20_000
}
