/// receipts.csv as the RC rules read it: the receipts grouped by the units they pass
/// between, each with the line of transfers.csv whose voucher it names, and both files'
/// vouchers for the matching sheets.
struct ReceiptLedger: Sendable {
    let book: ReceiptBook
    /// Per receipt: the line of transfers.csv whose voucher it names; 0 when it names none,
    /// -1 when it names a voucher transfers.csv does not have.
    let refLines: [Int32]
    let vouchers: VoucherTables

    init(_ book: ReceiptBook, vouchers: VoucherTables) {
        var refLines = [Int32](repeating: 0, count: book.count)
        for i in refLines.indices {
            guard let ref = book.ref(i) else { continue }
            refLines[i] = vouchers.transferLine(of: ref).map { Int32(clamping: $0) } ?? -1
        }
        self.book = book.droppingRefs()
        self.refLines = refLines
        self.vouchers = vouchers
    }

    /// The vouchers of `lines` of transfers.csv and of receipts.csv, as written.
    func voucherTexts(transferLines: Set<Int32>, receiptLines: Set<Int32>) -> (transfers: [Int32: String], receipts: [Int32: String]) {
        (VoucherTables.spelled(vouchers.transfers, lines: transferLines), VoucherTables.spelled(vouchers.receipts, lines: receiptLines))
    }
}
