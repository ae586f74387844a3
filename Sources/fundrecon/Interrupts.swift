import Dispatch
import Foundation
import FundreconCore

/// SIGINT and SIGTERM stop a run cleanly: its temporary files go, the previous report stays,
/// and the exit code is 3. The work runs on the main thread; the signal is taken on another.
enum Interrupts {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    static func install(outputFolder: String) {
        // A parent may start us with these blocked (some process launchers do): unblock them,
        // or a pending SIGTERM would wait, or vanish when ignored below.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        for (signal, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            Foundation.signal(signal, SIG_IGN)  // delivered to the dispatch source instead
            let source = DispatchSource.makeSignalSource(signal: signal, queue: .global())
            let pid = getpid()
            source.setEventHandler {
                // Only this run's files: a run that lost the lock must not touch the winner's.
                AtomicFile.removeTemporaryFiles(in: outputFolder, pid: pid)
                Stderr.write("fundrecon: stopped by \(name); the previous report in \(outputFolder) is unchanged")
                _exit(3)
            }
            // A source starts listening a moment after `resume`: wait for it, so that a signal
            // sent once the run has visibly started (its lock taken) is never one ignored.
            let registered = DispatchSemaphore(value: 0)
            source.setRegistrationHandler { registered.signal() }
            source.resume()
            _ = registered.wait(timeout: .now() + 2)
            sources.append(source)
        }
    }
}
