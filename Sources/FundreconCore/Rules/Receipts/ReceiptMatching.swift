import CSupport

/// RC001–RC006: the receivers' own books (receipts.csv) matched against what the senders
/// sent (transfers.csv), per pair of units, by `ReceiptMatcher`. A sender's transfers to one
/// level (a city's to its grantees, say) are matched when receipts.csv holds the books of at
/// least one receiver of that level from that sender: books are gathered per sender and
/// level, and a receiver of such a group with nothing booked has booked nothing. Transfers to
/// a group with no books at all are counted as not covered, not reported one by one. Runs in
/// `check` too, with the latest date of the two files as the as-of date.
struct ReceiptMatching: Rule {
    let name = "RC"
    func codes(in kind: RunKind) -> [RuleCode] { [.RC001, .RC002, .RC003, .RC004, .RC005, .RC006] }
    let needs: [InputFile] = [.entities, .projects, .transfers, .receipts]
    /// Pairs of units split between two threads.
    let parts = 2
    let runsAlone = true

    /// Without receipts.csv there is nothing to match, and nothing skipped.
    func applies(to scope: LoadedScope) -> Bool { scope.stats.contains { $0.file == .receipts && $0.present } }

    func run(part: Int, of parts: Int, _ context: RuleContext) -> RuleOutput {
        var out = RuleOutput()
        guard let receipts = context.ledger.receipts else { return out }
        let asOf = Self.asOf(context)
        var pass = MatchingPass(context: context, receipts: receipts, asOf: asOf)
        let pairs = pass.pairs(part: part, of: parts)
        for k in pairs.indices {
            // The books of the pair after next, then (their places loaded by now) the next
            // pair's rows of either side: their misses overlap this pair's work.
            if k + 2 < pairs.count { pass.prefetchTransfers(of: pairs[k + 2].edges, rows: false) }
            if k + 1 < pairs.count {
                pass.prefetchTransfers(of: pairs[k + 1].edges, rows: true)
                if let next = pairs[k + 1].place { receipts.prefetch(pair: next) }
            }
            pass.match(pairs[k])
        }
        pass.countNotCovered(part: part, of: parts)
        out.receipts = pass.report()
        return out
    }

    /// The threads' reports as one, in the first part's output, with the vouchers of its
    /// listed rows spelt while the voucher tables are still here. Its findings are made from
    /// those rows once the rules are done (`ReceiptFindings`). A `check` writes no matching
    /// sheets and keeps only the findings.
    func finish(_ outputs: inout [RuleOutput], _ context: RuleContext) {
        var report = ReceiptReport.merged(outputs.indices.compactMap { outputs[$0].receipts.take() })
        context.ledger.receipts?.spell(&report)
        guard let report, !outputs.isEmpty else { return }
        outputs[0].late = [ReceiptFindings(report, scope: context.scope, transfersFile: context.scope.path(.transfers))]
        if context.kind == .reconcile { outputs[0].receipts = report }
    }

    /// The period's as-of date; in `check`, which has no period, the latest date of either file.
    static func asOf(_ context: RuleContext) -> Day {
        if context.kind == .reconcile { return context.period.asOf }
        let latest = [context.ledger.latestTransferDay, context.ledger.receipts?.book.latestDay].compactMap { $0 }.max()
        return latest ?? context.period.asOf
    }
}

/// Two units money passes between.
private struct UnitPair: Hashable, Comparable {
    let from: Int
    let to: Int

    static func < (a: UnitPair, b: UnitPair) -> Bool { (a.from, a.to) < (b.from, b.to) }
}

/// One thread's share of the matching: its pairs' findings, totals and sheet rows.
private struct MatchingPass {
    let context: RuleContext
    let receipts: ReceiptLedger
    let asOf: Day
    let matcher: ReceiptMatcher
    var hops: [Hop: ReceiptHopTotals] = [:]
    var matches: [ReceiptMatch] = []
    var listedPlain: [Hop: Int] = [:]
    var unlisted: [Hop: Int] = [:]
    /// receipts.csv's parts, by part.
    private let receiptFiles: [String]

    init(context: RuleContext, receipts: ReceiptLedger, asOf: Day) {
        self.context = context
        self.receipts = receipts
        self.asOf = asOf
        matcher = ReceiptMatcher(windowDays: context.settings.receiptWindowDays)
        receiptFiles = context.scope.paths(.receipts)
    }

    private var scope: LoadedScope { context.scope }

    /// A sender and the level of its receivers: the group whose books are matched together.
    private struct Group: Hashable {
        let from: Int
        let level: Level
    }

    private func group(_ from: Int, _ to: Int) -> Group { Group(from: from, level: scope.entities[to].level) }

    /// The groups with books in receipts.csv.
    private var covered: Set<Group> {
        let book = receipts.book
        // A pair whose rows were all in a part left out whole has none.
        let booked = book.pairKeys.indices.filter { book.pairStarts[$0 + 1] > book.pairStarts[$0] }
        return Set(booked.map { group(book.pairKeys[$0].from, book.pairKeys[$0].to) })
    }

    /// This part's share of the pairs with a receipt, or a transfer to a group with books, in
    /// unit order: the transfers' edges of each pair, and the pair's place in the receipt book.
    /// A pair belongs to one part by its receiver, so each part builds only its own.
    func pairs(part: Int, of parts: Int) -> [(pair: UnitPair, edges: [Int], place: Int?)] {
        let parts = max(parts, 1)
        var byPair: [UnitPair: (edges: [Int], place: Int?)] = [:]
        for (place, key) in receipts.book.pairKeys.enumerated() where key.to % parts == part {
            byPair[UnitPair(from: key.from, to: key.to), default: ([], nil)].place = place
        }
        let covered = self.covered
        let keys = context.ledger.edges.keys
        for (e, key) in keys.enumerated() where key.to % parts == part && covered.contains(group(key.from, key.to)) {
            byPair[UnitPair(from: key.from, to: key.to), default: ([], nil)].edges.append(e)
        }
        return byPair.map { (pair: $0.key, edges: $0.value.edges, place: $0.value.place) }.sorted { $0.pair < $1.pair }
    }

    private func hop(_ pair: UnitPair) -> Hop {
        Hop(from: scope.entities[pair.from].level, to: scope.entities[pair.to].level)
    }

    /// Transfers to groups without books, per hop: this part's share of the edges, by
    /// receiver as the pairs are shared.
    mutating func countNotCovered(part: Int, of parts: Int) {
        let parts = max(parts, 1)
        let covered = self.covered
        let keys = context.ledger.edges.keys, books = context.ledger.edges.values
        for (e, key) in keys.enumerated() where key.to % parts == part && !covered.contains(group(key.from, key.to)) {
            let h = hop(UnitPair(from: key.from, to: key.to))
            for (day, amount) in zip(books[e].days, books[e].amounts) where day <= asOf.daysSinceEpoch {
                hops[h, default: ReceiptHopTotals(hop: h)].notCovered.add(amount)
            }
        }
    }

    /// Starts loading the books of `edges` or, once those are in, the first of each one's rows.
    func prefetchTransfers(of edges: [Int], rows: Bool) {
        context.ledger.edges.values.withUnsafeBufferPointer { books in
            guard let base = books.baseAddress else { return }
            for e in edges where e >= 0 && e < books.count {
                if rows { books[e].rows.prefetch(from: books[e].start) } else { fundrecon_prefetch(base + e) }
            }
        }
    }

    mutating func match(_ item: (pair: UnitPair, edges: [Int], place: Int?)) {
        let keys = context.ledger.edges.keys, books = context.ledger.edges.values
        var sent: [MatchRow] = []
        for e in item.edges {
            let book = books[e], project = Int32(clamping: keys[e].project)
            for (day, (amount, line)) in zip(book.days, zip(book.amounts, book.lines)) {
                sent.append(MatchRow(day: day, amount: amount, project: project, line: line))
            }
        }
        sent.sort { ($0.day, $0.line) < ($1.day, $1.line) }
        var booked: [MatchRow] = []
        var bookedParts: [Int] = []
        var refLines: [Int32] = []
        if let place = item.place {
            let book = receipts.book
            for k in book.order[book.pairStarts[place]..<book.pairStarts[place + 1]] {
                let i = Int(k)
                let row = book.rows[i]
                booked.append(MatchRow(day: row.day, amount: row.amount, project: row.project, line: row.line))
                bookedParts.append(book.part(ofRow: i))
                refLines.append(row.link)
            }
        }
        var refs = [Int32](repeating: -1, count: booked.count)
        if refLines.contains(where: { $0 > 0 }) {
            // The pair's transfers by line, searched by halving: no hashed table a pair.
            let byLine = sent.indices.sorted { sent[$0].line < sent[$1].line }
            for b in refLines.indices where refLines[b] > 0 {
                var low = 0, high = byLine.count
                while low < high {
                    let mid = (low + high) / 2
                    if sent[byLine[mid]].line < refLines[b] { low = mid + 1 } else { high = mid }
                }
                if low < byLine.count && sent[byLine[low]].line == refLines[b] { refs[b] = Int32(byLine[low]) }
            }
        }
        let h = hop(item.pair)
        var totals = hops[h] ?? ReceiptHopTotals(hop: h)
        for t in sent where t.day <= asOf.daysSinceEpoch { totals.sent.add(t.amount) }
        for r in booked { totals.received.add(r.amount) }
        var listed = listedPlain[h, default: 0], notListed = 0
        defer {
            listedPlain[h] = listed
            if notListed > 0 { unlisted[h, default: 0] += notListed }
        }
        for m in matcher.match(sent: sent, booked: booked, refs: refs) {
            if m.status == .matched {
                // A plain match past the listing counts, and is made into nothing.
                guard listed < ReceiptReport.listedMatches else {
                    totals.byStatus[ReceiptStatus.matched.rawValue].add(m.sent.first.map { sent[Int($0)].amount } ?? 0)
                    notListed += 1
                    continue
                }
                listed += 1
            }
            let transfers = m.sent.map { side(sent[Int($0)]) }
            let received = m.booked.map { side(booked[Int($0)], part: bookedParts[Int($0)]) }
            let refNote = m.booked.first.map { ReceiptNote(refLine: refLines[Int($0)], sentHere: refs[Int($0)] >= 0) }
            record(m.status, item.pair, h, transfers, received, refNote, &totals)
        }
        hops[h] = totals
    }

    /// A row as the sheets show it; `part`: the part of receipts.csv a receipt is in.
    private func side(_ row: MatchRow, part: Int = 0) -> MatchedRow {
        MatchedRow(line: row.line, day: Day(daysSinceEpoch: row.day), amount: row.amount, project: row.project, part: part, voucher: "")
    }

    private mutating func record(_ matched: MatchStatus, _ pair: UnitPair, _ hop: Hop, _ transfers: [MatchedRow],
                                 _ received: [MatchedRow], _ note: ReceiptNote?, _ totals: inout ReceiptHopTotals) {
        var status: ReceiptStatus
        var cause: AmountCause?
        var age: Int?
        switch matched {
        case .matched: status = .matched
        case .batch: status = .batch
        case .projectDiffers: status = .projectDiffers
        case .amountDiffers(let c):
            status = .amountDiffers
            cause = c
        case .unsent: status = .notSent
        case .unbooked:
            let waited = asOf - (transfers.first?.day ?? asOf)
            if waited < 0 {
                status = .sentAfterAsOf
            } else {
                age = waited
                status = waited > context.settings.inTransitDays ? .overdue : .inTransit
                totals.inTransit[AgingBand(days: waited).rawValue].add(transfers.first?.amount ?? 0)
            }
        }
        let money = status == .notSent ? received.reduce(0) { $0 + $1.amount } : transfers.reduce(0) { $0 + $1.amount }
        totals.byStatus[status.rawValue].add(money)
        matches.append(ReceiptMatch(status: status, cause: cause, hop: hop, from: pair.from, to: pair.to,
                                    transfers: transfers, receipts: received, age: age, note: note))
    }

    /// The thread's report; its rows' vouchers are spelt once the threads' reports are one.
    func report() -> ReceiptReport {
        ReceiptReport(asOf: asOf, hops: hops.values.sorted { $0.hop < $1.hop }, matches: matches, unlistedMatches: unlisted,
                      receiptFiles: receiptFiles)
    }
}

extension ReceiptReport {
    /// The threads' reports as one: totals added, rows in the sheets' order, plain matches
    /// past `listedMatches` per hop counted instead of listed.
    static func merged(_ parts: consuming [ReceiptReport]) -> ReceiptReport? {
        guard let asOf = parts.first?.asOf, let receiptFiles = parts.first?.receiptFiles else { return nil }
        var hops: [Hop: ReceiptHopTotals] = [:]
        var unlisted: [Hop: Int] = [:]
        var matches: [ReceiptMatch] = []
        matches.reserveCapacity(parts.reduce(0) { $0 + $1.matches.count })
        for i in parts.indices {
            for h in parts[i].hops { hops[h.hop, default: ReceiptHopTotals(hop: h.hop)].add(h) }
            for (hop, n) in parts[i].unlistedMatches { unlisted[hop, default: 0] += n }
            matches += parts[i].matches
            parts[i].matches = []
        }
        ReceiptMatch.sort(&matches)
        var plain: [Hop: Int] = [:]
        // The first plain matches of each hop are kept, in order and in place (a filtered copy
        // would hold the matches twice).
        var kept = 0
        for i in matches.indices {
            if matches[i].status == .matched {
                plain[matches[i].hop, default: 0] += 1
                if plain[matches[i].hop, default: 0] > listedMatches {
                    unlisted[matches[i].hop, default: 0] += 1
                    continue
                }
            }
            matches.swapAt(kept, i)
            kept += 1
        }
        matches.removeSubrange(kept...)
        return ReceiptReport(asOf: asOf, hops: hops.values.sorted { $0.hop < $1.hop }, matches: matches, unlistedMatches: unlisted,
                             receiptFiles: receiptFiles)
    }
}
