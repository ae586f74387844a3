import Foundation

/// Passes rows to a second thread in batches, in order: the reading thread parses and checks
/// each row, the other adds it to the book. On a big transfers file the book's hash look-ups
/// are a quarter of the work, and this takes them off the reading thread. The book goes to the
/// drain thread with the first batch and comes back from `finish()`.
// Unchecked: `filling` belongs to the reading thread; `book` to the reading thread until the
// drain thread starts, then to the drain thread until `drained` is signalled, then to the
// reading thread again; the batches between them pass under `lock`.
final class HandOff<Book: RowBook>: @unchecked Sendable {
    /// Taken out by `finish()`, so that the caller holds the only copy of its tables.
    @exclusivity(unchecked) private var book: Book?
    private let batchSize = 4096
    @exclusivity(unchecked) private var filling: [Book.Row] = []
    private var ready: [[Book.Row]] = []
    /// Emptied batches, handed back for the next fill. A fresh 200 KB batch every 4,096 rows
    /// touches new pages each time, and on a 2-core machine the page faults cost more than the
    /// rows (perf: over half of the reading thread's time at 10^7 rows on the first store).
    private var spare: [[Book.Row]] = []
    private let lock = NSLock()
    private let available = DispatchSemaphore(value: 0)
    /// Batches that may wait at once: bounds the memory between the two threads.
    private let room = DispatchSemaphore(value: 4)
    private let drained = DispatchSemaphore(value: 0)
    private var started = false

    init(_ book: consuming Book) {
        self.book = book
        filling.reserveCapacity(batchSize)
    }

    /// Called by the reading thread only, before the first row.
    func expect(rows: Int) {
        precondition(!started, "HandOff.expect after the first batch")
        book?.expect(rows: rows)
    }

    /// Called by the reading thread only.
    func add(_ row: Book.Row) {
        filling.append(row)
        if filling.count >= batchSize { ship() }
    }

    /// Hands over what is left, waits until every row is in the book, and gives the book back.
    func finish() -> Book {
        if started {
            if !filling.isEmpty { ship() }
            filling = []
            ship()  // an empty batch marks the end
            drained.wait()
        } else {
            for row in filling { book?.add(row) }  // a small file: no second thread at all
            filling = []
        }
        guard let book = book.take() else { preconditionFailure("HandOff.finish called twice") }
        return book
    }

    private func ship() {
        if !started {
            started = true
            let thread = Thread { self.drain() }
            thread.stackSize = 8 << 20
            thread.start()
        }
        room.wait()
        let next = lock.withLock {
            ready.append(filling)
            return spare.popLast()
        }
        available.signal()
        if let next {
            filling = next
        } else {
            filling = []
            filling.reserveCapacity(batchSize)
        }
    }

    private func drain() {
        while true {
            available.wait()
            var batch = lock.withLock { ready.removeFirst() }
            room.signal()
            if batch.isEmpty { break }
            for row in batch { book?.add(row) }
            batch.removeAll(keepingCapacity: true)  // the only reference left: no copy
            lock.withLock { spare.append(batch) }
        }
        drained.signal()
    }
}
