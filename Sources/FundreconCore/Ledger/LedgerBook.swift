/// The streamed rows of transfers.csv and spending.csv, as the reading threads hand their
/// books back: per edge its rows' day, amount and line, per unit and project what was spent,
/// and BL004's answers; never the rows' text.
public struct LedgerBook: Sendable {
    private(set) var transfers: TransferBook
    let spending: SpendingBook
    private(set) var receipts: ReceiptBook?
    private(set) var vouchers: VoucherTables

    /// The books the loader should fill. `rowLevelOnly`: keep only what the row-level rules
    /// (FL001, FL007) need, and no spending at all.
    public static func books(rowLevelOnly: Bool = false) -> RowBooks<TransferBook, SpendingBook> {
        RowBooks(transfers: { @Sendable in TransferBook() }, spending: rowLevelOnly ? nil : { @Sendable in SpendingBook() },
                 receipts: { @Sendable in ReceiptBook() })
    }

    /// A file that was not read (or whose rows were not kept) leaves its book empty.
    public init(_ filled: consuming FilledBooks<TransferBook, SpendingBook>, vouchers: VoucherTables = VoucherTables()) {
        transfers = filled.transfers ?? TransferBook()
        spending = filled.spending ?? SpendingBook()
        receipts = filled.receipts
        self.vouchers = vouchers
    }

    /// What the rules read. `unitIndex`: also index each unit's edges and movements (for the
    /// balances). Consumes the book, so the ledger holds the only copy of its tables.
    ///
    /// The receipt book and the voucher tables are moved out first: the receipt ledger then
    /// holds the only reference, and what it lets go while it is made goes at once.
    consuming func seal(unitIndex: Bool) -> Ledger {
        let tables = vouchers
        vouchers = VoucherTables()
        var receiptLedger: ReceiptLedger?
        // Bound and consumed in one place: a named optional would keep a second reference to
        // the book's columns for the whole seal, and the written vouchers would not go.
        if let book = receipts.take() { receiptLedger = ReceiptLedger(book: consume book, vouchers: consume tables) }
        // After the receipt ledger has let the written vouchers and the voucher tables' hashes
        // go: the grouping holds a column twice.
        transfers.groupByEdge()
        return Ledger(edges: transfers.edges, spendingFlows: spending.flows, failedPayments: spending.failedPayments,
                      repaid: spending.repaid, latestTransferDay: transfers.latestDay, unitIndex: unitIndex,
                      receipts: receiptLedger)
    }

    var latestTransferDay: Day? { transfers.latestDay }
    var latestReceiptDay: Day? { receipts?.latestDay }

    static func flowKey(unit: Int, project: Int) -> EdgeKey { EdgeKey(project: project, from: unit, to: -1) }
}
