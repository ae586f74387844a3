/// A row of either side of one pair of units as the matcher sees it.
struct MatchRow: Sendable, Equatable {
    let day: Int32
    let amount: Fen
    let project: Int32
    let line: Int32
}

/// What became of a transfer, a receipt, or a group of them.
enum MatchStatus: Sendable, Equatable {
    case matched
    /// One receipt for several transfers, or one transfer booked in several receipts.
    case batch
    case amountDiffers(AmountCause)
    case projectDiffers
    /// Sent, and no receipt found.
    case unbooked
    /// Booked, and no transfer found.
    case unsent
}

/// A match: indices into the pair's sent and booked rows; one of each, mostly, held inline.
struct PairMatch: Sendable {
    let status: MatchStatus
    let sent: SmallList<Int32>
    let booked: SmallList<Int32>
}

/// Matches what a sender sent one receiver against what the receiver booked, both sorted by
/// day and line, in the order of spec §3 (RC): by the voucher the receipt names, then same
/// project and amount inside the window, then batches, then the same amount under another
/// project, then a differing amount with a recognisable cause. Each pass takes rows earliest
/// first, so the result depends on the rows alone. Every search is bounded (a window of days,
/// at most `candidates` starts, at most `maxBatch` rows a batch), so the cost stays near
/// linear in the rows.
struct ReceiptMatcher: Sendable {
    /// Days a receipt may come after its transfer.
    let window: Int32
    /// Days a receipt may come before its transfer (a receiver books on the notice).
    static let early: Int32 = 3
    static let maxBatch = 12
    /// Starts tried for one batch, or rows tried for one other-project or amount match.
    static let candidates = 64

    init(windowDays: Int) { window = Int32(clamping: windowDays) }

    /// `refs[b]`: the index in `sent` of the transfer booked row b names, or -1.
    func match(sent: [MatchRow], booked: [MatchRow], refs: [Int32]) -> [PairMatch] {
        matchCountingVisits(sent: sent, booked: booked, refs: refs).matches
    }

    /// `match`, and how many candidate rows the searches looked at: what a test holds to a
    /// bound, so that a receiver's year of equal amounts cannot make the search quadratic.
    func matchCountingVisits(sent: [MatchRow], booked: [MatchRow], refs: [Int32]) -> (matches: [PairMatch], visits: Int) {
        var state = State(sent: sent, booked: booked)
        if refs.contains(where: { $0 >= 0 }) { byReference(&state, refs) }
        byProjectAndAmount(&state)
        // Most pairs agree row for row: nothing is left for the other passes.
        if state.left > 0 {
            batches(&state)
            byAmountUnderAnotherProject(&state)
            byRecognisedDifference(&state)
        }
        for s in sent.indices where !state.sentTaken[s] { state.out.append(PairMatch(status: .unbooked, sent: .one(Int32(s)), booked: .none)) }
        for b in booked.indices where !state.bookedTaken[b] { state.out.append(PairMatch(status: .unsent, sent: .none, booked: .one(Int32(b)))) }
        return (state.out, state.visits)
    }

    private struct State {
        let sent: [MatchRow]
        let booked: [MatchRow]
        var sentTaken: [Bool]
        var bookedTaken: [Bool]
        var out: [PairMatch] = []
        /// Rows of either side not yet taken.
        var left: Int
        /// Candidate rows looked at by the searches.
        var visits = 0

        init(sent: [MatchRow], booked: [MatchRow]) {
            self.sent = sent
            self.booked = booked
            sentTaken = Array(repeating: false, count: sent.count)
            bookedTaken = Array(repeating: false, count: booked.count)
            out.reserveCapacity(max(sent.count, booked.count))
            left = sent.count + booked.count
        }

        mutating func take(_ status: MatchStatus, sent s: Int, booked b: Int) {
            sentTaken[s] = true
            bookedTaken[b] = true
            left -= 2
            out.append(PairMatch(status: status, sent: .one(Int32(s)), booked: .one(Int32(b))))
        }

        mutating func take(_ status: MatchStatus, sent s: [Int], booked b: [Int]) {
            for i in s { sentTaken[i] = true }
            for i in b { bookedTaken[i] = true }
            left -= s.count + b.count
            out.append(PairMatch(status: status, sent: SmallList(s.map { Int32($0) }), booked: SmallList(b.map { Int32($0) })))
        }
    }

    private func byReference(_ state: inout State, _ refs: [Int32]) {
        for b in state.booked.indices where refs.indices.contains(b) {
            let s = Int(refs[b])
            guard state.sent.indices.contains(s), !state.sentTaken[s], !state.bookedTaken[b] else { continue }
            let (t, r) = (state.sent[s], state.booked[b])
            let status: MatchStatus = t.amount != r.amount ? .amountDiffers(AmountCause.classify(expected: t.amount, actual: r.amount))
                : t.project != r.project ? .projectDiffers : .matched
            state.take(status, sent: s, booked: b)
        }
    }

    /// Same project and amount inside the window. Equal instalments make this ambiguous: when
    /// one instalment's receipt is missing or was booked otherwise, taking the earliest fitting
    /// receipt makes each later transfer take the next one's, and leaves the last transfer
    /// unmatched, far from the receipt that is left. So within one project and amount the two
    /// sides are aligned in day order at the least total distance in days (`aligned`): the
    /// transfer left out is the one whose receipt is not there. Groups of more than
    /// `alignedPairs` possible pairs are matched earliest first.
    private func byProjectAndAmount(_ state: inout State) {
        // Each side's untaken rows by project and amount, then day: groups found by walking the
        // two lists together, with no hashed table a pair.
        func grouped(_ rows: [MatchRow], _ taken: [Bool]) -> [Int] {
            rows.indices.filter { !taken[$0] }.sorted {
                (rows[$0].project, rows[$0].amount, rows[$0].day, rows[$0].line) < (rows[$1].project, rows[$1].amount, rows[$1].day, rows[$1].line)
            }
        }
        let sent = grouped(state.sent, state.sentTaken), booked = grouped(state.booked, state.bookedTaken)
        func key(_ row: MatchRow) -> (Int32, Fen) { (row.project, row.amount) }
        var i = 0, j = 0
        var found: [(Int, Int)] = []
        while i < sent.count && j < booked.count {
            let a = key(state.sent[sent[i]]), b = key(state.booked[booked[j]])
            if a < b { i += 1; continue }
            if b < a { j += 1; continue }
            var i2 = i, j2 = j
            while i2 < sent.count && key(state.sent[sent[i2]]) == a { i2 += 1 }
            while j2 < booked.count && key(state.booked[booked[j2]]) == a { j2 += 1 }
            let group = (sent: Array(sent[i..<i2]), booked: Array(booked[j..<j2]))
            found += group.sent.count * group.booked.count <= Self.alignedPairs
                ? aligned(group.sent, group.booked, state) : earliestFirst(group.sent, group.booked, state)
            (i, j) = (i2, j2)
        }
        // Taken in the transfers' order, so that the matches come out as the rows do.
        found.sort { $0.0 < $1.0 }
        for (s, b) in found { state.take(.matched, sent: s, booked: b) }
    }

    static let alignedPairs = 4096

    /// Whether a receipt is dated inside the window of a transfer.
    private func fits(_ t: MatchRow, _ r: MatchRow) -> Bool {
        let gap = Int(r.day) - Int(t.day)
        return gap >= -Int(Self.early) && gap <= Int(window)
    }

    /// The most pairs of `sent` and `booked` (each in day order) that fit the window, matched
    /// in order, at the least total distance in days: a dynamic programme over the two lists.
    private func aligned(_ sent: [Int], _ booked: [Int], _ state: State) -> [(Int, Int)] {
        let n = sent.count, m = booked.count, width = m + 1
        // Leaving a row out costs more than any pair, so no pair is given up to save days.
        let skip = Int(window) + Int(Self.early) + 1
        var cost = [Int](repeating: 0, count: (n + 1) * width)
        var step = [UInt8](repeating: 0, count: (n + 1) * width)  // 0 pair, 1 leave the transfer, 2 leave the receipt
        for i in 0...n {
            for j in 0...m where i > 0 || j > 0 {
                var best = Int.max, move: UInt8 = 0
                if i > 0 && j > 0 {
                    let (t, r) = (state.sent[sent[i - 1]], state.booked[booked[j - 1]])
                    if fits(t, r) { best = cost[(i - 1) * width + j - 1] + abs(Int(r.day) - Int(t.day)) }
                }
                if i > 0 && cost[(i - 1) * width + j] + skip < best {
                    best = cost[(i - 1) * width + j] + skip
                    move = 1
                }
                if j > 0 && cost[i * width + j - 1] + skip < best {
                    best = cost[i * width + j - 1] + skip
                    move = 2
                }
                cost[i * width + j] = best
                step[i * width + j] = move
            }
        }
        var pairs: [(Int, Int)] = []
        var (i, j) = (n, m)
        while i > 0 || j > 0 {
            switch step[i * width + j] {
            case 0:
                pairs.append((sent[i - 1], booked[j - 1]))
                i -= 1
                j -= 1
            case 1: i -= 1
            default: j -= 1
            }
        }
        return pairs.reversed()
    }

    /// Each transfer in order takes the earliest untaken receipt that fits.
    private func earliestFirst(_ sent: [Int], _ booked: [Int], _ state: State) -> [(Int, Int)] {
        var pairs: [(Int, Int)] = []
        var next = 0
        var taken = Set<Int>()
        for s in sent {
            let t = state.sent[s]
            // Receipts too early for this transfer are too early for every later one.
            while next < booked.count, taken.contains(next) || state.booked[booked[next]].day < t.day - Self.early { next += 1 }
            for k in next..<booked.count where !taken.contains(k) {
                if state.booked[booked[k]].day > t.day + window { break }
                taken.insert(k)
                pairs.append((s, booked[k]))
                break
            }
        }
        return pairs
    }

    private func batches(_ state: inout State) {
        // One receipt for several transfers.
        var sentByProject = Self.untaken(state.sent, state.sentTaken)
        for b in state.booked.indices where !state.bookedTaken[b] {
            let r = state.booked[b]
            guard var list = sentByProject.removeValue(forKey: r.project) else { continue }
            let found = list.batch(of: state.sent, total: r.amount, from: r.day - window, through: r.day + Self.early, visits: &state.visits)
            sentByProject[r.project] = list
            if let found { state.take(.batch, sent: found, booked: [b]) }
        }
        state.visits += sentByProject.values.reduce(0) { $0 + $1.hops }
        sentByProject = [:]
        // One transfer booked in parts.
        var bookedByProject = Self.untaken(state.booked, state.bookedTaken)
        for s in state.sent.indices where !state.sentTaken[s] {
            let t = state.sent[s]
            guard var list = bookedByProject.removeValue(forKey: t.project) else { continue }
            let found = list.batch(of: state.booked, total: t.amount, from: t.day - Self.early, through: t.day + window, visits: &state.visits)
            bookedByProject[t.project] = list
            if let found { state.take(.batch, sent: [s], booked: found) }
        }
        state.visits += bookedByProject.values.reduce(0) { $0 + $1.hops }
    }

    /// Untaken rows by project, in order.
    private static func untaken(_ rows: [MatchRow], _ taken: [Bool]) -> [Int32: UntakenRows] {
        var by: [Int32: [Int]] = [:]
        for i in rows.indices where !taken[i] { by[rows[i].project, default: []].append(i) }
        return by.mapValues(UntakenRows.init)
    }

    /// The first place in `list` (rows in day order) of a row dated `day` or later.
    fileprivate static func first(in list: [Int], _ rows: [MatchRow], dayFrom day: Int32) -> Int {
        var low = 0, high = list.count
        while low < high {
            let mid = (low + high) / 2
            if rows[list[mid]].day < day { low = mid + 1 } else { high = mid }
        }
        return low
    }

    private func byAmountUnderAnotherProject(_ state: inout State) {
        takeFirstFitting(&state, by: \.amount) { t, r in r.project != t.project ? .projectDiffers : nil }
    }

    private func byRecognisedDifference(_ state: inout State) {
        takeFirstFitting(&state, by: \.project) { t, r in
            let cause = AmountCause.classify(expected: t.amount, actual: r.amount)
            return cause != .unknown ? .amountDiffers(cause) : nil
        }
    }

    /// Each untaken transfer in order takes the first untaken receipt that shares its `key`,
    /// fits the window and gets a status from `status`, trying at most `candidates` of them.
    private func takeFirstFitting<Key: Hashable>(_ state: inout State, by key: (MatchRow) -> Key,
                                                 _ status: (MatchRow, MatchRow) -> MatchStatus?) {
        var grouped: [Key: [Int]] = [:]
        for b in state.booked.indices where !state.bookedTaken[b] { grouped[key(state.booked[b]), default: []].append(b) }
        guard !grouped.isEmpty else { return }
        var lists = grouped.mapValues(UntakenRows.init)
        grouped = [:]
        for s in state.sent.indices where !state.sentTaken[s] {
            let t = state.sent[s]
            guard var list = lists.removeValue(forKey: key(t)) else { continue }
            var k = list.firstUntaken(from: list.first(dayFrom: t.day - Self.early, in: state.booked))
            var tried = 0
            while k < list.rows.count && tried < Self.candidates && state.booked[list.rows[k]].day <= t.day + window {
                tried += 1
                state.visits += 1
                if let found = status(t, state.booked[list.rows[k]]) {
                    state.take(found, sent: s, booked: list.rows[k])
                    list.take(k)
                    break
                }
                k = list.firstUntaken(from: k + 1)
            }
            lists[key(t)] = list
        }
        state.visits += lists.values.reduce(0) { $0 + $1.hops }
    }
}

/// One side's rows (in day order) that were untaken when the list was made, taken as a pass
/// goes: taken entries are skipped through pointers that each skip shortens, so that a pass
/// over a receiver's year of equal amounts stays near linear.
struct UntakenRows {
    let rows: [Int]
    /// next[i] == i while entry i is untaken; else a later entry, nearer each time it is followed.
    private var next: [Int]
    /// Pointers followed so far: what skipping taken entries has cost.
    private(set) var hops = 0

    init(_ rows: [Int]) {
        self.rows = rows
        next = Array(0...rows.count)
    }

    /// The first untaken entry at or after `i`; `rows.count` when none.
    mutating func firstUntaken(from i: Int) -> Int {
        let start = min(i, rows.count)
        var root = start
        while next[root] != root {
            root = next[root]
            hops += 1
        }
        var j = start
        while next[j] != root {
            let k = next[j]
            next[j] = root
            j = k
        }
        return root
    }

    mutating func take(_ i: Int) { next[i] = i + 1 }

    /// The first entry dated `day` or later.
    func first(dayFrom day: Int32, in all: [MatchRow]) -> Int { ReceiptMatcher.first(in: rows, all, dayFrom: day) }

    /// 2–`maxBatch` consecutive untaken entries dated inside [from, through] adding up to
    /// `total`, from the earliest start that works, taken; at most `candidates` starts tried.
    mutating func batch(of all: [MatchRow], total: Fen, from: Int32, through: Int32, visits: inout Int) -> [Int]? {
        var start = firstUntaken(from: first(dayFrom: from, in: all))
        var starts = 0
        while start < rows.count && all[rows[start]].day <= through && starts < ReceiptMatcher.candidates {
            starts += 1
            var sum: Fen = 0
            var members: [Int] = []
            var k = start
            while k < rows.count && all[rows[k]].day <= through && members.count < ReceiptMatcher.maxBatch {
                visits += 1
                sum += all[rows[k]].amount
                members.append(k)
                if members.count >= 2 && sum == total {
                    for m in members { take(m) }
                    return members.map { rows[$0] }
                }
                k = firstUntaken(from: k + 1)
            }
            start = firstUntaken(from: start + 1)
        }
        return nil
    }
}
