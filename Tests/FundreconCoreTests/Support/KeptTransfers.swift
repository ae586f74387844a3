@testable import FundreconCore

/// A book that keeps every transfer row the loader accepts, in the order it is given them,
/// for tests that look at what went to the ledger.
struct KeptTransfers: TransferRowBook {
    var rows: [TransferRow] = []

    mutating func expect(rows: Int) {}
    mutating func add(_ row: TransferRow) { rows.append(row) }
    mutating func finish() {}
    mutating func absorb(_ tail: consuming KeptTransfers, dropping: Set<Int>) {
        rows += tail.rows.filter { !dropping.contains($0.line) }
    }
}

extension ScopeLoader {
    /// Loads the scope and hands back the transfer rows accepted.
    func loadKeepingTransfers(_ sources: ScopeSources) -> KeptTransfers {
        let books = RowBooks<KeptTransfers, SpendingBook>(transfers: { KeptTransfers() }, spending: nil)
        return load(sources, books: books).transfers ?? KeptTransfers()
    }
}
