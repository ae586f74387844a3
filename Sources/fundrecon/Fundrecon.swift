import ArgumentParser
import Foundation
import FundreconCore

@main
struct Fundrecon: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "fundrecon",
        abstract: "Reconcile special-fund ledgers (专项资金) against the allocation plan.",
        version: version,
        subcommands: [Reconcile.self, Check.self, Init.self, Explain.self, ExplanationsCommand.self]
    )

    /// Exit codes of spec §4: 2 for anything wrong with the invocation (ArgumentParser's own is 64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            Stderr.write(fullMessage(for: error))
            Foundation.exit(2)
        }
    }
}

enum Stderr {
    static func write(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Many lines in few writes: a check of a big scope prints tens of thousands.
    static func write(lines: some Sequence<String>) {
        var buffer = Data()
        buffer.reserveCapacity(1 << 16)
        for line in lines {
            buffer.append(contentsOf: line.utf8)
            buffer.append(0x0A)
            if buffer.count >= 1 << 16 {
                FileHandle.standardError.write(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        if !buffer.isEmpty { FileHandle.standardError.write(buffer) }
    }
}

struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Settings file (default: fundrecon.toml in the input folder).")
    var config: String?

    @Option(name: .long, help: "Input encoding: auto, utf8 or gb18030.")
    var encoding: EncodingChoice = .auto

    @Option(name: .long, help: "Language of messages: zh or en (default from settings, else zh).")
    var lang: Language?

    @Option(name: .customLong("fail-on"), help: "Exit 1 on findings at or above: error, warning or never.")
    var failOn: FailOn?

    @Flag(name: .long, help: "Count findings explained as 已说明 or 不适用 toward --fail-on too.")
    var strict = false
}

extension CommonOptions {
    /// Settings of the scope, then the command line over them; exits 2 on invalid settings.
    func settings(inputDir: String?) throws -> Settings {
        var settings: Settings
        do {
            settings = try SettingsFile.load(inputDir: inputDir, config: config)
        } catch {
            Stderr.write("fundrecon: \(error.description)")
            throw ExitCode(2)
        }
        if let lang { settings.lang = lang }
        if let failOn { settings.failOn = failOn }
        return settings
    }

    /// The explanations file given (a workbook, or CSV), read; exits 2 when it cannot be used
    /// at all. A CSV with a scope column gives only `scope`'s rows.
    func explanations(_ path: String?, scope: String? = nil) throws -> Explanations? {
        guard let path else { return nil }
        do {
            if path.lowercased().hasSuffix(".xlsx") { return try Explanations.read(workbook: path) }
            return try Explanations.read(csv: path, scope: scope)
        } catch let error as WorkbookReadError {
            Stderr.write("fundrecon: explanations \(error.description)")
            throw ExitCode(2)
        } catch {
            Stderr.write("fundrecon: explanations \(error)")
            throw ExitCode(2)
        }
    }
}

extension EncodingChoice: ExpressibleByArgument {}
extension Language: ExpressibleByArgument {}
extension FailOn: ExpressibleByArgument {}
extension DiagnosticFormat: ExpressibleByArgument {}
extension LogFormat: ExpressibleByArgument {}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a scope's CSV files (input and plan rules); writes nothing.",
        discussion: """
        Findings in the text format go to stderr; --format json and --format github go to stdout \
        (or to --output FILE), with the summary on stderr. Exit 0 when no finding is at or above \
        --fail-on (those answered 已说明 or 不适用 in --baseline do not count, unless --strict), 1 when one is, 2 on bad arguments or settings, 3 when the findings cannot be written.

        Examples:
          fundrecon check uploads/ --format json > findings.jsonl
          fundrecon check uploads/transfers.csv --format github --fail-on warning
        """)

    @Argument(help: "An input folder (default Inputs), or CSV files named after their kind (transfers.csv, transfers-2021.csv, …).")
    var paths: [String] = []

    @Option(name: .long, help: "text (stderr), json (one object per line, stdout) or github (workflow commands, stdout).")
    var format: DiagnosticFormat = .text

    @Option(name: .long, help: "Write the findings to FILE instead (in --format), replacing it whole.")
    var output: String?

    @Option(name: .long, help: "Known findings and what was answered: a workbook, or CSV (key, status, explanation, owner, date), such as `explanations export` writes. Those answered 已说明 or 不适用 do not fail the check.")
    var baseline: String?

    @OptionGroup var options: CommonOptions

    func run() throws {
        let sources = try resolveSources()
        let settings = try options.settings(inputDir: sources.settingsDir)
        let result = CheckRun.run(sources.sources, settings: settings, encoding: options.encoding, fileExists: FileSystem.exists,
                                  baseline: try options.explanations(baseline))
        let paths = WorkspacePaths.fromEnvironment()
        let lines = result.findings.lazy.map { Diagnostics.line($0, format: format, language: settings.lang, paths: paths) }
        do {
            if let output {
                try LineOutput.write(lines, toFile: output)
            } else {
                try LineOutput.write(lines, to: format.stream, named: format == .text ? "stderr" : "stdout")
            }
        } catch {
            Stderr.write("fundrecon: cannot write the findings: \(error)")
            throw ExitCode(3)
        }
        Stderr.write(Diagnostics.summary(result, language: settings.lang))
        throw ExitCode(result.exitCode(failOn: settings.failOn, strict: options.strict))
    }

    private func resolveSources() throws -> (sources: ScopeSources, settingsDir: String?) {
        let given = paths.isEmpty ? ["Inputs"] : paths
        if given.count == 1, FileSystem.isDirectory(given[0]) {
            return (ScopeSources.folder(given[0], existing: FileSystem.exists), given[0])
        }
        var named: [InputFile: String] = [:]
        var moreReceipts: [String] = []
        for path in given {
            guard FileSystem.isFile(path) else {
                throw ValidationError("'\(path)' is not an input folder or a CSV file")
            }
            let base = (path as NSString).lastPathComponent.lowercased()
            guard let kind = InputFile.allCases.first(where: { base.hasPrefix($0.rawValue) }) else {
                throw ValidationError("'\(path)': cannot tell which input it is; name it entities, projects, plan, transfers, spending, receipts or indicators (.csv)")
            }
            if kind == .receipts, named[kind] != nil {
                moreReceipts.append(path)  // receivers' books may come a file each
                continue
            }
            guard named[kind] == nil else { throw ValidationError("two \(kind.rawValue) files given") }
            named[kind] = path
        }
        // References need the units, projects and plan: take them from beside the first file.
        let dir = (given[0] as NSString).deletingLastPathComponent
        for kind in [InputFile.entities, .projects, .plan] where named[kind] == nil {
            let beside = ScopeSources.joinPath(dir, kind.fileName)
            if FileSystem.isFile(beside) { named[kind] = beside }
        }
        return (ScopeSources(paths: named, expectsAllRequired: false, moreReceipts: moreReceipts), dir.isEmpty ? "." : dir)
    }
}

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write empty CSV templates (Chinese and English headers) and a commented fundrecon.toml.")

    @Argument(help: "The folder to create or fill.")
    var dir: String

    @Flag(name: .long, help: "Overwrite files that exist.")
    var force = false

    func run() throws {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            Stderr.write("fundrecon: cannot create \(dir): \(error.localizedDescription)")
            throw ExitCode(2)
        }
        var files = InputFile.allCases.map { ($0.fileName, Templates.csv($0)) }
        files.append((Settings.fileName, Templates.settings))
        for (name, content) in files {
            let path = ScopeSources.joinPath(dir, name)
            if fm.fileExists(atPath: path) && !force {
                Stderr.write("fundrecon: \(path) exists; left as it is (use --force to overwrite)")
                continue
            }
            guard fm.createFile(atPath: path, contents: Data(content.utf8)) else {
                Stderr.write("fundrecon: cannot write \(path)")
                throw ExitCode(3)
            }
            print(path)
        }
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "What a rule checks, why it matters, and how to fix the data.")

    @Argument(help: "A rule code such as IN005, or 'all'.")
    var code: String

    func run() throws {
        let codes: [RuleCode]
        if code.lowercased() == "all" {
            codes = RuleCode.allCases
        } else if let c = RuleCode(rawValue: code.uppercased()) {
            codes = [c]
        } else {
            throw ValidationError("unknown rule code '\(code)'; codes are \(RuleCode.allCases.first!.rawValue)…\(RuleCode.allCases.last!.rawValue), see 'fundrecon explain all'")
        }
        print(codes.map(Explanation.text).joined(separator: "\n"))
    }
}

enum Explanation {
    static func text(_ code: RuleCode) -> String {
        let e = RuleCatalogue.entry(code)
        return """
        \(code.rawValue) [\(e.severity.english) / \(e.severity.chinese)]
          \(e.title.zh)
          为什么：\(e.why.zh)
          怎么改：\(e.fix.zh)
          \(e.title.en)
          Why: \(e.why.en)
          Fix: \(e.fix.en)

        """
    }
}
