/// The sender's vouchers written on the receipts, one entry a row, as 8 bytes each: a key of
/// the column's `Packing`, 0 for an empty cell, or for a voucher that does not pack a number
/// below `VoucherPacker.smallestKey` that finds its text among the others. The text of a
/// province's references (about 15 bytes and an 8-byte end a row, with the growth of its
/// array) was most of the receipt book while the files are read.
///
/// The keys are held in chunks of rows, so that `answered(by:)` can let each chunk go as soon
/// as its rows are answered: the answers then take the room the keys leave.
struct WrittenVouchers: Sendable {
    /// What the keys mean. The thread that reads receipts.csv packs each row's voucher while
    /// the row is in its buffer, so that the row it hands to the book is plain data (a text
    /// made, counted and freed on two threads took about a fifth of the CPU of reading the
    /// file); the book takes the packing over once the file is read (`adopt`).
    private var packing = Packing()
    private var chunks: [[UInt64]] = []
    /// Rows a chunk holds; every chunk but the last is full.
    let chunkRows: Int
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

    /// Turns vouchers into keys: a `VoucherPacker` for those that pack, and the others' text.
    struct Packing: Sendable {
        fileprivate var packer = VoucherPacker()
        /// The vouchers that do not pack, end to end.
        fileprivate var others = Others()

        /// The key of a voucher as written, trimmed and not empty.
        mutating func key(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
            if let key = packer.keyLearning(b) { return key }
            others.bytes.append(contentsOf: b)
            others.ends.append(others.bytes.count)
            return UInt64(others.ends.count)
        }

        /// The key of a trimmed value; 0 for nil or an empty one.
        mutating func key(_ voucher: String?) -> UInt64 {
            guard var voucher, !voucher.isEmpty else { return 0 }
            return voucher.withUTF8 { key($0) }
        }

        /// Keeps the first `n` others: those of the rows kept, which come first.
        mutating func keepOthers(_ n: Int) {
            guard n < others.ends.count else { return }
            others.ends.removeSubrange(max(n, 0)...)
            others.bytes.removeSubrange((others.ends.last ?? 0)...)
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

    /// Appends a voucher packed by this column's own packing: how the tests fill a column.
    mutating func append(_ voucher: String?) {
        appendKey(packing.key(voucher))
    }

    /// Appends a key made by the packing this column adopts once the file is read.
    mutating func append(key: UInt64) {
        appendKey(key)
    }

    /// Takes over the packing the keys were made with (`append(key:)`).
    mutating func adopt(_ packing: Packing) {
        self.packing = packing
    }

    /// Keeps the first `rows` rows; gives how many of the others they name, to keep in the
    /// packing that made them when it is not yet adopted.
    @discardableResult
    mutating func keepFirst(_ rows: Int) -> Int {
        if rows < count {
            let keptChunks = (rows + chunkRows - 1) / chunkRows
            chunks.removeSubrange(keptChunks...)
            if keptChunks > 0 { chunks[keptChunks - 1].removeSubrange((rows - (keptChunks - 1) * chunkRows)...) }
            count = rows
        }
        // The others are appended in row order: those past the rows kept are the last ones.
        let kept = chunks.reduce(0) { sum, chunk in sum + chunk.reduce(0) { $0 + ($1 != 0 && $1 < VoucherPacker.smallestKey ? 1 : 0) } }
        packing.keepOthers(kept)
        return kept
    }

    /// Row `key`'s voucher as written, as its key when it is packed; nil for an empty cell.
    private static func voucher(_ key: UInt64, _ others: Others) -> Voucher? {
        if key == 0 { return nil }
        return key < VoucherPacker.smallestKey ? .text(others.text(key)) : .packed(key)
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
    func reader() -> Reader { Reader(column: self, shapes: packing.packer.shapes.keys()) }

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
            WrittenVouchers.voucher(column.chunks[i / column.chunkRows][i % column.chunkRows], shapes, column.packing.others, into: &text)
        }
    }

    /// A row's voucher as written: its key in the column's packing, whose shapes the answerer
    /// is handed (`VoucherPacker.spell` spells it back), or its text when it does not pack.
    /// Handed as a key, a voucher is looked up without being spelt and packed again.
    enum Voucher {
        case packed(UInt64)
        case text(ArraySlice<UInt8>)
    }

    /// One thread's look-ups of the vouchers as written: `prefetch` starts loading what
    /// `answer` will read for the same voucher, a block of rows ahead.
    struct Answerer {
        let prefetch: (Voucher) -> Void
        let answer: (Voucher?) -> Int32
    }

    /// Rows whose look-ups are started together: the tables they read are far larger than the
    /// cache, and one look-up at a time would wait for each miss in turn.
    static let answerBlock = 16

    /// Each row's answer, from its voucher as written (nil for an empty cell), made on two
    /// threads a chunk at a time; `answerer` makes one thread's answerer from the shapes of
    /// the column's packing, which its packed vouchers are handed in. The column is emptied:
    /// each chunk of keys goes once its rows are answered.
    mutating func answered(by answerer: @escaping @Sendable (_ shapes: [[UInt8]]) -> Answerer) -> RowChunks<Int32> {
        let (shapes, others, rows) = (packing.packer.shapes.keys(), packing.others, chunkRows)
        // Chunks dealt in turn to the two threads, each thread their only holder.
        var dealt: [[(index: Int, keys: [UInt64])]] = [[], []]
        for k in chunks.indices { dealt[k % 2].append((k, chunks[k])) }
        self = WrittenVouchers(chunkRows: rows)
        let answered = Concurrently.map(dealt) { share -> [(index: Int, answers: [Int32])] in
            var share = share
            let answerer = answerer(shapes)
            let block = WrittenVouchers.answerBlock
            var out: [(index: Int, answers: [Int32])] = []
            for j in share.indices {
                let keys = share[j].keys
                share[j].keys = []
                var answers: [Int32] = []
                answers.reserveCapacity(keys.count)
                for start in stride(from: 0, to: keys.count, by: block) {
                    let end = min(start + block, keys.count)
                    for k in start..<end {
                        if let v = WrittenVouchers.voucher(keys[k], others) { answerer.prefetch(v) }
                    }
                    for k in start..<end { answers.append(answerer.answer(WrittenVouchers.voucher(keys[k], others))) }
                }
                out.append((share[j].index, answers))
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

    init(chunks: [[Value]], chunkRows: Int) {
        self.chunks = chunks
        self.chunkRows = chunkRows
    }

    subscript(row: Int) -> Value { chunks[row / chunkRows][row % chunkRows] }

    var count: Int { chunks.reduce(0) { $0 + $1.count } }
}
