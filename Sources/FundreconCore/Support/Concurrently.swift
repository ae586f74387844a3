import Foundation
import Synchronization

/// Runs a few independent pieces of work at once, one thread each (the calling thread takes
/// the first), and returns their results in order. Each piece owns what it writes and hands
/// it back as its result.
enum Concurrently {
    /// The work and its inputs and outputs must be `Sendable`: the compiler checks that the
    /// pieces share nothing they could race on. The inputs are consumed: a piece holds the
    /// only reference to its input (a column to regroup is let go as the piece goes).
    static func map<Input: Sendable, Output: Sendable>(_ inputs: consuming [Input],
                                                      _ work: @escaping @Sendable (Input) -> Output) -> [Output] {
        let jobs = (consume inputs).map { Job(input: $0, work: work) }
        for job in jobs.dropFirst() {
            let thread = Thread { job.run() }
            thread.stackSize = 8 << 20
            thread.start()
        }
        jobs.first?.run()
        return jobs.compactMap { $0.result() }
    }

    /// `first` and `second` on two threads, `second` held back until `first` calls the
    /// `ready` it is given, or ends without calling it; both results, once both are done.
    /// For work that uses both cores up to a point and one after it (a workbook fills its
    /// rows on two threads, then packs them on one).
    static func inTurn<First: Sendable, Second: Sendable>(_ first: @escaping @Sendable (_ ready: @escaping @Sendable () -> Void) -> First,
                                                          then second: @escaping @Sendable () -> Second) -> (First, Second) {
        let go = DispatchSemaphore(value: 0)
        let done = map([0, 1]) { job -> Either<First, Second> in
            guard job == 1 else {
                defer { go.signal() }  // whatever `first` did, `second` is let go
                return .first(first { go.signal() })
            }
            go.wait()
            return .second(second())
        }
        guard done.count == 2, case .first(let a) = done[0], case .second(let b) = done[1] else {
            preconditionFailure("Concurrently.inTurn: two jobs, in order")
        }
        return (a, b)
    }

    private enum Either<First: Sendable, Second: Sendable>: Sendable {
        case first(First)
        case second(Second)
    }

    private final class Job<Input: Sendable, Output: Sendable>: Sendable {
        private let input: Mutex<Input?>
        /// Let go, with all it captured, before the piece says it is done: a thread's object
        /// outlives its work for a moment, and what the work captured (a copy of a table, say)
        /// must not outlive the call.
        private let work: Mutex<(@Sendable (Input) -> Output)?>
        private let output = Mutex<Output?>(nil)
        private let done = DispatchSemaphore(value: 0)

        init(input: Input, work: @escaping @Sendable (Input) -> Output) {
            self.input = Mutex(input)
            self.work = Mutex(work)
        }

        func run() {
            if let input = input.withLock({ $0.take() }), let work = work.withLock({ $0.take() }) {
                let result = work(input)
                output.withLock { $0 = result }
            }
            done.signal()
        }

        /// Waits for `run` to end and takes its result.
        func result() -> Output? {
            done.wait()
            return output.withLock { $0.take() }
        }
    }
}
