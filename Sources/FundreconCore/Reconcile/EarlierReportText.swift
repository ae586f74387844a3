#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The earlier JSON report's text for `ChangeDetector`, mapped rather than copied into memory,
/// and handed back page by page behind the reader: the findings and edges are copied out as
/// they are read, so the text read already is never needed again. A province's report with the
/// receivers' books is 280 MB, which a copy (or mapped pages kept) would add to the run's peak
/// on every second night.
enum EarlierReportText {
    /// Hands `body` the file's bytes and a function to call with how far it has read; nil when
    /// the file cannot be opened or mapped (the caller then has no earlier report to compare).
    static func withBytes<R>(at path: String, _ body: (UnsafeBufferPointer<UInt8>, _ passed: (Int) -> Void) -> R?) -> R? {
        guard let fd = try? SystemCall.open(path, O_RDONLY | O_CLOEXEC) else { return nil }
        defer { close(fd) }
        guard let size64 = try? SystemCall.size(fd, path: path), size64 > 0, let size = Int(exactly: size64) else { return nil }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else { return nil }
        defer { munmap(mapped, size) }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var released = 0
        let bytes = UnsafeBufferPointer(start: mapped.assumingMemoryBound(to: UInt8.self), count: size)
        return body(bytes) { offset in
            let end = min(offset, size) / page * page
            guard end - released >= releaseStep else { return }
            _ = madvise(mapped + released, end - released, MADV_DONTNEED)  // a hint: the text stays readable either way
            released = end
        }
    }

    /// Pages go back in steps of this many bytes, not one by one.
    static let releaseStep = 8 << 20
}
