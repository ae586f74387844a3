import ArgumentParser
import Foundation
import FundreconCore

/// `fundrecon explanations …`: the answers staff typed into the workbooks.
struct ExplanationsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explanations",
        abstract: "The answers staff typed into the workbooks (处理状态, 情况说明, 责任人, 日期).",
        subcommands: [Export.self])

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write every answer in a report folder as CSV, sorted by scope and key.",
            discussion: """
            Reads the workbooks a reconcile run would read (the newest of each scope, and any saved \
            after it) and writes scope, key, status, explanation, owner, date, figure, code, about: \
            stable, for version control, and readable by reconcile --explanations and check --baseline. \
            Exit 0, 2 on bad arguments, 3 when a workbook cannot be read or the file cannot be written.

            Examples:
              fundrecon explanations export Outputs > answers.csv
              fundrecon explanations export /reports --scope sg-2021 -o answers.csv
            """)

        @Argument(help: "The report folder.")
        var folder = "Outputs"

        @Option(name: .long, help: "Only this scope (the input folder's name); by default every scope in the folder.")
        var scope: String?

        @Option(name: .shortAndLong, help: "Write to FILE instead of stdout, replacing it whole.")
        var output: String?

        func run() throws {
            guard FileSystem.isDirectory(folder) else { throw ValidationError("'\(folder)' is not a report folder") }
            let scopes = scope.map { [$0] } ?? ExplanationsExport.scopes(in: folder)
            let text: String
            do {
                text = ExplanationsExport.csv(try ExplanationsExport.answers(in: folder, scopes: scopes))
            } catch {
                Stderr.write("fundrecon: cannot read the answers in \(error.description)")
                throw ExitCode(3)
            }
            guard let output else {
                FileHandle.standardOutput.write(Data(text.utf8))
                return
            }
            do {
                try AtomicFile.write(Array(text.utf8), to: output)
            } catch {
                Stderr.write("fundrecon: cannot write \(error.description)")
                throw ExitCode(3)
            }
        }
    }
}
