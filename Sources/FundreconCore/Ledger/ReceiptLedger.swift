import CSupport

/// receipts.csv as the RC rules read it: the receipts grouped by the units they pass
/// between, the sender's vouchers they name, and both files' voucher tables, to find the
/// transfer a receipt names and to spell the vouchers on the matching sheets.
struct ReceiptLedger: Sendable {
    /// The rows, each linked to the line of transfers.csv it names (`BookedReceipt.link`).
    private(set) var book: ReceiptBook
    let vouchers: VoucherTables

    /// Takes the book and the tables over (the caller keeps no reference, so what is let go
    /// here goes at once): looks the written vouchers up as they are let go, settles the
    /// tables for spelling only, groups the rows by pair, and then writes the lines the rows
    /// name into them, each step after the one before has let go what it could.
    init(book: consuming ReceiptBook, vouchers: consuming VoucherTables) {
        var written = book.takeRefs()
        // Looked up on two threads, so that the written vouchers (8 bytes a row) go.
        let refLines = Self.lookUp(&written, in: vouchers)
        // The keys' chunks went back to the heap, not to the system; the tables' column by
        // line, made next, would otherwise take fresh pages beside them.
        fundrecon_release_free_memory()
        vouchers.settle()
        book.groupByPair()
        book.link(toLines: consume refLines)
        // The lines' chunks, as the keys' before them: handed back before the edges' grouping,
        // the seal's peak, which would otherwise come on top of them.
        fundrecon_release_free_memory()
        self.book = book
        self.vouchers = vouchers
    }

    /// Each receipt's line of transfers.csv. The tables' copy lives only in this call: the
    /// settling after it must find the tables held once, or their hashes would not go.
    private static func lookUp(_ written: inout WrittenVouchers, in vouchers: borrowing VoucherTables) -> RowChunks<Int32> {
        let tables = copy vouchers
        return written.answered { shapes in
            var scratch = tables  // the look-ups write the tables' scratch: a copy a thread
            let numbers = scratch.transferShapeNumbers(for: shapes)
            return WrittenVouchers.Answerer(prefetch: { scratch.prefetchTransferLine(of: $0, numbers: numbers) }, answer: { ref in
                guard let ref else { return 0 }
                return scratch.transferLine(of: ref, shapes: shapes, numbers: numbers).map { Int32(clamping: $0) } ?? -1
            })
        }
    }

    /// Starts loading pair `place`'s rows (`ReceiptBook.prefetchRows`).
    func prefetch(pair place: Int) {
        book.prefetchRows(ofPair: place)
    }

    /// Once the rows are matched: only the voucher tables are left, to spell what was listed.
    mutating func letGoOfRows() {
        book = ReceiptBook()
    }

    /// Spells the vouchers of the report's listed rows as written (what knows an RC finding's
    /// row across runs, where its line moves): one pass over each voucher table, after the
    /// listing is cut. In place: a copy of the rows would double them at the run's peak.
    func spell(_ report: inout ReceiptReport?) {
        var transferLines = LineSet()
        var receiptLines = [LineSet](repeating: LineSet(), count: vouchers.receipts.count)
        for m in report?.matches ?? [] {
            for t in m.transfers { transferLines.insert(t.line) }
            for r in m.receipts where receiptLines.indices.contains(r.part) { receiptLines[r.part].insert(r.line) }
        }
        let transfers = VoucherTables.spelled(vouchers.transfers, lines: transferLines)
        // Each part's vouchers from its own table: two receivers may number alike.
        let receipts = zip(vouchers.receipts, receiptLines).map { table, lines in lines.isEmpty ? [:] : table.vouchers(onLines: lines) }
        guard var listed = report.take() else { return }
        for i in listed.matches.indices {
            for k in listed.matches[i].transfers.indices {
                listed.matches[i].transfers[k].voucher = transfers[Int32(clamping: listed.matches[i].transfers[k].line)] ?? ""
            }
            for k in listed.matches[i].receipts.indices {
                let r = listed.matches[i].receipts[k]
                let spelt = receipts.indices.contains(r.part) ? receipts[r.part][Int32(clamping: r.line)] : nil
                listed.matches[i].receipts[k].voucher = spelt ?? ""
            }
        }
        report = listed
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
