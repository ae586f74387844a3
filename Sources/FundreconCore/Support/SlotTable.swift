import CSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Zero-filled storage for a large open-addressing table (all-zero bytes mark an empty slot).
/// A table bigger than the caches costs a TLB miss per probe with 4 KiB pages, several
/// hundred ns on a 2-core VM (perf: 85% of the voucher look-up on 10^7 rows sits on the
/// slot load), so big tables come straight from mmap and ask for 2 MiB pages (MADV_HUGEPAGE;
/// transparent huge pages are in "madvise" mode here). A value type: copied when written
/// while shared.
///
/// `.small` pages are for one of many tables that each fill only their start (a window of
/// voucher numbers per sender): mapped the same way, so untouched pages cost nothing, but
/// without the 2 MiB pages, each of which would hold a mostly empty table's first slots.
// Unchecked: the storage is a raw pointer; every write first copies it unless this value owns
// it alone (isKnownUniquelyReferenced), so two threads never write the same storage.
struct SlotTable<Element: BitwiseCopyable>: @unchecked Sendable {
    enum Pages: Sendable {
        case huge, small

        /// From this size on a table is mapped; smaller, it is zeroed on the heap at once.
        var mappedFrom: Int { self == .huge ? 2 << 20 : 64 << 10 }
    }

    private final class Storage {
        let base: UnsafeMutablePointer<Element>
        let count: Int
        let pages: Pages
        private let mappedBytes: Int  // 0 when allocated on the heap

        static var hugePage: Int { 2 << 20 }

        init(count: Int, pages: Pages) {
            self.count = count
            self.pages = pages
            let bytes = max(count, 1) * MemoryLayout<Element>.stride
            if bytes >= pages.mappedFrom, let mapped = Storage.map(bytes, pages: pages) {
                base = mapped.pointer
                mappedBytes = mapped.bytes
            } else {
                base = .allocate(capacity: max(count, 1))
                UnsafeMutableRawPointer(base).initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
                mappedBytes = 0
            }
        }

        private static func map(_ bytes: Int, pages: Pages) -> (pointer: UnsafeMutablePointer<Element>, bytes: Int)? {
            let rounded = (bytes + hugePage - 1) / hugePage * hugePage
            guard let raw = mmap(nil, rounded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
                  raw != MAP_FAILED else { return nil }
            #if os(Linux)
            // A hint: without it the table still works.
            if pages == .huge { _ = madvise(raw, rounded, MADV_HUGEPAGE) }
            #endif
            return (raw.bindMemory(to: Element.self, capacity: bytes / MemoryLayout<Element>.stride), rounded)
        }

        func copy() -> Storage {
            let other = Storage(count: count, pages: pages)
            other.base.update(from: base, count: count)
            return other
        }

        deinit {
            if mappedBytes > 0 { munmap(UnsafeMutableRawPointer(base), mappedBytes) } else { base.deallocate() }
        }
    }

    private var storage: Storage

    init(count: Int, pages: Pages = .huge) { storage = Storage(count: count, pages: pages) }

    var count: Int { storage.count }

    subscript(i: Int) -> Element {
        get {
            precondition(i >= 0 && i < storage.count, "slot index out of range")
            return storage.base[i]
        }
        set {
            precondition(i >= 0 && i < storage.count, "slot index out of range")
            if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
            storage.base[i] = newValue
        }
    }

    /// Starts loading slot `i` into the cache; a later access finds it there.
    func prefetch(_ i: Int) {
        guard i >= 0 && i < storage.count else { return }
        fundrecon_prefetch(storage.base + i)
    }
}
