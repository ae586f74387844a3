import Foundation

/// Runs a few independent pieces of work at once, one thread each, and returns their results
/// in order. For work that shares nothing mutable: each piece owns what it writes and hands
/// it back. The closure is not `@Sendable` (the readers' sinks and the ledger's columns are
/// passed in, not copied), so the callers keep that promise; docs/design.md lists them.
enum Concurrently {
    // Unchecked: a job's fields are written by its one thread before `done.signal()` and read
    // by the caller only after `done.wait()`.
    private final class Job<Input, Output>: @unchecked Sendable {
        let input: Input
        /// Dropped as soon as it has run: it only borrows the caller's closure.
        var work: ((Input) -> Output)?
        var output: Output?
        let done = DispatchSemaphore(value: 0)
        init(_ input: Input, _ work: @escaping (Input) -> Output) {
            self.input = input
            self.work = work
        }
        func run() {
            output = work?(input)
            work = nil
            done.signal()
        }
    }

    static func map<Input, Output>(_ inputs: [Input], _ work: (Input) -> Output) -> [Output] {
        guard inputs.count > 1 else { return inputs.map(work) }
        return withoutActuallyEscaping(work) { work in
            let jobs = inputs.map { Job($0, work) }
            for job in jobs.dropFirst() {
                let thread = Thread { job.run() }
                thread.stackSize = 8 << 20
                thread.start()
            }
            jobs[0].run()  // the calling thread takes the first
            for job in jobs.dropFirst() { job.done.wait() }
            let outputs = jobs.compactMap(\.output)
            for job in jobs { job.work = nil }
            return outputs
        }
    }
}
