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

    /// What the rules read, taken out of the book once both files are read: the book is
    /// empty after. `unitIndex`: also index each unit's edges and movements (for the balances).
    func seal(unitIndex: Bool) -> Ledger {
        let ledger = Ledger(edges: transfers.edges, spendingFlows: spending.flows, failedPayments: spending.failedPayments,
                            repaid: spending.repaid, latestTransferDay: transfers.latestDay, unitIndex: unitIndex)
        transfers.release()
        spending.release()
        return ledger
    }

    var latestTransferDay: Day? { transfers.latestDay }

    static func flowKey(unit: Int, project: Int) -> EdgeKey { EdgeKey(project: project, from: unit, to: -1) }
}
