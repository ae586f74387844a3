import Foundation
import Synchronization

/// The answers in a scope's earlier workbooks, read on a thread of their own while the run
/// reconciles. The nightly's second run reads yesterday's workbook (hundreds of megabytes of
/// sheets at 10^7 rows) before it can write tonight's; read after the rules, that was seconds
/// with a core idle.
///
/// What is read early is read again when it changed since (its size, modification time or
/// file is another), so that an answer saved during the run is not lost: each workbook is
/// used as it stands when the run asks for the answers, as if read only then.
public final class EarlierAnswers: Sendable {
    private let folder: ReportFolder
    private let early = Mutex<[String: EarlyRead]>([:])
    private let finished = DispatchSemaphore(value: 0)
    /// Workbooks read from disk so far, early or late (for the tests of the early read).
    let reads = Atomic<Int>(0)

    private struct EarlyRead: Sendable {
        let stamp: FileStamp?
        let answers: Result<Explanations, WorkbookReadError>
    }

    /// Starts reading, in the order a run of any date would read them, the workbooks every run
    /// reads: the newest date's, and those saved after it (`ReportFolder.workbooksToRead`).
    public init(folder: String, scope: String) {
        self.folder = ReportFolder(folder: folder, scope: scope)
        let paths = self.folder.workbooksToRead(target: "")
        let thread = Thread { [self] in
            for path in paths {
                let stamp = FileStamp(path)
                let answers = read(path)
                early.withLock { $0[path] = EarlyRead(stamp: stamp, answers: answers) }
            }
            finished.signal()
        }
        thread.start()
    }

    /// Each workbook a run about to write `target` must read, oldest save first, with its
    /// answers or why it could not be read: the early read when the file is as it was then,
    /// else read now.
    public func answers(target: String) -> [(path: String, answers: Result<Explanations, WorkbookReadError>)] {
        finished.wait()
        finished.signal()  // a second call does not wait forever
        let early = self.early.withLock { $0 }
        return folder.workbooksToRead(target: target).map { path in
            if let read = early[path], let stamp = read.stamp, FileStamp(path) == stamp { return (path, read.answers) }
            return (path, read(path))
        }
    }

    private func read(_ path: String) -> Result<Explanations, WorkbookReadError> {
        reads.add(1, ordering: .relaxed)
        return Result { () throws(WorkbookReadError) in try Explanations.read(workbook: path) }
    }
}

/// What tells a file changed: the file it is (a save that replaces it), its size and its
/// modification time to the nanosecond.
struct FileStamp: Equatable, Sendable {
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let seconds: Int
    let nanoseconds: Int

    init?(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        seconds = Int(info.st_mtim.tv_sec)
        nanoseconds = Int(info.st_mtim.tv_nsec)
    }
}
