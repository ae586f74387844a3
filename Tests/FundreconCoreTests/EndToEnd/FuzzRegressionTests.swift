import Foundation
import Testing

/// Every input that once made a fuzz target fail (Tests/Fuzz/<target>/) is run through that
/// target again by the replayer build of `fundrecon-fuzz`: none may trap.
@Suite struct FuzzRegressions {
    static let targets = ["tokenizer", "values", "header", "report", "sheet"]

    @Test(arguments: targets)
    func savedInputsNoLongerFail(target: String) throws {
        let dir = CLI.packageRoot + "/Tests/Fuzz/" + target
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { !$0.hasPrefix(".") }.sorted()
        #expect(!files.isEmpty, "each target keeps at least its seed")
        let replayer = URL(fileURLWithPath: CLI.executable).deletingLastPathComponent().appendingPathComponent("fundrecon-fuzz").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: replayer)
        process.arguments = [target] + files.map { dir + "/" + $0 }
        process.environment = ["SWIFT_BACKTRACE": "enable=no"]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(target): \(files)")
    }
}
