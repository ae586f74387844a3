import CSupport
/// The sender's vouchers written on the receipts, one entry a row, as 8 bytes each: a key of
/// the column's own `VoucherPacker`, 0 for an empty cell, or for a voucher that does not pack
/// a number below `VoucherPacker.smallestKey` that finds its text among the others. The text
/// of a province's references (about 15 bytes and an 8-byte end a row, with the growth of
/// its array) was most of the receipt book while the files are read.
///
/// The keys are held in chunks of rows, so that `answered(by:)` can let each chunk go as soon
/// as its rows are answered: the answers then take the room the keys leave.
struct WrittenVouchers: Sendable {
    private var packer = VoucherPacker()
    private var chunks: [[UInt64]] = []
    /// Rows a chunk holds; every chunk but the last is full.
    let chunkRows: Int
    /// The vouchers that do not pack, end to end.
    private var others = Others()
    private(set) var count = 0

    init(chunkRows: Int = 1 << 20) {
        precondition(chunkRows > 0, "a chunk holds rows")
        self.chunkRows = chunkRows
    }

    /// Other k is `bytes[ends[k-1]..<ends[k]]`.
    struct Others: Sendable {
        var bytes: [UInt8] = []
        var ends: [Int] = []

        func text(_ key: UInt64) -> ArraySlice<UInt8> {
            let k = Int(key) - 1
            let start = k == 0 ? 0 : ends[k - 1]
            return bytes[start..<ends[k]]
        }
    }

    /// Room for the first chunk's rows; later chunks take their room as they start.
    mutating func reserve(_ rows: Int) {
        if chunks.isEmpty { chunks.append([]) }
        chunks[0].reserveCapacity(min(max(rows, 0), chunkRows))
    }

    private mutating func appendKey(_ key: UInt64) {
        if chunks.isEmpty || chunks[chunks.count - 1].count == chunkRows {
            chunks.append([])
            chunks[chunks.count - 1].reserveCapacity(chunkRows)
        }
        chunks[chunks.count - 1].append(key)
        count += 1
    }

    mutating func append(_ voucher: String?) {
        guard var voucher, !voucher.isEmpty else {
            appendKey(0)
            return
        }
        voucher.withUTF8 { b in
            if let key = packer.keyLearning(b) {
                appendKey(key)
            } else {
                others.bytes.append(contentsOf: b)
                others.ends.append(others.bytes.count)
                appendKey(UInt64(others.ends.count))
            }
        }
    }

    /// Keeps the first `rows` rows.
    mutating func keepFirst(_ rows: Int) {
        guard rows < count else { return }
        let keptChunks = (rows + chunkRows - 1) / chunkRows
        chunks.removeSubrange(keptChunks...)
        if keptChunks > 0 { chunks[keptChunks - 1].removeSubrange((rows - (keptChunks - 1) * chunkRows)...) }
        count = rows
        // The others are appended in row order: those past the rows kept are the last ones.
        let kept = chunks.reduce(0) { sum, chunk in sum + chunk.reduce(0) { $0 + ($1 != 0 && $1 < VoucherPacker.smallestKey ? 1 : 0) } }
        others.ends.removeSubrange(kept...)
        others.bytes.removeSubrange((others.ends.last ?? 0)...)
    }

    /// Row `key`'s voucher as written, spelt into `text` when it is packed; nil for an empty cell.
    private static func voucher(_ key: UInt64, _ shapes: [[UInt8]], _ others: Others, into text: inout [UInt8]) -> ArraySlice<UInt8>? {
        if key == 0 { return nil }
        if key < VoucherPacker.smallestKey { return others.text(key) }
        let shape = Int(key >> 54) - 1
        precondition(shapes.indices.contains(shape), "a key of a shape its packer did not learn")
        VoucherPacker.spell(key, shape: shapes[shape], into: &text)
        return text[...]
    }

    /// Reads the rows' vouchers back as text, leaving the column as it is: what the tests hold
    /// the packing to. The run itself reads them once, through `answered(by:)`.
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
            WrittenVouchers.voucher(column.chunks[i / column.chunkRows][i % column.chunkRows], shapes, column.others, into: &text)
        }
    }

    /// Each row's answer, from its voucher as written (nil for an empty cell), made on two
    /// threads a chunk at a time; `answerer` makes one thread's answerer. The column is emptied:
    /// each chunk of keys goes once its rows are answered.
    mutating func answered(by answerer: @escaping @Sendable () -> (ArraySlice<UInt8>?) -> Int32) -> RowChunks<Int32> {
        let (shapes, others, rows) = (packer.shapes.keys(), others, chunkRows)
        // Chunks dealt in turn to the two threads, each thread their only holder.
        var dealt: [[(index: Int, keys: [UInt64])]] = [[], []]
        for k in chunks.indices { dealt[k % 2].append((k, chunks[k])) }
        self = WrittenVouchers(chunkRows: rows)
        let answered = Concurrently.map(dealt) { share -> [(index: Int, answers: [Int32])] in
            var share = share
            let answer = answerer()
            var text: [UInt8] = []
            var out: [(index: Int, answers: [Int32])] = []
            for j in share.indices {
                let keys = share[j].keys
                share[j].keys = []
                out.append((share[j].index, keys.map { answer(WrittenVouchers.voucher($0, shapes, others, into: &text)) }))
            }
            return out
        }
        var inOrder = [[Int32]](repeating: [], count: answered.reduce(0) { $0 + $1.count })
        for share in answered { for chunk in share { inOrder[chunk.index] = chunk.answers } }
        return RowChunks(chunks: inOrder, chunkRows: rows)
    }
}

/// A column of row values held in chunks of `chunkRows` rows (as `WrittenVouchers` answers it).
struct RowChunks<Value: Sendable>: Sendable {
    private var chunks: [[Value]] = []
    private var chunkRows = 1

    init() {}

    init(chunks: [[Value]], chunkRows: Int) {
        self.chunks = chunks
        self.chunkRows = chunkRows
    }

    subscript(row: Int) -> Value { chunks[row / chunkRows][row % chunkRows] }

    var count: Int { chunks.reduce(0) { $0 + $1.count } }

    /// Starts loading row's value (`ReceiptLedger.prefetch`).
    func prefetch(row: Int) {
        let c = row / chunkRows
        guard chunks.indices.contains(c) else { return }
        chunks[c].withUnsafeBufferPointer { b in
            let i = row % chunkRows
            if let base = b.baseAddress, i < b.count { fundrecon_prefetch(base + i) }
        }
    }
}
