/// A payment of spending.csv that failed (支付失败), for BL004.
struct FailedPayment: Sendable {
    let line: Int
    let key: RowKey
    let entity: Int
    let project: Int
    /// The payee as written, for the message.
    let payee: String?
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
/// re-payments). Owned by the thread that fills it, alongside the `TransferBook`.
public struct SpendingBook: RowBook {
    /// Filled once spending.csv has been read (`finish()`).
    private(set) var flows = FlowTable()
    private var building = FlowTableBuilder()
    /// Every paid row while the file is read, in file order: 24 bytes each, appended, never
    /// looked up one by one.
    private var paidRows: [PaidRow] = []
    /// The failed payments in the paid rows' form, for BL004's matching.
    private var failedKeys: [PaidRow] = []
    private(set) var failedPayments: [FailedPayment] = []

    public init() {}

    public mutating func expect(rows: Int) {
        guard paidRows.isEmpty else { return }
        paidRows.reserveCapacity(rows)
        building.reserve(rows)
    }

    /// BL004's answers, one per failed payment, known once the file is read.
    private(set) var repaid: [Bool] = []

    /// Groups the movements and answers BL004, after which the paid rows are dropped: at
    /// province scale they are 160 MB that the rules would otherwise carry.
    public mutating func finish() {
        repaid = FailedPaymentsNotRepaid.repaid(failedKeys, paidRows)
        paidRows = []
        failedKeys = []
        flows = building.finish()  // after the paid rows are gone: grouping holds the movements twice for a moment
    }

    public mutating func add(_ row: SpendingRow) {
        let key = RowKey(entity: row.entity, project: row.project, payee: row.payeeHash, amount: row.amount, day: row.date)
        switch row.status {
        case .paid:
            let place = building.record(unit: row.entity, project: row.project, row.date, row.amount, .spent, row.line, file: 1)
            paidRows.append(PaidRow(payee: row.payeeHash, amount: row.amount, place: Int32(clamping: place), day: key.day))
        case .failed:
            failedPayments.append(FailedPayment(line: row.line, key: key, entity: row.entity, project: row.project, payee: row.payee))
            let place = building.record(unit: row.entity, project: row.project, row.date, row.amount, .failedSpending, row.line, file: 1)
            failedKeys.append(PaidRow(payee: row.payeeHash, amount: row.amount, place: Int32(clamping: place), day: key.day))
        }
    }
}
