/// The sender's vouchers written on the receipts, one entry a row, as 8 bytes each: a key of
/// the column's own `VoucherPacker`, 0 for an empty cell, or for a voucher that does not pack
/// a number below `VoucherPacker.smallestKey` that finds its text among the others. The text
/// of a province's references (about 15 bytes and an 8-byte end a row, with the growth of
/// its array) was most of the receipt book while the files are read.
struct WrittenVouchers: Sendable {
    private var packer = VoucherPacker()
    private var keys: [UInt64] = []
    /// The vouchers that do not pack, end to end; other k is
    /// `otherBytes[otherEnds[k-1]..<otherEnds[k]]`.
    private var otherBytes: [UInt8] = []
    private var otherEnds: [Int] = []

    var count: Int { keys.count }

    mutating func reserve(_ rows: Int) { keys.reserveCapacity(rows) }

    mutating func append(_ voucher: String?) {
        guard var voucher, !voucher.isEmpty else {
            keys.append(0)
            return
        }
        voucher.withUTF8 { b in
            if let key = packer.keyLearning(b) {
                keys.append(key)
            } else {
                otherBytes.append(contentsOf: b)
                otherEnds.append(otherBytes.count)
                keys.append(UInt64(otherEnds.count))
            }
        }
    }

    /// Keeps the first `rows` rows.
    mutating func keepFirst(_ rows: Int) {
        guard rows < keys.count else { return }
        keys.removeSubrange(rows...)
        // The others are appended in row order: those past the rows kept are the last ones.
        let others = keys.reduce(0) { $0 + ($1 != 0 && $1 < VoucherPacker.smallestKey ? 1 : 0) }
        otherEnds.removeSubrange(others...)
        otherBytes.removeSubrange((otherEnds.last ?? 0)...)
    }

    /// Reads the rows' vouchers back; one per thread (it spells into its own buffer).
    func reader() -> Reader { Reader(column: self, shapes: packer.shapes.keys()) }

    struct Reader {
        let column: WrittenVouchers
        let shapes: [[UInt8]]
        private var text: [UInt8] = []

        init(column: WrittenVouchers, shapes: [[UInt8]]) {
            self.column = column
            self.shapes = shapes
        }

        /// Row i's voucher as written, or nil when the cell was empty.
        mutating func voucher(ofRow i: Int) -> ArraySlice<UInt8>? {
            let key = column.keys[i]
            if key == 0 { return nil }
            if key < VoucherPacker.smallestKey {
                let k = Int(key) - 1
                let start = k == 0 ? 0 : column.otherEnds[k - 1]
                return column.otherBytes[start..<column.otherEnds[k]]
            }
            let shape = Int(key >> 54) - 1
            precondition(shapes.indices.contains(shape), "a key of a shape its packer did not learn")
            VoucherPacker.spell(key, shape: shapes[shape], into: &text)
            return text[...]
        }
    }
}
