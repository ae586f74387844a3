import Foundation

/// Passes rows to a second thread in batches, in order: the reading thread parses and checks
/// each row, the other adds it to the ledger. On a big transfers file the ledger's hash look-ups
/// are a quarter of the work, and this takes them off the reading thread.
// Unchecked: `filling` belongs to the reading thread and `consume` runs on the drain thread
// only; the batches between them pass under `lock`.
final class HandOff<Row>: @unchecked Sendable {
    private let consume: (Row) -> Void
    private let batchSize = 4096
    private var filling: [Row] = []
    private var ready: [[Row]] = []
    /// Emptied batches, handed back for the next fill. A fresh 200 KB batch every 4,096 rows
    /// touches new pages each time, and on a 2-core VM the page faults cost more than the
    /// rows (perf: over half of the reading thread's time at 10^7 rows on the first store).
    private var spare: [[Row]] = []
    private let lock = NSLock()
    private let available = DispatchSemaphore(value: 0)
    /// Batches that may wait at once: bounds the memory between the two threads.
    private let room = DispatchSemaphore(value: 4)
    private let drained = DispatchSemaphore(value: 0)
    private var started = false

    init(_ consume: @escaping (Row) -> Void) {
        self.consume = consume
        filling.reserveCapacity(batchSize)
    }

    /// Called by the reading thread only.
    func add(_ row: Row) {
        filling.append(row)
        if filling.count >= batchSize { ship() }
    }

    /// Hands over what is left and waits until every row has been consumed.
    func finish() {
        guard started else {
            for row in filling { consume(row) }  // a small file: no second thread at all
            filling = []
            return
        }
        if !filling.isEmpty { ship() }
        filling = []
        ship()  // an empty batch marks the end
        drained.wait()
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
            for row in batch { consume(row) }
            batch.removeAll(keepingCapacity: true)  // the only reference left: no copy
            lock.withLock { spare.append(batch) }
        }
        drained.signal()
    }
}
