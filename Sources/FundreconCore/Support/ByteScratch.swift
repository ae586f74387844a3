import Foundation

/// A few bytes kept from one row to the next (the reference of the row before, a voucher's
/// shape), rewritten in place: its storage only grows, so the per-row path does not allocate.
/// Array's `removeAll(keepingCapacity:)` and `append(contentsOf:)` take their generic paths,
/// a per cent of a read when done on every row.
struct ByteScratch: Sendable {
    private var storage: [UInt8] = []
    private(set) var count = 0

    mutating func removeAll() { count = 0 }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(count + bytes.count)
        let at = count
        storage.withUnsafeMutableBufferPointer { s in
            if let base = s.baseAddress { memcpy(base + at, source, bytes.count) }
        }
        count += bytes.count
    }

    mutating func append(_ byte: UInt8) {
        reserve(count + 1)
        storage[count] = byte
        count += 1
    }

    /// The bytes, valid inside `body`.
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        storage.withUnsafeBufferPointer { s in body(UnsafeBufferPointer(rebasing: s[0..<count])) }
    }

    func equals(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == count else { return false }
        guard let other = bytes.baseAddress, count > 0 else { return true }
        return storage.withUnsafeBufferPointer { s in s.baseAddress.map { memcmp($0, other, count) == 0 } ?? false }
    }

    private mutating func reserve(_ needed: Int) {
        guard needed > storage.count else { return }
        storage.append(contentsOf: repeatElement(0, count: max(needed, 2 * storage.count, 32) - storage.count))
    }
}
