import Foundation
import Synchronization
import Testing
@testable import FundreconCore

/// A value handed to `LetGoElsewhere.drop` is freed, and freed on another thread than the
/// caller's: the point of the trick is that the caller does not pay for it.
@Suite struct LetGoElsewhereTests {
    /// Says on which thread it was freed.
    final class Witness: Sendable {
        let freed: @Sendable (UInt) -> Void
        init(freed: @escaping @Sendable (UInt) -> Void) { self.freed = freed }
        deinit { freed(UInt(pthread_self())) }
    }

    @Test func theValueIsFreedOnAnotherThread() {
        let freedOn = Mutex<UInt?>(nil)
        let freed = DispatchSemaphore(value: 0)
        let caller = UInt(pthread_self())
        LetGoElsewhere.drop([Witness { thread in
            freedOn.withLock { $0 = thread }
            freed.signal()
        }])
        #expect(freed.wait(timeout: .now() + 30) == .success)
        let thread = freedOn.withLock { $0 }
        #expect(thread != nil)
        #expect(thread != caller)
    }
}
