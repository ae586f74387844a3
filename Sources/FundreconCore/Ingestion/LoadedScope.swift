import Foundation
import Synchronization

/// Rows read, used and rejected for one input file (the accounting guarantee of spec §3).
public struct FileStats: Sendable {
    public let file: InputFile
    public let path: String
    public internal(set) var present = false
    public internal(set) var encoding: TextEncoding?
    public internal(set) var bytes: Int64 = 0
    /// SHA-256 of the file, when the run computes it (reconcile does, check does not).
    public internal(set) var sha256: String?
    public internal(set) var rowsRead = 0
    public internal(set) var rowsRejected = 0
    /// Threads that read the file (2 when a big transfers.csv was read from both ends at once).
    public internal(set) var readers = 1
    /// The file was left out whole (IN001 for a missing column, IN002 for its encoding).
    public internal(set) var rejectedWhole = false
    public var rowsUsed: Int { rowsRead - rowsRejected }
    /// The file's name in summaries: its kind's name, or for a part of receipts.csv (a file
    /// a receiver) its own name.
    public var shownName: String {
        file == .receipts ? String(path.lastPathPart ?? Substring(file.fileName)) : file.fileName
    }
    /// Present and not left out whole.
    public var isUsable: Bool { present && !rejectedWhole }
}

/// An accepted row of transfers.csv, handed to a sink while streaming.
public struct TransferRow: Sendable {
    public let date: Day
    public let project: Int
    public let from: Int
    public let to: Int
    public let amount: Fen
    public let status: TransferStatus
    public let line: Int
}

/// An accepted row of spending.csv.
public struct SpendingRow: Sendable {
    public let date: Day
    public let entity: Int
    public let project: Int
    public let amount: Fen
    public let status: SpendingStatus
    /// Hash of the payee's text, so a re-payment can be matched without keeping the text.
    public let payeeHash: UInt64
    /// The payee's text, kept only for failed payments, whose messages name it.
    public let payee: String?
    public let line: Int
}

/// An accepted row of receipts.csv: what a receiver booked as arrived.
public struct ReceiptRow: Sendable {
    public let date: Day
    public let project: Int
    public let from: Int
    public let to: Int
    public let amount: Fen
    /// The sender's voucher as the receiver wrote it down, packed by the reading thread's
    /// `WrittenVouchers.Packing`; 0 when the cell is empty.
    public let ref: UInt64
    public let line: Int
    /// Which part of receipts.csv the row is in (0 for receipts.csv itself, or the first
    /// receipts-*.csv).
    public let part: Int
}

/// An accepted row of indicators.csv; the target and actual are read by the PI rules.
public struct IndicatorRow: Sendable {
    public let project: Int
    public let level1: String?
    public let level2: String?
    public let name: String
    public let target: String
    public let actual: String?
    public let line: Int
}

/// Finds units and projects by id (or code), or by exact name when the name is unique.
struct RefIndex: Sendable {
    enum Resolution: Equatable { case found(Int), unknown, ambiguous }

    private(set) var ids = IDTable()
    /// Every key was registered as the item's id text reads (no blanks trimmed off its ends
    /// beyond spaces and tabs), so a look-up of that text finds the item.
    var keysAreTexts = true
    /// Names are indexed only when a reference is not an id: most ledgers refer by id, and
    /// indexing half a million names up front held up every other file.
    private var names = NameIndex()

    /// Room for about `keys` items, so a big file does not rehash as it grows.
    mutating func reserve(_ keys: Int) {
        ids.reserve(keys: keys)  // the short ids' slots; long ids' table grows as they come
        names.reserve(keys)
    }

    /// Registers the key of item number `ids.count`; when the key is taken, returns the item
    /// that has it instead. One look-up (it misses the cache in a big table).
    mutating func register(_ key: UnsafeBufferPointer<UInt8>, probe: IDTable.Probe, tag: UInt8 = 0) -> Int? {
        let (index, inserted) = ids.intern(key, probe: probe, tag: tag)
        return inserted ? nil : index
    }

    /// Hashes a key and starts loading its slot, for `register(_:probe:)` a little later.
    func prefetch(_ key: UnsafeBufferPointer<UInt8>) -> IDTable.Probe { ids.prefetch(key) }

    /// Items are added in order: this is item number (names added so far).
    mutating func addName(_ name: String) {
        if !isKnownUniquelyReferenced(&names) { names = names.copy() }
        names.add(name)
    }

    func resolve(_ b: UnsafeBufferPointer<UInt8>) -> Resolution {
        if let i = ids.lookup(b) { return .found(i) }
        return names.resolve(b)
    }

    /// `resolve` with the key's probe from `prefetch`.
    func resolve(_ b: UnsafeBufferPointer<UInt8>, probe: IDTable.Probe) -> Resolution {
        if let i = ids.lookup(b, probe: probe) { return .found(i) }
        return names.resolve(b)
    }

    /// `resolve`, and the tag the item was registered with when it is found by its key (a
    /// name's item has none here: its tag is where the caller keeps it).
    func resolveTagged(_ b: UnsafeBufferPointer<UInt8>, probe: IDTable.Probe?) -> (Resolution, tag: UInt8?) {
        if let (i, tag) = ids.lookupTagged(b, probe: probe) { return (.found(i), tag) }
        return (names.resolve(b), nil)
    }

    /// Starts loading the key the probe's slot names, when it is not in the slot (`IDTable.prefetchKey`).
    func prefetchKey(_ probe: IDTable.Probe) { ids.prefetchKey(probe) }

    /// The item whose id text is `text`, by the key table when every key is its text.
    func item(withIDText text: String) -> Int? {
        guard keysAreTexts else { return nil }
        return ids.lookup(text)
    }

    func resolve(_ text: String) -> Resolution {
        var copy = text
        return copy.withUTF8 { resolve($0) }
    }
}

/// Items by exact name, built on the first look-up by name. Shared by the reading threads
/// once loading is done, added to only while the units are read: built once under the lock,
/// then read without it (a ledger that names its units looks one up on most rows).
// Unchecked: `pending` is written only while units are read, on one thread, before any other
// thread sees the index; `built` is written once under `lock` and read after `ready` says so.
final class NameIndex: @unchecked Sendable {
    private var pending: [String] = []
    private var built: (names: ByteInterner, item: [Int])?
    private let lock = NSLock()
    private let ready = Atomic<Bool>(false)

    func reserve(_ keys: Int) { pending.reserveCapacity(keys) }

    func add(_ name: String) {
        pending.append(name)
        built = nil
        ready.store(false, ordering: .releasing)
    }

    func copy() -> NameIndex {
        let other = NameIndex()
        other.pending = pending
        return other
    }

    func resolve(_ b: UnsafeBufferPointer<UInt8>) -> RefIndex.Resolution {
        if !ready.load(ordering: .acquiring) {
            lock.withLock {
                if built == nil { built = build() }
                ready.store(true, ordering: .releasing)
            }
        }
        guard let index = built, let n = index.names.lookup(b) else { return .unknown }
        return index.item[n] >= 0 ? .found(index.item[n]) : .ambiguous
    }

    /// A name held by two items resolves to neither (-1).
    private func build() -> (names: ByteInterner, item: [Int]) {
        var names = ByteInterner(capacity: pending.count)
        var item: [Int] = []
        item.reserveCapacity(pending.count)
        for (i, name) in pending.enumerated() {
            let (index, inserted) = names.intern(name)
            if inserted { item.append(i) } else if item[index] != i { item[index] = -1 }
        }
        return (names, item)
    }
}

/// What was read of a scope: the units, projects, plan and indicators (small, kept), and the
/// accounting of every file. Transfers and spending are streamed, never kept here.
public struct LoadedScope: Sendable {
    public internal(set) var entities: [Entity] = []
    public internal(set) var projects: [Project] = []
    public internal(set) var plan: [PlanLine] = []
    public internal(set) var indicators: [IndicatorRow] = []
    public internal(set) var stats: [FileStats] = []
    var entityRefs = RefIndex()
    var projectRefs = RefIndex()

    public func stats(_ file: InputFile) -> FileStats? { stats.first { $0.file == file } }

    /// Any part of the file is present and not left out whole.
    public func isUsable(_ file: InputFile) -> Bool { stats.contains { $0.file == file && $0.isUsable } }

    /// The paths the file was read from, a part each.
    public func paths(_ file: InputFile) -> [String] { stats.filter { $0.file == file }.map(\.path) }

    public func path(_ file: InputFile) -> String { stats(file)?.path ?? file.fileName }

    public func entity(named ref: String) -> Int? {
        if case .found(let i) = entityRefs.resolve(ref) { return i }
        return nil
    }

    public func project(named ref: String) -> Int? {
        if case .found(let i) = projectRefs.resolve(ref) { return i }
        return nil
    }

    /// True when `ancestor` is `unit` or above it in the entity hierarchy.
    public func isAncestor(_ ancestor: Int, of unit: Int) -> Bool {
        LoadedScope.walkUp(from: unit, to: ancestor, limit: entities.count) { entities[$0].parent }
    }

    /// True when `ancestor` is `project` or above it in the project hierarchy.
    public func isProjectAncestor(_ ancestor: Int, of project: Int) -> Bool {
        LoadedScope.walkUp(from: project, to: ancestor, limit: projects.count) { projects[$0].parent }
    }

    /// Follows parents from `start`; true on reaching `target`. Bounded, though cycles are broken on load.
    private static func walkUp(from start: Int, to target: Int, limit: Int, parent: (Int) -> Int?) -> Bool {
        var current: Int? = start
        var steps = 0
        while let c = current, steps <= limit {
            if c == target { return true }
            current = parent(c)
            steps += 1
        }
        return false
    }

    /// "韶关市知识产权局 (SG)" for messages.
    public func describeEntity(_ i: Int) -> String {
        guard entities.indices.contains(i) else { return "?" }
        let e = entities[i]
        return e.name == e.id ? e.id : "\(e.name)（\(e.id)）"
    }

    public func describeProject(_ i: Int) -> String {
        guard projects.indices.contains(i) else { return "?" }
        let p = projects[i]
        return p.name == p.code ? p.code : "\(p.code) \(p.name)"
    }
}
