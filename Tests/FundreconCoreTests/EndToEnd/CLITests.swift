import Foundation
import Synchronization
import Testing
@testable import FundreconCore

/// Runs the built `fundrecon` executable (it sits beside the test bundle).
struct CLI {
    static var executable: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("fundrecon").path
    }

    /// The folder above this file that holds Package.swift.
    static var packageRoot: String {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" && !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
            dir = dir.deletingLastPathComponent()
        }
        return dir.path
    }

    struct Output { let status: Int32; let stdout: String; let stderr: String }

    static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Both pipes drained at once: read one to its end first, and a child that fills the
        // other (64 KiB) blocks on it, never closes the first, and the test hangs.
        let errors = Drained()
        let errHandle = err.fileHandleForReading
        let drained = DispatchSemaphore(value: 0)
        Thread {
            let data = errHandle.readDataToEndOfFile()
            errors.data.withLock { $0 = data }
            drained.signal()
        }.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        let errData = errors.data.withLock { $0 }
        return Output(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    /// What a reading thread hands back.
    final class Drained: Sendable {
        let data = Mutex(Data())
    }
}

@Suite(.serialized) struct CommandLineBehaviour {
    @Test func versionPrintsAndExitsZero() throws {
        let r = try CLI.run(["--version"])
        #expect(r.status == 0 && r.stdout.contains("0.1.0"))
    }

    @Test func checkOnACleanFolderExitsZero() throws {
        let f = Fixture()
        f.write()
        let r = try CLI.run(["check", f.dir])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("0 个错误"))
    }

    /// A run that writes more to stderr than a pipe holds (5,000 findings, about 600 KB)
    /// still completes, and every finding arrives.
    @Test func moreDiagnosticsThanAPipeHoldsAllArrive() throws {
        var f = Fixture()
        for i in 0..<5_000 { f.append("transfers.csv", "X\(i),2021-03-21,F2,C,G2,4O,ok,,") }
        f.write()
        let r = try CLI.run(["check", f.dir, "--lang", "en"])
        #expect(r.status == 1)
        #expect(r.stderr.utf8.count > 1 << 16)
        #expect(r.stderr.components(separatedBy: "IN005").count - 1 >= 5_000)
    }

    @Test func checkPrintsCompilerStyleDiagnosticsAndExitsOne() throws {
        var f = Fixture()
        f.edit("transfers.csv", "T3,2021-03-21,F2,C,G2,40,", "T3,2021-03-21,F2,C,G2,4O,")
        f.write()
        let r = try CLI.run(["check", f.dir, "--lang", "en"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(f.path("transfers.csv")):4:23: error[IN005]: amount \"4O\" is not an amount"))
    }

    /// `--format json > findings.jsonl` gives one object a line on stdout, and only the
    /// summary for people on stderr.
    @Test func checkJSONLinesGoToStdoutCarryingCodeFileLineAndColumn() throws {
        var f = Fixture()
        f.edit("transfers.csv", "T3,2021-03-21,F2,C,G2,40,", "T3,2021-03-21,F2,C,G2,4O,")
        f.write()
        let r = try CLI.run(["check", f.dir, "--format", "json"])
        #expect(r.status == 1)
        #expect(!r.stderr.contains("IN005") && r.stderr.contains("1 个错误"), "\(r.stderr)")
        #expect(r.stdout.hasSuffix("}\n"))
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 1)
        let object = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(object?["code"] as? String == "IN005")
        #expect(object?["line"] as? Int == 4 && object?["column"] as? Int == 23)
        #expect(object?["severity"] as? String == "error")
        #expect((object?["message"] as? String)?.contains("4O") == true)
    }

    @Test func checkGithubFormatEmitsWorkflowCommands() throws {
        var f = Fixture()
        f.edit("transfers.csv", "T3,2021-03-21,F2,C,G2,40,", "T3,2021-03-21,F2,C,G2,4O,")
        f.append("transfers.csv", "T5,2021-05-02,F1,K,G1,1,ok,,")
        f.addColumn("transfers.csv", "经办人")
        f.write()
        // Run from the scope's parent, as a workflow runs from the repository's root.
        let parent = (f.dir as NSString).deletingLastPathComponent, name = (f.dir as NSString).lastPathComponent
        let r = try CLI.run(["check", f.dir, "--format", "github", "--lang", "en"], in: parent)
        #expect(r.status == 1)
        #expect(!r.stderr.contains("::error"))
        #expect(r.stdout.contains("::error file=\(name)/transfers.csv,line=4,col=23,title=IN005::"), "\(r.stdout)")
        #expect(r.stdout.contains("::notice file=\(name)/transfers.csv,line=1,col=\(column(of: 9, in: "voucher,date,project,from,to,amount,status,document,note,经办人")),title=IN010::"))
        // GITHUB_WORKSPACE, when set, is what paths are relative to.
        let inWorkspace = try CLI.run(["check", "transfers.csv", "--format", "github"], in: f.dir, environment: ["GITHUB_WORKSPACE": parent])
        #expect(inWorkspace.stdout.contains("::error file=\(name)/transfers.csv,line=4,col=23,title=IN005::"), "\(inWorkspace.stdout)")
    }

    @Test func checkOutputFileTakesTheFindingsAndStdoutStaysEmpty() throws {
        var f = Fixture()
        f.edit("transfers.csv", "T3,2021-03-21,F2,C,G2,40,", "T3,2021-03-21,F2,C,G2,4O,")
        f.write()
        let out = f.dir + "/findings.jsonl"
        let r = try CLI.run(["check", f.dir, "--format", "json", "--output", out])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        let written = try String(contentsOfFile: out, encoding: .utf8)
        #expect(written.split(separator: "\n").count == 1 && written.contains("\"code\":\"IN005\""))
        let unwritable = try CLI.run(["check", f.dir, "--format", "json", "--output", f.dir + "/no/such/folder/f.jsonl"])
        #expect(unwritable.status == 3)
        #expect(unwritable.stderr.contains("cannot write the findings: \(f.dir)/no/such/folder/f.jsonl"), "\(unwritable.stderr)")
    }

    @Test func failOnDecidesTheExitCode() throws {
        var f = Fixture()
        f.addColumn("transfers.csv", "经办人")  // an info finding only
        f.write()
        #expect(try CLI.run(["check", f.dir]).status == 0)
        #expect(try CLI.run(["check", f.dir, "--fail-on", "warning"]).status == 0)
        var g = Fixture()
        g.append("entities.csv", "K2,新丰县财政局,county,C")
        g.append("entities.csv", "G4,新丰县某企业,grantee,K2")
        g.append("plan.csv", "5,F1,K,G4,0,,,")  // PL004 is a warning
        g.write()
        #expect(try CLI.run(["check", g.dir]).status == 0)
        #expect(try CLI.run(["check", g.dir, "--fail-on", "warning"]).status == 1)
        #expect(try CLI.run(["check", g.dir, "--fail-on", "never"]).status == 0)
    }

    /// A report that cannot be put in place (a folder stands at its name) is exit 3 naming
    /// the path and the reason, and leaves no temporary file behind.
    @Test func aReportThatCannotBeWrittenIsExitThreeNamingThePath() throws {
        let f = Fixture()
        f.write()
        let out = Fixture.makeTempDir()
        let blocked = "\(out)/reconciliation-\((f.dir as NSString).lastPathComponent)-2021-12-31.xlsx"
        try FileManager.default.createDirectory(atPath: blocked, withIntermediateDirectories: false)
        let r = try CLI.run(["reconcile", f.dir, "-o", out, "--quiet"], environment: ["SOURCE_DATE_EPOCH": "1646092800"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("cannot write the report: \(blocked): rename: "), "\(r.stderr)")
        #expect(NightlyOperation.temporaryFiles(out).isEmpty)
    }

    /// reconcile prints the first 50 findings, errors first, and how many more the report
    /// holds; --all-findings prints them all; check always prints them all.
    @Test func reconcilePrintsAFewFindingsErrorsFirstAndCountsTheRest() throws {
        var f = Fixture()
        f.addColumn("transfers.csv", "经办人")  // an info finding, first in the report's order
        for i in 0..<120 { f.append("transfers.csv", "X\(i),2021-03-21,F2,C,G2,4O,ok,,,") }
        f.write()
        let lines = { (r: CLI.Output) in r.stderr.split(separator: "\n").filter { $0.contains("[IN") || $0.contains("[FL") || $0.contains("[BL") || $0.contains("[PL") || $0.contains("[PI") } }
        let short = try CLI.run(["reconcile", f.dir, "-o", Fixture.makeTempDir(), "--lang", "en"])
        #expect(lines(short).count == 50)
        #expect(lines(short).allSatisfy { $0.contains(": error[") }, "errors first")
        let total = try #require(Int(short.stderr.split(separator: "\n").first { $0.contains("errors,") }?
            .split(separator: " ").first { Int($0) != nil } ?? ""))
        #expect(total >= 120)
        #expect(short.stderr.contains("more findings in the report"))
        let all = try CLI.run(["reconcile", f.dir, "-o", Fixture.makeTempDir(), "--lang", "en", "--all-findings"])
        #expect(lines(all).count > 120 && !all.stderr.contains("more findings in the report"))
        let check = try CLI.run(["check", f.dir, "--lang", "en"])
        #expect(lines(check).count > 120)
    }

    /// An output folder where no lock file can be made says so, and blames no other run.
    @Test func anOutputFolderThatTakesNoLockSaysWhyAndExitsThree() throws {
        let f = Fixture()
        f.write()
        let r = try CLI.run(["reconcile", f.dir, "-o", "/proc/self", "--quiet"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("cannot take the output folder's lock (/proc/self/.fundrecon.lock: "), "\(r.stderr)")
        #expect(!r.stderr.contains("another run"))
    }

    /// An optional input that is there but cannot be read fails the check, saying why.
    @Test func checkOfAFolderNamedSpendingCsvFailsSayingWhy() throws {
        var f = Fixture()
        f.files["spending.csv"] = nil
        f.write()
        try FileManager.default.createDirectory(atPath: f.path("spending.csv"), withIntermediateDirectories: false)
        let r = try CLI.run(["check", f.dir, "--lang", "en"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("spending.csv: error[IN001]: cannot read spending.csv at byte 0: "), "\(r.stderr)")
    }

    @Test func helpShowsExamplesAndCompletionScriptsAreGenerated() throws {
        let help = try CLI.run(["help", "reconcile"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("Examples:") && help.stdout.contains("fundrecon reconcile Inputs -o Outputs"))
        #expect(try CLI.run(["help", "check"]).stdout.contains("--format json > findings.jsonl"))
        for shell in ["bash", "zsh", "fish"] {
            let script = try CLI.run(["--generate-completion-script", shell])
            #expect(script.status == 0 && script.stdout.contains("reconcile") && script.stdout.contains("--format"), "\(shell)")
        }
    }

    @Test func badArgumentsAndSettingsExitTwo() throws {
        #expect(try CLI.run(["check", "/no/such/folder"]).status == 2)
        #expect(try CLI.run(["check", "--format", "xml"]).status == 2)
        #expect(try CLI.run(["explain", "XX999"]).status == 2)
        var f = Fixture()
        f.files["fundrecon.toml"] = "unit = \"万元\"\ntolerence = 1\n"
        f.write()
        let r = try CLI.run(["check", f.dir])
        #expect(r.status == 2)
        #expect(r.stderr.contains("tolerence"))
    }

    @Test func missingRequiredFileIsAFindingNotACrash() throws {
        var f = Fixture()
        f.files["transfers.csv"] = nil
        f.write()
        let r = try CLI.run(["check", f.dir])
        #expect(r.status == 1)
        #expect(r.stderr.contains("[IN001]"))
    }

    @Test func checkSingleFilesTakesReferencesFromBesideThem() throws {
        var f = Fixture()
        f.files["transfers-2021-q2.csv"] = f.files["transfers.csv"].map { $0 + "T5,2021-05-02,F1,K,G9,1,ok,,\n" }
        f.write()
        let r = try CLI.run(["check", f.path("transfers-2021-q2.csv"), "--lang", "en"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("transfers-2021-q2.csv:6:"))
        #expect(r.stderr.contains("[IN007]"))
        #expect(!r.stderr.contains("[IN001]"))
    }

    @Test func initWritesTemplatesThatCheckReadsWithoutFindings() throws {
        let dir = Fixture.makeTempDir() + "/scope"
        let r = try CLI.run(["init", dir])
        #expect(r.status == 0)
        for file in InputFile.allCases {
            let text = try String(contentsOfFile: dir + "/" + file.fileName, encoding: .utf8)
            #expect(text.contains("/"), "\(file)")
        }
        let headers = try String(contentsOfFile: dir + "/transfers.csv", encoding: .utf8)
        #expect(headers.hasPrefix("凭证号/voucher,日期/date,"))
        let check = try CLI.run(["check", dir])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(!check.stderr.contains("IN010"))
        let settings = try String(contentsOfFile: dir + "/fundrecon.toml", encoding: .utf8)
        #expect(try Settings.parse(toml: settings, source: "t") == Settings())
    }

    @Test func explainCoversEveryCodeInBothLanguages() throws {
        let r = try CLI.run(["explain", "all"])
        #expect(r.status == 0)
        for code in RuleCode.allCases {
            #expect(r.stdout.contains(code.rawValue + " ["), "\(code)")
        }
        let one = try CLI.run(["explain", "in005"])
        #expect(one.stdout.contains("为什么") && one.stdout.contains("Fix:"))
    }
}

@Suite struct SampleInputs {
    /// The sample scope built from the Shaoguan 2021 self-evaluation keeps the document's
    /// planning mistakes, and check finds exactly those.
    @Test func checkFindsTheSeedDocumentsPlanningMistakes() {
        let dir = CLI.packageRoot + "/Inputs"
        let result = CheckRun.run(ScopeSources.folder(dir, existing: FileSystem.isFile), settings: Settings(), fileExists: FileSystem.isFile)
        let codes = result.findings.map(\.code)
        #expect(codes.filter { $0.rawValue.hasPrefix("IN") }.isEmpty)
        // "150元" written for 150 万元: the line's own budget and the root's sum both break.
        let pl001 = result.findings(.PL001)
        #expect(pl001.count == 2)
        #expect(pl001.contains { $0.project == "IP-XF" && $0.message.zh.contains("一万倍") })
        // Six grantees at 50 万元 each under a 100 万元 line.
        let pl002 = result.findings(.PL002)
        #expect(pl002.contains { $0.project == "CJ01" && $0.amount == 200_000_000 })
        #expect(pl002.contains { $0.project == "IP-XF" })
        #expect(result.scope.stats(.spending)?.encoding == .gb18030)
        #expect(result.scope.stats(.transfers)?.encoding == .utf8BOM)
        #expect(result.scope.stats.allSatisfy { $0.rowsRejected == 0 })
    }
}
