import Synchronization

/// A value handed to another thread to own: it is taken out once, after which the box holds
/// nothing, so the taker has the only reference (a big column can then be let go, or changed
/// in place, as soon as the taker is done with it).
final class Handed<Value: Sendable>: Sendable {
    private let value: Mutex<Value?>

    init(_ value: Value) { self.value = Mutex(value) }

    /// The value; nil when it was taken before.
    func take() -> Value? { value.withLock { $0.take() } }
}
