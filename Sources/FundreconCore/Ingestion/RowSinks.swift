/// Callbacks for the rows that are streamed, not kept.
public struct RowSinks {
    public var transfer: ((TransferRow) -> Void)?
    public var spending: ((SpendingRow) -> Void)?
    /// Told how many rows a streamed file probably holds before its first row, to size tables.
    public var expect: ((InputFile, Int) -> Void)?
    /// Told when a streamed file's last row has been delivered (or the file had none).
    public var finished: ((InputFile) -> Void)?
    /// Where a second reader of transfers.csv (its end, read at the same time as its
    /// beginning) sends its rows; nil: the file is read by one thread.
    public var transferTail: (() -> TransferTail)?
    public init(transfer: ((TransferRow) -> Void)? = nil, spending: ((SpendingRow) -> Void)? = nil,
                expect: ((InputFile, Int) -> Void)? = nil, finished: ((InputFile) -> Void)? = nil) {
        self.transfer = transfer
        self.spending = spending
        self.expect = expect
        self.finished = finished
    }
}

/// The rows of the end of transfers.csv, kept apart until the beginning has been read.
public struct TransferTail {
    public let expect: (Int) -> Void
    public let add: (TransferRow) -> Void
    /// Folds the rows in after the beginning's, leaving out the lines given (their voucher
    /// turned out to be used in the beginning).
    public let absorb: (Set<Int>) -> Void

    public init(expect: @escaping (Int) -> Void, add: @escaping (TransferRow) -> Void, absorb: @escaping (Set<Int>) -> Void) {
        self.expect = expect
        self.add = add
        self.absorb = absorb
    }
}
