#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The output folder's lock: one run writes there at a time. An flock on `.fundrecon.lock`,
/// so the kernel releases it when the holder exits, is killed or crashes: a lock left by a
/// killed run never blocks the next one. The file holds the holder's pid and start time.
public final class OutputLock {
    public static let fileName = ".fundrecon.lock"

    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// Another run holds it; what it wrote of itself, if readable.
        case held(holder: String)
        case cannotOpen(String)

        public var description: String {
            switch self {
            case .held(let holder): return "another run holds the output folder's lock (\(holder.isEmpty ? "holder unknown" : holder))"
            case .cannotOpen(let reason): return "cannot open the output folder's lock: \(reason)"
            }
        }
    }

    private let fd: Int32
    public let path: String

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }

    /// Takes the lock at once or fails naming the holder; never waits.
    /// - Parameter holder: what to record of this run, e.g. "pid 4242, started 2026-11-23T02:00:00Z".
    public static func acquire(folder: String, holder: String) throws(Failure) -> OutputLock {
        let path = ScopeSources.joinPath(folder, fileName)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .cannotOpen("\(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 512)
            let n = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            let text = n > 0 ? String(decoding: buffer.prefix(n), as: UTF8.self) : ""
            throw .held(holder: text.trimmingBlanks())
        }
        let line = Array((holder + "\n").utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, line, line.count, 0)
        return OutputLock(fd: fd, path: path)
    }

    /// Removes temporary files that killed runs left in the folder. Safe only while holding
    /// the lock: then no other run is writing there.
    @discardableResult
    public func removeStaleTemporaryFiles(in folder: String) -> [String] {
        AtomicFile.removeTemporaryFiles(in: folder)
    }
}
