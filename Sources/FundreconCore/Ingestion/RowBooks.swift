/// Where the rows of a streamed file (transfers.csv, spending.csv) go once accepted: a book
/// that the thread reading the file makes, owns while it reads, and hands back when the file
/// is read. No two threads ever hold the same book.
public protocol RowBook<Row>: Sendable {
    associatedtype Row
    /// How many rows the file probably holds, told before its first row, to size tables.
    mutating func expect(rows: Int)
    mutating func add(_ row: Row)
    /// After the file's last row.
    mutating func finish()
}

/// A book of transfers.csv, which may be read in two parts at once, each into a book of its own.
public protocol TransferRowBook: RowBook where Row == TransferRow {
    /// Takes in the rows of the file's second part, read into `tail`, as if they had come
    /// after this book's, leaving out the lines given (their voucher turned out to be used in
    /// the first part). Before `finish()`.
    mutating func absorb(_ tail: consuming Self, dropping: Set<Int>)
}

/// How the loader makes a book for each streamed file whose rows are kept; nil: the file's
/// rows are checked and counted, and go nowhere.
public struct RowBooks<Transfers: TransferRowBook, Spending: RowBook<SpendingRow>>: Sendable {
    public var transfers: (@Sendable () -> Transfers)?
    public var spending: (@Sendable () -> Spending)?
    public var receipts: (@Sendable () -> ReceiptBook)?

    public init(transfers: (@Sendable () -> Transfers)?, spending: (@Sendable () -> Spending)?,
                receipts: (@Sendable () -> ReceiptBook)? = nil) {
        self.transfers = transfers
        self.spending = spending
        self.receipts = receipts
    }
}

/// The books handed back by the reading threads, each finished; nil when the file was not
/// read or its rows were not kept.
public struct FilledBooks<Transfers: TransferRowBook, Spending: RowBook<SpendingRow>>: Sendable {
    public var transfers: Transfers?
    public var spending: Spending?
    public var receipts: ReceiptBook?
}

/// A reading thread's book while its rows go in through a `RowSinks` closure, so that the
/// closure captures this box and not a variable: a captured variable's every row would pay a
/// run-time exclusivity check. Never shared: made, filled and emptied on one thread.
final class BookInHand<Book: RowBook> {
    @exclusivity(unchecked) private var book: Book?

    init(_ book: consuming Book) { self.book = book }

    func add(_ row: Book.Row) { book?.add(row) }

    func expect(rows: Int) { book?.expect(rows: rows) }

    /// The book, leaving the box empty, so that the caller holds its only copy.
    func take() -> Book? { book.take() }
}

/// The calls one reading thread makes for its own file's accepted rows. Never leaves that
/// thread: the rows end in a book the thread owns, or in a `HandOff` to its drain thread.
struct RowSinks {
    var transfer: ((TransferRow) -> Void)?
    var spending: ((SpendingRow) -> Void)?
    var receipt: ((ReceiptRow) -> Void)?
    /// Told how many rows the file probably holds before its first row.
    var expect: ((Int) -> Void)?
}
