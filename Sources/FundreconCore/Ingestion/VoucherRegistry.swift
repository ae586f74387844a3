#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Voucher numbers seen in one file, for IN003: exact, and small for the usual shape.
///
/// Most vouchers pack into 8 bytes (`VoucherPacker`); a packed voucher and its first line take
/// 4 bytes of table when numbered in sequence (see `PackedKeys`), 12 otherwise, instead of the
/// ~33 of the text. Anything else is kept byte for byte.
public struct VoucherRegistry: Sendable {
    private var packer = VoucherPacker()
    private var packed = PackedKeys(capacity: 1024)
    private var others = ByteInterner(capacity: 64)
    private var otherLines: [Int32] = []

    public init() {}

    /// Where a voucher goes, worked out (and its slot being loaded) before it is registered.
    public enum Probe: Sendable {
        case packed(key: UInt64)
        case other(hash: UInt64)
    }

    mutating func reserve(_ rows: Int) {
        packed.reserve(rows)
    }

    /// Packs the voucher when it can and starts loading its slot.
    mutating func probe(_ b: UnsafeBufferPointer<UInt8>) -> Probe {
        if let key = packer.key(b) {
            packed.prefetch(key)
            return .packed(key: key)
        }
        return .other(hash: others.prefetch(b))
    }

    /// Registers a voucher; returns the line it was first seen on when it was seen before.
    mutating func register(_ b: UnsafeBufferPointer<UInt8>, line: Int, probe: Probe? = nil) -> Int? {
        var target = probe ?? self.probe(b)
        if case .other = target {
            // A shape is learned the first time it is seen, so a voucher is packed from its
            // first row on or never: the same text always lands in the same table.
            if let key = packer.keyLearning(b) { target = .packed(key: key) }
        }
        switch target {
        case .packed(let key):
            return packed.insert(key, line: UInt32(clamping: line)).map(Int.init)
        case .other(let hash):
            let (index, inserted) = others.intern(b, hash: hash)
            if inserted {
                otherLines.append(Int32(clamping: line))
                return nil
            }
            return otherLines.indices.contains(index) ? Int(otherLines[index]) : nil
        }
    }

    /// The first line of a voucher, when it is here; learns nothing. A voucher whose shape is
    /// known now is packed if it is here at all: its shape was learnt no later than its first
    /// row. One whose shape is not known went to the plain table, if anywhere.
    func firstLine(of b: UnsafeBufferPointer<UInt8>) -> Int? {
        var reading = self  // packing a voucher uses the packer's scratch; the tables are only read
        return reading.lookUp(b)
    }

    /// `firstLine(of:)` for many look-ups on one thread: packs in this registry's own scratch
    /// instead of copying the registry for each.
    mutating func lookUp(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        if let key = packer.key(b) { return packed.line(of: key).map(Int.init) }
        return others.lookup(b).flatMap { otherLines.indices.contains($0) ? Int(otherLines[$0]) : nil }
    }

    /// Starts loading the slot `lookUp` reads for a voucher that packs.
    mutating func prefetchLine(_ b: UnsafeBufferPointer<UInt8>) {
        if let key = packer.key(b) { packed.prefetchLookUp(key) }
    }

    /// This registry's number for each of another packer's shapes (`VoucherPacker.shapes`,
    /// by number), nil for a shape it never learnt: a key of that packer is one of this
    /// registry's with its shape renumbered, and is looked up without being spelt.
    func shapeNumbers(for shapes: [[UInt8]]) -> [Int?] {
        shapes.map { text in text.withUnsafeBufferPointer { packer.shapes.lookup($0) } }
    }

    /// `key` of another packer, renumbered by `shapeNumbers`; nil when no voucher of this
    /// registry can have its shape. A voucher whose shape is not learnt here went to the
    /// plain table, if anywhere, and only once the packer learnt no more: then `spelt`.
    func renumbered(_ key: UInt64, _ numbers: [Int?]) -> UInt64? {
        let shape = Int(key >> 54) - 1
        guard numbers.indices.contains(shape), let here = numbers[shape] else { return nil }
        return UInt64(here + 1) << 54 | key & (1 << 54 - 1)
    }

    /// The first line of another packer's `key` (`renumbered`); `spelt` gives its text when
    /// its shape is not learnt here and may be in the plain table.
    mutating func lookUp(foreign key: UInt64, _ numbers: [Int?], spelt: () -> [UInt8]) -> Int? {
        if let mine = renumbered(key, numbers) { return packed.line(of: mine).map(Int.init) }
        guard packer.learnsNoMore else { return nil }
        return spelt().withUnsafeBufferPointer { lookUp($0) }
    }

    /// Starts loading the slot `lookUp(foreign:)` reads. Mutating although it writes nothing:
    /// called on an element of an array of registries, a non-mutating method copied the
    /// registry (a retain and a release of each of its tables) on every call.
    mutating func prefetchLine(foreign key: UInt64, _ numbers: [Int?]) {
        if let mine = renumbered(key, numbers) { packed.prefetchLookUp(mine) }
    }

    /// Spelling only from here on (`vouchers(onLines:)`): no more look-ups or registrations,
    /// and the packed keys held in less room where they can be (`PackedKeys.settle`).
    mutating func settle() { packed.settle() }

    /// Every voucher here that `earlier` (the registry of the file's first part) holds too:
    /// its first line here and its first line there, in no particular order. The look-ups
    /// miss the cache and run between the two readers' join and the rules, with a core idle:
    /// `parts` threads take every `parts`-th voucher each.
    func repeats(of earlier: VoucherRegistry, parts: Int = 2) -> [(line: Int, earlier: Int)] {
        let parts = max(parts, 1)
        return Concurrently.map(Array(0..<parts)) { part in self.repeats(of: earlier, part: part, of: parts) }.flatMap { $0 }
    }

    /// The vouchers of `repeats(of:)` among every `parts`-th voucher here, from the `part`-th.
    func repeats(of earlier: VoucherRegistry, part: Int, of parts: Int) -> [(line: Int, earlier: Int)] {
        var found: [(line: Int, earlier: Int)] = []
        var seen = -1
        func mine() -> Bool {
            seen += 1
            return seen % parts == part
        }
        let shapeTexts = packer.shapes.keys()
        // A shape here is the same text as a shape there: renumber the packed key.
        let renumbered = earlier.shapeNumbers(for: shapeTexts)
        let earlierLearnsNoMore = earlier.packer.learnsNoMore
        var batch: [(key: UInt64, line: UInt32)] = []
        batch.reserveCapacity(1024)
        func flush() {
            // The look-ups miss the cache: ask for a block of slots first, then read them.
            for entry in batch { earlier.packed.prefetchLookUp(entry.key) }
            for entry in batch {
                if let first = earlier.packed.line(of: entry.key) { found.append((Int(entry.line), Int(first))) }
            }
            batch.removeAll(keepingCapacity: true)
        }
        packed.forEach { key, line in
            let shape = Int(key >> 54) - 1
            guard mine(), renumbered.indices.contains(shape) else { return }
            if let there = earlier.renumbered(key, renumbered) {
                batch.append((there, line))
                if batch.count == 1024 { flush() }
            } else if earlierLearnsNoMore {
                // Unknown there only because its table was full: spell it and look plainly.
                let text = VoucherPacker.spell(key, shape: shapeTexts[shape])
                if let first = text.withUnsafeBufferPointer({ earlier.firstLine(of: $0) }) { found.append((Int(line), first)) }
            }
        }
        flush()
        others.forEachKey { index, text in
            if mine(), otherLines.indices.contains(index), let first = earlier.firstLine(of: text) {
                found.append((Int(otherLines[index]), first))
            }
        }
        return found
    }

    /// The vouchers first seen on `lines`, by line, spelt as written.
    func vouchers(onLines lines: LineSet) -> [Int32: String] {
        var found: [Int32: String] = [:]
        guard !lines.isEmpty else { return found }
        let shapeTexts = packer.shapes.keys()
        packed.forEach { key, line in
            let shape = Int(key >> 54) - 1
            guard lines.contains(Int(line)), shapeTexts.indices.contains(shape) else { return }
            found[Int32(clamping: line)] = String(decoding: VoucherPacker.spell(key, shape: shapeTexts[shape]), as: UTF8.self)
        }
        others.forEachKey { index, text in
            guard otherLines.indices.contains(index), lines.contains(Int(otherLines[index])) else { return }
            found[otherLines[index]] = String(decoding: text, as: UTF8.self)
        }
        return found
    }

}

/// The voucher tables of a file read in one or two parts: which line a voucher was first
/// written on, and how the voucher of a line reads.
public struct VoucherTables: Sendable {
    var transfers: [VoucherRegistry] = []
    var receipts: [VoucherRegistry] = []

    public init() {}

    /// The line of transfers.csv whose voucher is `text`; the first part's first. Mutating
    /// only in the tables' scratch: a thread that looks up many holds a copy of its own.
    mutating func transferLine(of text: ArraySlice<UInt8>) -> Int? {
        text.withUnsafeBufferPointer { b in
            for i in transfers.indices { if let line = transfers[i].lookUp(b) { return line } }
            return nil
        }
    }

    /// Starts loading what `transferLine(of:)` reads for `text`.
    mutating func prefetchTransferLine(of text: ArraySlice<UInt8>) {
        text.withUnsafeBufferPointer { b in
            for i in transfers.indices { transfers[i].prefetchLine(b) }
        }
    }

    /// Each transfers table's numbering of another packer's `shapes` (`VoucherRegistry.shapeNumbers`).
    func transferShapeNumbers(for shapes: [[UInt8]]) -> [[Int?]] { transfers.map { $0.shapeNumbers(for: shapes) } }

    /// The line of transfers.csv whose voucher is one written on a receipt (`WrittenVouchers`),
    /// the first part's first. `shapes`: the receipts' packer's shapes; `numbers`: from
    /// `transferShapeNumbers(for: shapes)`.
    mutating func transferLine(of written: WrittenVouchers.Voucher, shapes: [[UInt8]], numbers: [[Int?]]) -> Int? {
        switch written {
        case .text(let text): return transferLine(of: text)
        case .packed(let key):
            let shape = Int(key >> 54) - 1
            let spelt = { shapes.indices.contains(shape) ? VoucherPacker.spell(key, shape: shapes[shape]) : [] }
            for i in transfers.indices where numbers.indices.contains(i) {
                if let line = transfers[i].lookUp(foreign: key, numbers[i], spelt: spelt) { return line }
            }
            return nil
        }
    }

    /// Starts loading what `transferLine(of:shapes:numbers:)` reads.
    mutating func prefetchTransferLine(of written: WrittenVouchers.Voucher, numbers: [[Int?]]) {
        switch written {
        case .text(let text): prefetchTransferLine(of: text)
        case .packed(let key):
            for i in transfers.indices where numbers.indices.contains(i) { transfers[i].prefetchLine(foreign: key, numbers[i]) }
        }
    }

    /// Spelling only from here on (`VoucherRegistry.settle`).
    mutating func settle() {
        for i in transfers.indices { transfers[i].settle() }
        for i in receipts.indices { receipts[i].settle() }
    }

    static func spelled(_ tables: [VoucherRegistry], lines: LineSet) -> [Int32: String] {
        tables.reduce(into: [:]) { found, table in
            found.merge(table.vouchers(onLines: lines)) { first, _ in first }
        }
    }
}
