import Foundation
import Synchronization

/// Lets a value go on a thread of its own. A sealed ledger at 10^7 rows is millions of small
/// arrays, and freeing them one by one takes a tenth of a second of the caller's time; a run
/// that has no more use for its memory (a `check`, which only prints what it found) need not
/// wait for that.
public enum LetGoElsewhere {
    /// Hands `value` to a new thread, which drops it; returns at once. The thread empties the
    /// box that holds the only reference, so the value's deinitialisers run there.
    public static func drop<Value: Sendable>(_ value: consuming Value) {
        let held = Held(value)
        let thread = Thread { held.empty() }
        thread.start()
    }

    private final class Held<Value: Sendable>: Sendable {
        private let value: Mutex<Value?>
        init(_ value: consuming Value) { self.value = Mutex(value) }
        func empty() { value.withLock { $0 = nil } }
    }
}
