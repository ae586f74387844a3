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
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw OutputError(description: "\(temp): \(String(cString: strerror(errno)))") }
        let sink = ByteSink(fd: fd)
        fill(sink)
        sink.flush()
        let synced = fsync(fd) == 0
        let reason = sink.failed ? sink.reason : String(cString: strerror(errno))
        close(fd)
        guard !sink.failed && synced else {
            unlink(temp)
            throw OutputError(description: "\(path): \(reason)")
        }
        return temp
    }

    /// Moves a finished temporary file into place.
    public static func commit(_ temp: String, to path: String) throws(OutputError) {
        let fd = open(temp, O_RDONLY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
        guard rename(temp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw OutputError(description: "\(path): \(reason)")
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
final class ByteSink {
    private(set) var buffer: [UInt8] = []
    private let fd: Int32?
    private(set) var failed = false
    private(set) var reason = ""

    init(fd: Int32?) { self.fd = fd }

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
        guard let fd, !failed else { return }
        var written = 0
        buffer.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return }
            while written < b.count {
                let n = Glibc.write(fd, base + written, b.count - written)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { failed = true; reason = String(cString: strerror(errno)); return }
                written += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
