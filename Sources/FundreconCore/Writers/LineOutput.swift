#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Lines of text (findings, one a line) written out a megabyte at a time, to an open stream
/// or to a file put in place whole. A failed write is thrown with where it went, never lost.
public enum LineOutput {
    public static let standardOutput: Int32 = 1
    public static let standardError: Int32 = 2

    /// To an open descriptor (`standardOutput`, `standardError`); `name` is how the error says it.
    public static func write(_ lines: some Sequence<String>, to fd: Int32, named name: String) throws(OutputError) {
        let sink = ByteSink(fd: fd, path: name)
        fill(sink, lines)
        if let failure = sink.failure { throw OutputError(description: "\(name): \(failure.reason)") }
    }

    /// To a file, which readers see whole or not at all (`AtomicFile`).
    public static func write(_ lines: some Sequence<String>, toFile path: String) throws(OutputError) {
        let temp = try AtomicFile.writeTemporary(for: path) { fill($0, lines) }
        try AtomicFile.commit(temp, to: path)
    }

    private static func fill(_ sink: ByteSink, _ lines: some Sequence<String>) {
        for line in lines {
            sink.write(line)
            sink.write("\n")
        }
        sink.flush()
    }
}

/// Paths in findings as a CI host wants them: relative to its workspace (`GITHUB_WORKSPACE`
/// when set, else the working directory), so that annotations land on the file in the
/// repository. A path outside the workspace is shown whole.
public struct WorkspacePaths: Sendable {
    let workingDirectory: String
    let root: String

    public init(workingDirectory: String, workspace: String?) {
        self.workingDirectory = Self.normalized(workingDirectory)
        root = workspace.map { Self.normalized($0.hasPrefix("/") ? $0 : workingDirectory + "/" + $0) } ?? self.workingDirectory
    }

    public static func fromEnvironment() -> WorkspacePaths {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let cwd = getcwd(&buffer, buffer.count).map { String(cString: $0) } ?? "."
        let workspace = getenv("GITHUB_WORKSPACE").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
        return WorkspacePaths(workingDirectory: cwd, workspace: workspace)
    }

    public func shown(_ path: String) -> String {
        let absolute = Self.normalized(path.hasPrefix("/") ? path : workingDirectory + "/" + path)
        if absolute == root { return "." }
        let prefix = root == "/" ? "/" : root + "/"
        return absolute.hasPrefix(prefix) ? String(absolute.dropFirst(prefix.count)) : absolute
    }

    /// `.` and `..` worked out and repeated slashes dropped, by the text alone (no links followed).
    static func normalized(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }
}
