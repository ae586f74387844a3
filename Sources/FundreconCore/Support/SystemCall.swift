#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A system call that failed: which call, on what, and errno.
public struct SystemCallError: Error, Sendable, CustomStringConvertible {
    public let call: String
    public let path: String
    public let errno: Int32

    /// errno as the C library words it ("No space left on device").
    public var reason: String { String(cString: strerror(errno)) }
    public var description: String { "\(path): \(call): \(reason)" }
}

/// The system calls of the data path, in one place: each is retried while interrupted by a
/// signal (EINTR) and throws with errno on any other failure, so that no caller can take a
/// failed read for the end of a file or a failed write for a written one. `close` is not
/// retried: on Linux the descriptor is gone even when it reports EINTR.
enum SystemCall {
    /// Runs `call` until it is not interrupted; -1 is failure.
    @inline(__always)
    private static func retrying<Result: BinaryInteger>(_ name: String, _ path: String, _ call: () -> Result) throws(SystemCallError) -> Result {
        while true {
            let result = call()
            if result != -1 { return result }
            let code = errno
            if code != EINTR { throw SystemCallError(call: name, path: path, errno: code) }
        }
    }

    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0) throws(SystemCallError) -> Int32 {
        try retrying("open", path) { Glibc.open(path, flags, mode) }
    }

    /// Up to `count` bytes; 0 only at the end of the file.
    static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int, path: String) throws(SystemCallError) -> Int {
        try retrying("read", path) { Glibc.read(fd, buffer, count) }
    }

    /// Fills `buffer` from `offset` as far as the file goes: fewer bytes only at its end.
    static func pread(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, at offset: Int64, path: String) throws(SystemCallError) -> Int {
        var got = 0
        while got < buffer.count, let base = buffer.baseAddress {
            let n = try retrying("pread", path) { Glibc.pread(fd, base + got, buffer.count - got, off_t(offset) + off_t(got)) }
            if n == 0 { break }
            got += n
        }
        return got
    }

    /// Writes every byte, however many calls it takes.
    static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(SystemCallError) {
        var done = 0
        while done < bytes.count, let base = bytes.baseAddress {
            done += try retrying("write", path) { Glibc.write(fd, base + done, bytes.count - done) }
        }
    }

    /// Writes every byte at `offset`.
    static func pwrite(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64, path: String) throws(SystemCallError) {
        var done = 0
        while done < bytes.count, let base = bytes.baseAddress {
            done += try retrying("pwrite", path) { Glibc.pwrite(fd, base + done, bytes.count - done, off_t(offset) + off_t(done)) }
        }
    }

    static func seek(_ fd: Int32, to offset: Int64, path: String) throws(SystemCallError) {
        _ = try retrying("lseek", path) { Glibc.lseek(fd, off_t(offset), SEEK_SET) }
    }

    static func size(_ fd: Int32, path: String) throws(SystemCallError) -> Int64 {
        var info = stat()
        _ = try retrying("fstat", path) { Glibc.fstat(fd, &info) }
        return Int64(info.st_size)
    }

    static func fsync(_ fd: Int32, path: String) throws(SystemCallError) {
        _ = try retrying("fsync", path) { Glibc.fsync(fd) }
    }

    static func rename(_ from: String, to: String) throws(SystemCallError) {
        _ = try retrying("rename", to) { Glibc.rename(from, to) }
    }

    static func close(_ fd: Int32, path: String) throws(SystemCallError) {
        if Glibc.close(fd) == -1 && errno != EINTR { throw SystemCallError(call: "close", path: path, errno: errno) }
    }
}
