/// receipts.csv as the RC rules read it: the receipts grouped by the units they pass
/// between, the sender's vouchers they name, and both files' voucher tables, to find the
/// transfer a receipt names and to spell the vouchers on the matching sheets.
struct ReceiptLedger: Sendable {
    let book: ReceiptBook
    let vouchers: VoucherTables

    /// The line of transfers.csv whose voucher receipt `i` names; 0 when it names none, -1
    /// when it names a voucher transfers.csv does not have. `tables`: the thread's own copy
    /// of `vouchers`, whose scratch the look-up writes.
    func refLine(_ i: Int, in tables: inout VoucherTables) -> Int32 {
        guard let ref = book.ref(i) else { return 0 }
        return tables.transferLine(of: ref).map { Int32(clamping: $0) } ?? -1
    }

    /// Spells the vouchers of the report's listed rows as written: one pass over each voucher
    /// table, after the listing is cut. In place: a copy of the rows would double them at
    /// the run's peak.
    func spell(_ report: inout ReceiptReport) {
        var transferLines = LineSet()
        var receiptLines = [LineSet](repeating: LineSet(), count: vouchers.receipts.count)
        for m in report.matches {
            for t in m.transfers { transferLines.insert(t.line) }
            for r in m.receipts where receiptLines.indices.contains(r.part) { receiptLines[r.part].insert(r.line) }
        }
        let transfers = VoucherTables.spelled(vouchers.transfers, lines: transferLines)
        // Each part's vouchers from its own table: two receivers may number alike.
        let receipts = zip(vouchers.receipts, receiptLines).map { table, lines in lines.isEmpty ? [:] : table.vouchers(onLines: lines) }
        for i in report.matches.indices {
            for k in report.matches[i].transfers.indices {
                report.matches[i].transfers[k].voucher = transfers[Int32(clamping: report.matches[i].transfers[k].line)] ?? ""
            }
            for k in report.matches[i].receipts.indices {
                let row = report.matches[i].receipts[k]
                report.matches[i].receipts[k].voucher = receipts.indices.contains(row.part) ? receipts[row.part][Int32(clamping: row.line)] ?? "" : ""
            }
        }
    }
}

/// Line numbers as a bitset: asked once for each voucher of a table (10^7 at province scale),
/// where a hashed set would hash each.
struct LineSet: Sendable {
    private var words: [UInt64] = []
    private(set) var isEmpty = true

    mutating func insert(_ line: Int) {
        guard line > 0 else { return }
        let w = line >> 6
        if w >= words.count { words += [UInt64](repeating: 0, count: w + 1 - words.count) }
        words[w] |= 1 << UInt64(line & 63)
        isEmpty = false
    }

    func contains(_ line: Int) -> Bool {
        let w = line >> 6
        return line > 0 && w < words.count && words[w] & (1 << UInt64(line & 63)) != 0
    }
}
