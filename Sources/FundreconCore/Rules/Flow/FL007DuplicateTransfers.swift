/// FL007: a later `ok` row with the project, units, amount and date of an earlier one under
/// another voucher. It compares rows within each edge, so it needs no table over all rows.
struct DuplicateTransfers: FindingRule {
    let name = "FL007"
    func codes(in kind: RunKind) -> [RuleCode] { [.FL007] }
    let needs: [InputFile] = [.entities, .projects, .transfers]

    func check(_ context: RuleContext, into log: inout FindingLog) {
        let scope = context.scope, ledger = context.ledger
        let transfersFile = scope.path(.transfers)
        for d in Self.repeats(in: ledger.edges) {
            let text = RuleText.describe(d.edge, in: scope)
            let reversal = d.amount > 0 ? ledger.edges[d.edge]?.firstOnOrAfter(d.day, amount: -d.amount) : nil
            let note: (zh: String, en: String) = reversal.map { (zh: "；第 \($0.line) 行有同额红字冲销，请核对是否冲销的正是这一笔",
                                                                en: "; line \($0.line) reverses the same amount: check it reverses this one") } ?? (zh: "", en: "")
            var f = Finding(.FL007, Message(
                zh: "\(text.zh)：与第 \(d.earlier) 行同日同额（\(RuleText.wan(d.amount))，\(Day(daysSinceEpoch: d.day))），可能重复拨付\(note.zh)",
                en: "\(text.en): same amount (\(RuleText.wan(d.amount))) and date (\(Day(daysSinceEpoch: d.day))) as line \(d.earlier): possibly paid twice\(note.en)"),
                at: SourceRef(file: transfersFile, line: d.line),
                related: [SourceRef(file: transfersFile, line: d.earlier)] + (reversal.map { [SourceRef(file: transfersFile, line: $0.line)] } ?? []),
                amount: d.amount)
            RuleText.tag(&f, d.edge, in: scope)
            log.add(f)
        }
    }

    /// The repeated rows of every edge, in file order.
    static func repeats(in edges: EdgeTable) -> [(line: Int, earlier: Int, day: Int32, amount: Fen, edge: EdgeKey)] {
        let keys = edges.keys, books = edges.values
        let n = min(keys.count, books.count)
        var found: [(line: Int, earlier: Int, day: Int32, amount: Fen, edge: EdgeKey)] = []
        for i in 0..<n {
            for r in books[i].repeatedRows() { found.append((r.line, r.earlier, r.day, r.amount, keys[i])) }
        }
        return found.sorted { $0.line < $1.line }
    }
}

extension EdgeBook {
    /// Rows with the day and amount of an earlier row (FL007): (line, the earlier line, day, amount).
    func repeatedRows() -> [(line: Int, earlier: Int, day: Int32, amount: Fen)] {
        guard okRows > 1 else { return [] }
        // A few instalments: comparing each row with those before it beats sorting.
        return okRows <= 16 ? repeatedRowsByComparing() : repeatedRowsByHashing()
    }

    /// Rows are in file order, so the first match before a row is its earliest.
    func repeatedRowsByComparing() -> [(line: Int, earlier: Int, day: Int32, amount: Fen)] {
        let days = self.days, amounts = self.amounts, lines = self.lines
        var found: [(line: Int, earlier: Int, day: Int32, amount: Fen)] = []
        for i in days.indices.dropFirst() {
            if let j = (days.startIndex..<i).first(where: { days[$0] == days[i] && amounts[$0] == amounts[i] }) {
                found.append((Int(lines[i]), Int(lines[j]), days[i], amounts[i]))
            }
        }
        return found
    }

    /// Many rows: each row's day and amount looked up among those seen before it, in a table
    /// local to the edge. Rows are in file order, so the first row of a day and amount is the
    /// earliest. (Sorting the rows of the big edges instead costs half of check's work after reading.)
    func repeatedRowsByHashing() -> [(line: Int, earlier: Int, day: Int32, amount: Fen)] {
        let days = self.days, amounts = self.amounts, lines = self.lines
        let n = min(days.count, amounts.count, lines.count)
        var size = 16
        while size < n * 2 { size <<= 1 }
        let mask = size - 1
        var firstOf = [Int32](repeating: -1, count: size)
        var found: [(line: Int, earlier: Int, day: Int32, amount: Fen)] = []
        days.withUnsafeBufferPointer { d in
            amounts.withUnsafeBufferPointer { a in
                lines.withUnsafeBufferPointer { l in
                    for i in 0..<n {
                        var h = UInt64(bitPattern: Int64(d[i])) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(bitPattern: a[i]) &* 0xC2B2_AE3D_27D4_EB4F
                        h ^= h >> 29
                        var s = Int(truncatingIfNeeded: h) & mask
                        while true {
                            let j = Int(firstOf[s])
                            if j < 0 {
                                firstOf[s] = Int32(i)
                                break
                            }
                            if d[j] == d[i] && a[j] == a[i] {
                                found.append((Int(l[i]), Int(l[j]), d[i], a[i]))
                                break
                            }
                            s = (s + 1) & mask
                        }
                    }
                }
            }
        }
        return found
    }
}
