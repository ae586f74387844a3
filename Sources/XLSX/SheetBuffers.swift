import CXlsxWriter
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bigger stdio buffers for the sheets' temporary files. In constant-memory mode libxlsxwriter
/// writes each sheet's rows to a temporary file through stdio's default 4 KiB buffer: a
/// province's sheets are 1.5 GB of XML, a `write` call every 4 KiB, and the calls took a tenth
/// of a run's CPU (docs/benchmarks.md). With 256 KiB they are 64 times fewer.
///
/// A buffer must outlive its file's last use, and libxlsxwriter closes a sheet's file only when
/// it assembles that sheet in `workbook_close`: `flushBeforeClose()` leaves nothing in the
/// buffers for a file it might leave open (a close that fails first), and `closeUnwritten()`
/// closes the files of a workbook never closed, which libxlsxwriter frees without closing.
/// The buffers are freed with this object, after either.
final class SheetBuffers {
    static let size = 256 << 10
    private var files: [UnsafeMutablePointer<FILE>] = []
    private var buffers: [UnsafeMutableRawPointer] = []

    init() {}

    /// Gives a sheet's temporary file the bigger buffer; before anything is written to it (stdio
    /// allows it only then). A sheet without a temporary file (not constant-memory) is left alone.
    func enlarge(_ sheet: UnsafeMutablePointer<lxw_worksheet>) {
        guard let file = sheet.pointee.file, let buffer = malloc(Self.size) else { return }
        guard setvbuf(file, buffer.assumingMemoryBound(to: CChar.self), _IOFBF, Self.size) == 0 else {
            free(buffer)
            return
        }
        files.append(file)
        buffers.append(buffer)
    }

    /// Before `workbook_close`, which closes each file it assembles. Answers the errno of the
    /// first file whose rows did not all reach it (now or while it was filled), or 0:
    /// libxlsxwriter never asks.
    func flushBeforeClose() -> Int32 {
        var failure: Int32 = 0
        for file in files where fflush(file) != 0 || ferror(file) != 0 {
            if failure == 0 { failure = errno != 0 ? errno : EIO }
        }
        return failure
    }

    /// For a workbook freed without `workbook_close`: no sheet was assembled, so every file is
    /// still open, and only here is it closed.
    func closeUnwritten() {
        for file in files { fclose(file) }
        files = []
    }

    /// The buffer a sheet's temporary file writes through, in bytes (for tests: 0 before the
    /// first write when stdio chose it).
    static func bufferBytes(_ sheet: UnsafeMutablePointer<lxw_worksheet>) -> Int {
        #if canImport(Glibc)
        guard let file = sheet.pointee.file, let base = file.pointee._IO_buf_base, let end = file.pointee._IO_buf_end else { return 0 }
        return end - base
        #else
        return 0
        #endif
    }

    /// The descriptor of a sheet's temporary file (for tests), nil for a sheet held in memory.
    static func descriptor(_ sheet: UnsafeMutablePointer<lxw_worksheet>) -> Int32? {
        sheet.pointee.file.map { fileno($0) }
    }

    deinit {
        for buffer in buffers { free(buffer) }
    }
}
