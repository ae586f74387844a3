import Synchronization
import Foundation
import FundreconCore
import Logging

/// How log lines look on stderr: for people, or one JSON object a line for log shippers.
enum LogFormat: String, CaseIterable {
    case text, json
}

/// One line per phase of a run (read, reconcile, write) with counts, sizes and durations.
/// Logs go to stderr beside the findings; `--quiet` keeps only warnings and errors.
struct RunLogHandler: LogHandler {
    let format: LogFormat
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        let time = RunClock.iso(Date())
        switch format {
        case .text:
            // The message already says what the metadata holds; the fields are for JSON.
            Stderr.write("\(time) \(event.level) fundrecon: \(event.message)")
        case .json:
            var o = JSONObjectWriter()
            o.add("time", time)
            o.add("level", event.level.rawValue)
            o.add("message", event.message.description)
            for (key, value) in all.sorted(by: { $0.key < $1.key }) { o.add(key, "\(value)") }
            Stderr.write(o.finish())
        }
    }
}

enum RunLog {
    static func make(format: LogFormat, quiet: Bool) -> Logger {
        Logger(label: "fundrecon") { _ in RunLogHandler(format: format, logLevel: quiet ? .warning : .info) }
    }

    static func phase(_ logger: Logger, _ p: RunPhase) {
        switch p {
        case let .read(files, seconds):
            let rows = files.reduce(0) { $0 + $1.rowsRead }, rejected = files.reduce(0) { $0 + $1.rowsRejected }
            let bytes = files.reduce(Int64(0)) { $0 + $1.bytes }
            logger.info("read \(files.filter(\.present).count) files, \(rows) rows (\(rejected) rejected), \(megabytes(bytes)) in \(format(seconds)) s",
                        metadata: ["phase": "read", "rows": "\(rows)", "rejected": "\(rejected)", "bytes": "\(bytes)", "seconds": "\(format(seconds))"])
        case let .reconciled(edges, balances, findings, seconds):
            logger.info("reconciled \(edges) edges and \(balances) balances, \(findings) findings, in \(format(seconds)) s",
                        metadata: ["phase": "reconcile", "edges": "\(edges)", "balances": "\(balances)", "findings": "\(findings)", "seconds": "\(format(seconds))"])
        }
    }

    static func wrote(_ logger: Logger, files: [String], seconds: Double) {
        let sizes = files.map { (try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int64) ?? 0 }
        let total = sizes.reduce(0, +)
        logger.info("wrote \(files.joined(separator: ", ")) (\(megabytes(total))) in \(format(seconds)) s",
                    metadata: ["phase": "write", "files": "\(files.count)", "bytes": "\(total)", "seconds": "\(format(seconds))"])
    }

    static func megabytes(_ bytes: Int64) -> String { String(format: "%.1f MB", Double(bytes) / 1_048_576) }
    static func format(_ seconds: Double) -> String { String(format: "%.2f", seconds) }
}

/// Rows read and rows a second, redrawn in place: only on a terminal, and only once the run
/// has taken over a second. Under cron, or with stderr in a file, nothing of it is written.
/// Told by the reading threads, so its state is under a lock.
final class ProgressLine: Sendable {
    private let enabled: Bool
    private let started = ContinuousClock.now
    private struct State {
        var lastDraw: ContinuousClock.Instant?
        /// Transfers and spending are read at once: each file's rate counts from its own start.
        var fileStarted: [InputFile: ContinuousClock.Instant] = [:]
        var drawn = false
    }
    private let state = Mutex(State())

    init(enabled: Bool) {
        self.enabled = enabled && isatty(2) == 1
    }

    func update(_ file: InputFile, _ rows: Int, _ bytes: Int64) {
        guard enabled else { return }
        let now = ContinuousClock.now
        state.withLock { s in
            let since = s.fileStarted[file] ?? now
            s.fileStarted[file] = since
            guard (now - started).seconds > 1 else { return }
            if let last = s.lastDraw, (now - last).seconds < 0.1 { return }
            s.lastDraw = now
            let elapsed = max((now - since).seconds, 0.001)
            let rate = Int(Double(rows) / elapsed)
            write("\r\u{1B}[Kreading \(file.fileName): \(rows) rows, \(rate) rows/s, \(RunLog.megabytes(bytes))")
            s.drawn = true
        }
    }

    func finish() {
        state.withLock { s in
            if s.drawn { write("\r\u{1B}[K") }
            s.drawn = false
        }
    }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
