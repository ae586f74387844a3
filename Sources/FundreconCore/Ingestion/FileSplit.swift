import Synchronization
import CSupport
import Foundation

/// How transfers.csv is shared between the two reading threads.
public struct ReadSplit: Sendable {
    /// Files of at least this many bytes are read by two threads.
    public var from: Int64
    /// True: the split is placed when the second thread is done with the other files, halfway
    /// through what the first has not read yet, so that both finish together whatever the
    /// files weigh (checking or reconciling, plain or GB18030, wide or narrow rows). False: at
    /// the point guessed from the files' sizes before reading, which tests use to know where
    /// the split falls.
    public var balanced: Bool

    public init(from: Int64, balanced: Bool) {
        self.from = from
        self.balanced = balanced
    }

    public static let standard = ReadSplit(from: 32 << 20, balanced: true)
    /// One thread per file.
    public static let never = ReadSplit(from: .max, balanced: true)
    /// Any file, at the point guessed from the sizes.
    public static let always = ReadSplit(from: 1, balanced: false)
}

/// Where the second reader of a big file starts: a line end outside quotes, published by the
/// thread that looks for it while the first reader is busy with the file's beginning.
///
/// The first reader asks before each chunk how far it may read (`admit`). The place is either
/// fixed up front or proposed later by the second thread (`propose`) from where the first
/// reader stands then; the first reader waits only if it gets there before the line end is
/// found.
final class SplitPoint: Sendable {
    /// Where the split was guessed from the files' sizes: to size the first part's tables.
    let guess: Int64
    let isFixed: Bool
    private struct State {
        /// The first reader may read this far unasked; nil: anywhere, until a place is proposed.
        var earliest: Int64?
        /// How far the first reader has been let read.
        var admitted: Int64 = 0
        var found: (offset: Int64, line: Int)?
        var published = false
    }
    private let state: Mutex<State>
    private let ready = DispatchSemaphore(value: 0)

    /// fixed: the split is the first line end at or after `guess`.
    init(guess: Int64, fixed: Bool) {
        self.guess = guess
        isFixed = fixed
        state = Mutex(State(earliest: fixed ? guess : nil))
    }

    /// The first reader, before reading the file up to offset `end`: false when it must wait
    /// for the split (`wait`) and read no further than it.
    func admit(upTo end: Int64) -> Bool {
        state.withLock { s in
            if let earliest = s.earliest, end > earliest { return false }
            s.admitted = max(s.admitted, end)
            return true
        }
    }

    /// The second reader, ready for its part of a file of `size` bytes: where its part may
    /// start at the earliest. A balanced split gives the first reader `headShare` of what it
    /// has not been let read yet; nil when less than `minimumRest` is left (the first reader
    /// then reads on alone; `publish(nil)` must still be called).
    func propose(size: Int64, headShare: Double, minimumRest: Int64) -> Int64? {
        state.withLock { s in
            if let earliest = s.earliest { return earliest < size ? earliest : nil }
            let rest = size - s.admitted
            guard rest >= minimumRest else {
                s.earliest = .max
                return nil
            }
            let target = s.admitted + Int64(Double(rest) * headShare)
            s.earliest = target
            return target
        }
    }

    /// The record's first byte and line; nil: no split, the first reader reads it all.
    func publish(_ split: (offset: Int64, line: Int)?) {
        state.withLock { s in
            s.found = split
            s.published = true
        }
        ready.signal()
    }

    /// Waits for `publish` the first time; later calls return at once.
    func wait() -> (offset: Int64, line: Int)? {
        if !state.withLock({ $0.published }) {
            ready.wait()
            ready.signal()  // for any later waiter
        }
        return state.withLock { $0.found }
    }
}

enum FileSplit {
    /// The first line end at or after `target` with an even number of quotes before it (so
    /// outside quoted fields) and the line that follows it, or nil when there is none before
    /// the end. Counting runs at memory speed; a file whose quotes do not pair up as RFC 4180
    /// says (a stray quote) may mislead it, and the first reader then notices and reads on
    /// (`CSVReader.splitAbandoned`). Throws when the file cannot be read.
    static func boundary(path: String, target: Int64) throws(SystemCallError) -> (offset: Int64, line: Int)? {
        let fd = try SystemCall.open(path, O_RDONLY | O_CLOEXEC)
        defer { close(fd) }
        var lines: UInt64 = 0, quotes: UInt64 = 0
        // The part before the target is counted where it lies in the page cache: mapped, not
        // copied (copying it with read(2) cost more than the count).
        // A window at a time, so that the mapped pages never count much towards the peak.
        let window: Int64 = 8 << 20
        #if os(Linux)
        let flags = MAP_PRIVATE | MAP_POPULATE  // mapped in one go, not a fault a page
        #else
        let flags = MAP_PRIVATE
        #endif
        var counted = true
        var start: Int64 = 0
        while counted && start < target {
            let length = Int(min(window, target - start))
            guard let mapped = mmap(nil, length, PROT_READ, flags, fd, off_t(start)),
                  mapped != MAP_FAILED else {
                counted = false
                break
            }
            var l: UInt64 = 0, q: UInt64 = 0
            fundrecon_count_lines_and_quotes(mapped.assumingMemoryBound(to: UInt8.self), length, &l, &q)
            munmap(mapped, length)
            lines += l
            quotes += q
            start += Int64(length)
        }
        if counted { try SystemCall.seek(fd, to: target, path: path) }
        if !counted { lines = 0; quotes = 0; try SystemCall.seek(fd, to: 0, path: path) }
        let size = 1 << 20
        let chunk = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        defer { chunk.deallocate() }
        var offset: Int64 = counted ? target : 0
        while true {
            let want = offset < target ? Int(min(Int64(size), target - offset)) : size
            let n = try SystemCall.read(fd, chunk, want, path: path)
            if n == 0 { return nil }
            if offset < target {
                var l: UInt64 = 0, q: UInt64 = 0
                fundrecon_count_lines_and_quotes(chunk, n, &l, &q)
                lines += l
                quotes += q
                offset += Int64(n)
                continue
            }
            for i in 0..<n {
                let c = chunk[i]
                if c == 0x22 { quotes += 1 }
                if c == 0x0A {
                    lines += 1
                    if quotes & 1 == 0 { return (offset + Int64(i) + 1, Int(lines) + 1) }
                }
            }
            offset += Int64(n)
        }
    }
}
