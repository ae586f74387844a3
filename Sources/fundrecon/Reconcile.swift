import ArgumentParser
import Foundation
import FundreconCore
import Logging

struct Reconcile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reconcile a scope: plan against transfers against spending; writes the workbook and the JSON report.",
        discussion: """
        Writes reconciliation-<scope>-<as-of date>.xlsx and .json into the output folder, replacing \
        them whole. Findings and logs go to stderr. Exit 0 when no finding is at or above \
        --fail-on (those answered 已说明 or 不适用 in --explanations do not count, unless --strict), 1 when one is, 2 on bad arguments or settings, 3 when the outputs cannot be \
        written or another run holds the output folder.

        Examples:
          fundrecon reconcile Inputs -o Outputs
          fundrecon reconcile /data/sg-2021 -o /reports --as-of 2021-06-30
          fundrecon reconcile Inputs --lang en --quiet --log-format json
        """)

    @Argument(help: "The input folder.")
    var input = "Inputs"

    @Option(name: .shortAndLong, help: "The output folder.")
    var output = "Outputs"

    @Option(name: .customLong("as-of"), help: "The date to look from (default: the earlier of today and the period end).")
    var asOf: String?

    @Flag(name: .long, help: "Print no findings on stderr; the exit code still tells.")
    var quiet = false

    @Flag(name: .customLong("all-findings"), help: "Print every finding on stderr (by default the first 50, errors first, and how many more the report holds).")
    var allFindings = false

    @Flag(name: .customLong("no-progress"), help: "Never show progress (it shows only on a terminal anyway).")
    var noProgress = false

    @Option(name: .customLong("log-format"), help: "Log lines as text or json (one object a line, for log shippers).")
    var logFormat: LogFormat = .text

    @Option(name: .long, help: "More answers to findings, besides those typed into the earlier workbooks in the output folder: a workbook, or CSV (key, status, explanation, owner, date). Where both answer a finding, this file holds. Findings answered 已说明 or 不适用 do not fail the run.")
    var explanations: String?

    @OptionGroup var options: CommonOptions

    func run() throws {
        guard FileSystem.isDirectory(input) else { throw ValidationError("'\(input)' is not an input folder") }
        var settings = try options.settings(inputDir: input)
        if let asOf {
            guard case .success(let day) = ValueParsers.parseDate(asOf) else { throw ValidationError("--as-of '\(asOf)' is not a date") }
            settings.asOf = day
        }
        let clock = RunClock.fromEnvironment()
        let logger = RunLog.make(format: logFormat, quiet: quiet)
        Interrupts.install(outputFolder: output)
        // Created first so its one-second threshold counts from the start of the run.
        let progress = ProgressLine(enabled: !noProgress && !quiet)
        let scopeName = URL(fileURLWithPath: input).standardizedFileURL.lastPathComponent
        let given = try options.explanations(explanations, scope: scopeName)
        let lock = try takeOutputFolder()
        // Yesterday's answers are read while the inputs are: see EarlierAnswers.
        let earlier = EarlierAnswers(folder: output, scope: scopeName)
        let reconciled = Reconciler.run(ScopeSources.folder(input, existing: FileSystem.exists), settings: settings,
                                        encoding: options.encoding, today: clock.today, fileExists: FileSystem.exists,
                                        progress: progress.update, phase: { phase in
                                            progress.finish()
                                            RunLog.phase(logger, phase)
                                        })
        let planned = ScopeSources.joinPath(output, "reconciliation-\(scopeName)-\(reconciled.period.asOf)")
        // Every answer typed into the earlier workbooks, read before any is replaced; then the file given.
        var answers = try earlierAnswers(earlier, target: planned + ".xlsx", logger: logger)
        if let given { answers.merge(later: given) }
        let result = answers.isEmpty ? reconciled : reconciled.answered(by: answers)
        let (base, openLock) = ReportFolder.freeBase(planned)
        if let openLock {
            Stderr.write("fundrecon: \(planned).xlsx is open (\(openLock)): its saved answers were read, and edits not yet saved will be read on the next run; this report is written to \(base).xlsx")
        }
        if !quiet {
            let (shown, more) = Diagnostics.consoleSelection(result.findings, limit: allFindings ? .max : Self.findingsShown)
            Stderr.write(lines: shown.lazy.map { Diagnostics.line($0, format: .text, language: settings.lang) })
            if more > 0 { Stderr.write(Diagnostics.moreLine(more, report: base + ".xlsx", language: settings.lang)) }
        }
        // What changed since the last report of this scope in the folder, if there is one.
        let changes = ChangeDetector.previousReport(in: output, scope: scopeName).flatMap { ChangeDetector.compare(result, withReportAt: $0) }
        let writing = ContinuousClock.now
        let continued: [ContinuedSheet]
        do {
            continued = try ReportFiles.write(result, to: base, scopeName: scopeName, generatedAt: clock.timestamp,
                                              version: Fundrecon.version, changes: changes, created: clock.epoch)
        } catch {
            Stderr.write("fundrecon: cannot write the report: \(error)")
            throw ExitCode(3)
        }
        RunLog.wrote(logger, files: [base + ".xlsx", base + ".json"], seconds: (ContinuousClock.now - writing).seconds)
        if base == planned { removeReadCopies(of: base) }
        if !quiet {
            Stderr.write(summary(result, report: base + ".xlsx", language: settings.lang))
            for table in continued { Stderr.write(Self.continuedLine(table, language: settings.lang)) }
        }
        withExtendedLifetime(lock) {}
        let code = result.exitCode(failOn: settings.failOn, strict: options.strict)
        // Freed on a thread of their own, which the exit does not wait for: the results of a
        // province (a million edges, balances and findings) take half a second to free.
        LetGoElsewhere.drop((consume result, consume reconciled, consume changes, consume answers))
        throw ExitCode(code)
    }

    /// The answers in the workbooks of this scope the output folder holds, the latest save of
    /// each key holding. Exits 3, touching nothing, when one cannot be read: a run never
    /// replaces a workbook whose answers it has not read.
    private func earlierAnswers(_ earlier: EarlierAnswers, target: String, logger: Logger) throws -> Explanations {
        var answers = Explanations()
        for (path, read) in earlier.answers(target: target) {
            do {
                answers.merge(later: try read.get())
            } catch {
                Stderr.write("fundrecon: cannot read the answers in \(error.description). The file is left as it was and nothing was written; repair it, or move it out of \(output), and run again")
                throw ExitCode(3)
            }
            logger.info("read answers", metadata: ["file": "\(path)", "answers": "\(answers.byKey.count)"])
        }
        return answers
    }

    /// Removes the copies written beside the report while it was open: their answers were read
    /// and are in the report now. A copy that is open again stays.
    private func removeReadCopies(of base: String) {
        for path in ReportFolder.copies(of: base) where ReportFolder.openLock(of: path) == nil {
            do {
                try FileManager.default.removeItem(atPath: path)
                if !quiet { Stderr.write("fundrecon: removed \(path): its answers are in \(base).xlsx now") }
            } catch {
                Stderr.write("fundrecon: cannot remove \(path) (\(error.localizedDescription)); it is read again next time")
            }
        }
    }

    /// Findings printed on stderr unless --all-findings: enough to see what kind of trouble a
    /// scope is in, few enough that a nightly log stays readable.
    static let findingsShown = 50

    /// Creates the output folder, takes its lock (exit 3 at once when another run has it) and
    /// clears temporary files a killed run left behind.
    private func takeOutputFolder() throws -> OutputLock {
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            Stderr.write("fundrecon: cannot create \(output): \(error.localizedDescription)")
            throw ExitCode(3)
        }
        let holder = "pid \(ProcessInfo.processInfo.processIdentifier), started \(RunClock.iso(Date()))"
        let lock: OutputLock
        do {
            lock = try OutputLock.acquire(folder: output, holder: holder)
        } catch .held(let holder) {
            let failure = OutputLock.Failure.held(holder: holder)
            Stderr.write("fundrecon: \(output): \(failure.description); try again when it has finished")
            throw ExitCode(3)
        } catch {
            Stderr.write("fundrecon: \(output): \(error.description)")
            throw ExitCode(3)
        }
        for path in lock.removeStaleTemporaryFiles(in: output) where !quiet {
            Stderr.write("fundrecon: removed \(path), left by a run that was stopped")
        }
        // For the lock's own tests: hold it this long before reading, so a second run meets it.
        if let text = ProcessInfo.processInfo.environment["FUNDRECON_TEST_HOLD_LOCK_SECONDS"], let seconds = Double(text) {
            Thread.sleep(forTimeInterval: seconds)
        }
        return lock
    }

    /// A table the workbook had to split, as the operator reads it beside the summary.
    static func continuedLine(_ table: ContinuedSheet, language: Language) -> String {
        if language == .zh {
            return "工作表“\(table.name)”共 \(table.rows) 行，超过每表 \(table.rowsPerSheet) 行，续写于 \(table.continuedOn.map { "“\($0)”" }.joined(separator: "、"))"
        }
        return "sheet \"\(table.name)\" has \(table.rows) rows, more than \(table.rowsPerSheet) a sheet: continued on \(table.continuedOn.map { "\"\($0)\"" }.joined(separator: ", "))"
    }

    private func summary(_ r: ReconcileResult, report: String, language: Language) -> String {
        let e = r.count(.error), w = r.count(.warning), i = r.count(.info)
        let edges = EdgeStatus.allCases.map { s in language == .zh ? "\(s.chinese) \(r.edgeCount(s))" : "\(s.rawValue) \(r.edgeCount(s))" }.joined(separator: language == .zh ? "，" : ", ")
        if language == .zh {
            return "核对完成（基准日 \(r.period.asOf)）：\(e) 个错误，\(w) 个警告，\(i) 个提示；拨付链路 \(r.edges.count) 条（\(edges)）。报告：\(report)"
        }
        return "reconciled as of \(r.period.asOf): \(e) errors, \(w) warnings, \(i) info; \(r.edges.count) edges (\(edges)). Report: \(report)"
    }
}

/// "Today" and the report's timestamp: SOURCE_DATE_EPOCH when set (reproducible builds'
/// convention), else the clock, with the date taken in the machine's time zone.
struct RunClock {
    let today: Day
    let timestamp: String
    /// SOURCE_DATE_EPOCH, when set: the workbook's creation time.
    var epoch: Int64?

    static func fromEnvironment() -> RunClock {
        if let text = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], let seconds = Int64(text) {
            return RunClock(today: Day(unixTime: seconds), timestamp: iso(Date(timeIntervalSince1970: TimeInterval(seconds))), epoch: seconds)
        }
        let now = Date()
        let parts = Calendar.current.dateComponents([.year, .month, .day], from: now)
        let today = Day(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1) ?? Day(unixTime: Int64(now.timeIntervalSince1970))
        return RunClock(today: today, timestamp: iso(now), epoch: nil)
    }

    static func iso(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
    }
}
