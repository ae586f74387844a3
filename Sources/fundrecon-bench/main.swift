// Phase timings for benchmarks: how long reading and reconciling take, how long the JSON
// report takes on its own (the CLI writes it beside the workbook, on the other core), and how
// long and how much memory writing the workbook takes on its own (peak RSS reset before it).
//
//   fundrecon-bench INPUT_DIR OUTPUT.xlsx
import Foundation
import FundreconCore
import Synchronization

func memory() -> (rss: Int, peak: Int) {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    func kb(_ key: String) -> Int {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first { Int($0) != nil } ?? "0") ?? 0
    }
    return (kb("VmRSS:") / 1024, kb("VmHWM:") / 1024)
}

func seconds(_ d: Duration) -> String {
    String(format: "%.2f", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
}

let args = CommandLine.arguments
guard args.count == 3 else {
    FileHandle.standardError.write(Data("usage: fundrecon-bench INPUT_DIR OUTPUT.xlsx\n".utf8))
    exit(2)
}
let clock = ContinuousClock()
var result: ReconcileResult?
var afterRead = (rss: 0, peak: 0)
let started = clock.now
/// When each streamed file was first and last reported read (every few thousand rows), to see
/// how the reading threads share the files.
let spans = Mutex<[InputFile: (first: Duration, last: Duration)]>([:])
let reconcile = clock.measure {
    result = Reconciler.run(ScopeSources.folder(args[1], existing: FileSystem.isFile), settings: Settings(),
                            today: Day(year: 2030, month: 1, day: 1)!, fileExists: FileSystem.isFile,
                            progress: { file, _, _ in
                                let now = ContinuousClock.now - started
                                spans.withLock { $0[file] = ($0[file]?.first ?? now, now) }
                            },
                            phase: { if case .read = $0 { afterRead = memory() } })
}
guard let result else { exit(1) }
let afterReconcile = memory()
let json = clock.measure {
    do {
        let temporary = try JSONReport.writeTemporary(result, for: args[2] + ".json", scopeName: "bench", generatedAt: "bench",
                                                      version: "bench", changes: nil)
        AtomicFile.discard(temporary)
    } catch {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        exit(3)
    }
}
// Reset the peak so the next reading is the workbook phase alone.
try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
let before = memory()
let write = clock.measure {
    do {
        try WorkbookReport(result, scopeName: "bench", generatedAt: "bench", version: "bench").write(to: args[2], created: 0)
    } catch {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
        exit(3)
    }
}
let after = memory()
let largest = Dictionary(grouping: result.edges, by: \.hop).map { ($0.key.name, $0.value.count) }.max { $0.1 < $1.1 }
print("edges \(result.edges.count) (largest sheet \(largest?.0 ?? "-"): \(largest?.1 ?? 0) rows), findings \(result.findings.count)")
for (file, span) in spans.withLock({ $0 }).sorted(by: { $0.value.first < $1.value.first }) {
    print("\(file.rawValue): read from \(seconds(span.first)) s to \(seconds(span.last)) s")
}
print("after reading: RSS \(afterRead.rss) MB, peak while reading \(afterRead.peak) MB")
print("read + reconcile \(seconds(reconcile)) s, RSS after \(afterReconcile.rss) MB (peak \(afterReconcile.peak) MB)")
print("JSON report alone \(seconds(json)) s; all but the workbook \(seconds(reconcile + json)) s")
print("workbook \(seconds(write)) s, RSS \(before.rss) MB before, peak during writing \(after.peak) MB (+\(after.peak - before.rss) MB)")
