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
            case .cannotOpen(let reason): return "cannot take the output folder's lock (\(reason)): is it a folder this user can write to?"
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
        let fd: Int32
        do {
            fd = try SystemCall.open(path, O_RDWR | O_CREAT | O_CLOEXEC, mode: 0o644)
        } catch {
            throw .cannotOpen("\(path): \(error.reason)")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            defer { close(fd) }
            // Only EWOULDBLOCK means another holder; anything else is this folder's trouble.
            guard code == EWOULDBLOCK else { throw .cannotOpen("\(path): flock: \(String(cString: strerror(code)))") }
            var buffer = [UInt8](repeating: 0, count: 512)
            let n = buffer.withUnsafeMutableBytes { b -> Int in (try? SystemCall.pread(fd, b, at: 0, path: path)) ?? 0 }
            let text = String(decoding: buffer.prefix(n), as: UTF8.self)
            throw .held(holder: text.trimmingBlanks())
        }
        // Who holds the lock is a courtesy to the next run's message: a lock whose note cannot
        // be written still locks.
        let line = Array((holder + "\n").utf8)
        _ = ftruncate(fd, 0)
        line.withUnsafeBytes { b in _ = try? SystemCall.pwrite(fd, b, at: 0, path: path) }
        return OutputLock(fd: fd, path: path)
    }

    /// Removes temporary files that killed runs left in the folder. Safe only while holding
    /// the lock: then no other run is writing there.
    @discardableResult
    public func removeStaleTemporaryFiles(in folder: String) -> [String] {
        AtomicFile.removeTemporaryFiles(in: folder)
    }
}
