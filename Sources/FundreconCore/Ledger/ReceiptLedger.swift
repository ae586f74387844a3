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

    /// Spells the vouchers of the report's listed rows as written, and names the row of each
    /// RC finding by its voucher (what knows it across runs, where its line moves): one pass
    /// over each voucher table for both, after the listing is cut. In place: a copy of the
    /// rows would double them at the run's peak.
    func spell(_ report: inout ReceiptReport?, findings outputs: inout [RuleOutput], receiptFiles: [String]) {
        var transferLines = LineSet()
        var receiptLines = [LineSet](repeating: LineSet(), count: vouchers.receipts.count)
        func note(_ line: Int, part: Int?) {
            if let part { if receiptLines.indices.contains(part) { receiptLines[part].insert(line) } } else { transferLines.insert(line) }
        }
        for m in report?.matches ?? [] {
            for t in m.transfers { note(t.line, part: nil) }
            for r in m.receipts { note(r.line, part: r.part) }
        }
        func row(of f: Finding) -> (line: Int, part: Int?)? {
            guard f.code.rawValue.hasPrefix("RC"), let line = f.primary.line else { return nil }
            return (line, receiptFiles.firstIndex(of: f.primary.file))
        }
        for output in outputs { for f in output.log.findings { if let r = row(of: f) { note(r.line, part: r.part) } } }
        let transfers = VoucherTables.spelled(vouchers.transfers, lines: transferLines)
        // Each part's vouchers from its own table: two receivers may number alike.
        let receipts = zip(vouchers.receipts, receiptLines).map { table, lines in lines.isEmpty ? [:] : table.vouchers(onLines: lines) }
        func voucher(_ line: Int, part: Int?) -> String? {
            guard let part else { return transfers[Int32(clamping: line)] }
            return receipts.indices.contains(part) ? receipts[part][Int32(clamping: line)] : nil
        }
        if var listed = report.take() {
            for i in listed.matches.indices {
                for k in listed.matches[i].transfers.indices {
                    listed.matches[i].transfers[k].voucher = voucher(listed.matches[i].transfers[k].line, part: nil) ?? ""
                }
                for k in listed.matches[i].receipts.indices {
                    let r = listed.matches[i].receipts[k]
                    listed.matches[i].receipts[k].voucher = voucher(r.line, part: r.part) ?? ""
                }
            }
            report = listed
        }
        for i in outputs.indices {
            outputs[i].log.update { f in
                if let r = row(of: f) { f.voucher = voucher(r.line, part: r.part) }
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
