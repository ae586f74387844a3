#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct OutputError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// Writes a file so that readers see the old one or the new one, never half of either:
/// a temporary file in the same folder, flushed to disk, then renamed into place.
public enum AtomicFile {
    /// Temporary files start with this, so a later run can tell them and remove strays.
    public static let temporaryPrefix = ".fundrecon-tmp-"

    public static func temporaryPath(for path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return "\(dir)\(temporaryPrefix)\(getpid())-\(name)"
    }

    public static func write(_ bytes: [UInt8], to path: String) throws(OutputError) {
        try commit(writeTemporary(bytes, for: path), to: path)
    }

    /// Writes and flushes the temporary file for `path`, leaving the rename to `commit`, so
    /// that two files written at once can be put in place together at the end.
    public static func writeTemporary(_ bytes: [UInt8], for path: String) throws(OutputError) -> String {
        try writeTemporary(for: path) { $0.write(bytes) }
    }

    /// The same, with the bytes handed to `fill` piece by piece and written out a megabyte at
    /// a time, so a large file is never whole in memory.
    static func writeTemporary(for path: String, _ fill: (ByteSink) -> Void) throws(OutputError) -> String {
        let temp = temporaryPath(for: path)
        do throws(SystemCallError) {
            let fd = try SystemCall.open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode: 0o644)
            let sink = ByteSink(fd: fd, path: temp)
            fill(sink)
            sink.flush()
            let synced = Result { () throws(SystemCallError) in try SystemCall.fsync(fd, path: temp) }
            let closed = Result { () throws(SystemCallError) in try SystemCall.close(fd, path: temp) }
            if let failure = sink.failure { throw failure }
            try synced.get()
            try closed.get()
        } catch {
            unlink(temp)
            throw OutputError(description: "\(path): \(error.call): \(error.reason)")
        }
        return temp
    }

    /// Moves a finished temporary file into place.
    public static func commit(_ temp: String, to path: String) throws(OutputError) {
        try commit([(temp, path)])
    }

    /// Moves finished temporary files into place, in order, once every one of them is on disk:
    /// a run stopped among the renames is stopped between two system calls, not while one
    /// file waits for the other to be written or flushed. A failure discards those not yet moved.
    public static func commit(_ files: [(temp: String, path: String)]) throws(OutputError) {
        var moved = 0, failing = ""
        do throws(SystemCallError) {
            for (temp, path) in files {
                failing = path
                let fd = try SystemCall.open(temp, O_RDONLY | O_CLOEXEC)
                let synced = Result { () throws(SystemCallError) in try SystemCall.fsync(fd, path: temp) }
                try SystemCall.close(fd, path: temp)
                try synced.get()
            }
            for (temp, path) in files {
                failing = path
                try SystemCall.rename(temp, to: path)
                moved += 1
            }
        } catch {
            for (temp, _) in files.dropFirst(moved) { unlink(temp) }
            throw OutputError(description: "\(failing): \(error.call): \(error.reason)")
        }
    }

    public static func discard(_ temp: String) { unlink(temp) }

    /// Removes our temporary files in the folder (only process `pid`'s, when given); returns their paths.
    @discardableResult
    public static func removeTemporaryFiles(in folder: String, pid: Int32? = nil) -> [String] {
        let prefix = pid.map { "\(temporaryPrefix)\($0)-" } ?? temporaryPrefix
        guard let dir = opendir(folder.isEmpty ? "." : folder) else { return [] }
        defer { closedir(dir) }
        var removed: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.hasPrefix(prefix) else { continue }
            let path = ScopeSources.joinPath(folder, name)
            if unlink(path) == 0 { removed.append(path) }
        }
        return removed.sorted()
    }

    public static func write(_ text: String, to path: String) throws(OutputError) {
        try write(Array(text.utf8), to: path)
    }
}

/// Bytes on their way to a file (or kept, with no file): written out a megabyte at a time.
/// The first failed write is kept, and nothing more is written after it.
final class ByteSink {
    private(set) var buffer: [UInt8] = []
    private let fd: Int32?
    private let path: String
    private(set) var failure: SystemCallError?

    init(fd: Int32?, path: String = "") {
        self.fd = fd
        self.path = path
    }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if fd != nil && buffer.count >= 1 << 20 { flush() }
    }

    func write(_ object: JSONObjectWriter) {
        object.finish(into: &buffer)
        if fd != nil && buffer.count >= 1 << 20 { flush() }
    }

    func write(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if fd != nil && buffer.count >= 1 << 20 { flush() }
    }

    func flush() {
        guard let fd, failure == nil else { return }
        failure = buffer.withUnsafeBytes { b -> SystemCallError? in
            do throws(SystemCallError) {
                try SystemCall.write(fd, b, path: path)
                return nil
            } catch {
                return error
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
