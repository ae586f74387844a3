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

/// A match: indices into the pair's sent and booked rows.
struct PairMatch: Sendable, Equatable {
    let status: MatchStatus
    let sent: [Int32]
    let booked: [Int32]
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
        var state = State(sent: sent, booked: booked)
        byReference(&state, refs)
        byProjectAndAmount(&state)
        batches(&state)
        byAmountUnderAnotherProject(&state)
        byRecognisedDifference(&state)
        for s in sent.indices where !state.sentTaken[s] { state.out.append(PairMatch(status: .unbooked, sent: [Int32(s)], booked: [])) }
        for b in booked.indices where !state.bookedTaken[b] { state.out.append(PairMatch(status: .unsent, sent: [], booked: [Int32(b)])) }
        return state.out
    }

    private struct State {
        let sent: [MatchRow]
        let booked: [MatchRow]
        var sentTaken: [Bool]
        var bookedTaken: [Bool]
        var out: [PairMatch] = []

        init(sent: [MatchRow], booked: [MatchRow]) {
            self.sent = sent
            self.booked = booked
            sentTaken = Array(repeating: false, count: sent.count)
            bookedTaken = Array(repeating: false, count: booked.count)
        }

        mutating func take(_ status: MatchStatus, sent s: [Int], booked b: [Int]) {
            for i in s { sentTaken[i] = true }
            for i in b { bookedTaken[i] = true }
            out.append(PairMatch(status: status, sent: s.map { Int32($0) }, booked: b.map { Int32($0) }))
        }
    }

    private func byReference(_ state: inout State, _ refs: [Int32]) {
        for b in state.booked.indices where refs.indices.contains(b) {
            let s = Int(refs[b])
            guard state.sent.indices.contains(s), !state.sentTaken[s], !state.bookedTaken[b] else { continue }
            let (t, r) = (state.sent[s], state.booked[b])
            let status: MatchStatus = t.amount != r.amount ? .amountDiffers(AmountCause.classify(expected: t.amount, actual: r.amount))
                : t.project != r.project ? .projectDiffers : .matched
            state.take(status, sent: [s], booked: [b])
        }
    }

    private struct ProjectAmount: Hashable {
        let project: Int32
        let amount: Fen
    }

    private func byProjectAndAmount(_ state: inout State) {
        var lists: [ProjectAmount: (rows: [Int], next: Int)] = [:]
        for b in state.booked.indices where !state.bookedTaken[b] {
            lists[ProjectAmount(project: state.booked[b].project, amount: state.booked[b].amount), default: ([], 0)].rows.append(b)
        }
        guard !lists.isEmpty else { return }
        for s in state.sent.indices where !state.sentTaken[s] {
            let t = state.sent[s]
            let key = ProjectAmount(project: t.project, amount: t.amount)
            guard var list = lists[key] else { continue }
            // Receipts too early for this transfer are too early for every later one.
            while list.next < list.rows.count,
                  state.bookedTaken[list.rows[list.next]] || state.booked[list.rows[list.next]].day < t.day - Self.early {
                list.next += 1
            }
            lists[key] = list
            for k in list.next..<list.rows.count {
                let b = list.rows[k]
                if state.booked[b].day > t.day + window { break }
                if !state.bookedTaken[b] {
                    state.take(.matched, sent: [s], booked: [b])
                    break
                }
            }
        }
    }

    private func batches(_ state: inout State) {
        // One receipt for several transfers.
        var sentByProject = Self.untaken(state.sent, state.sentTaken)
        for b in state.booked.indices where !state.bookedTaken[b] {
            let r = state.booked[b]
            guard let rows = sentByProject[r.project] else { continue }
            let found = batch(in: rows, taken: state.sentTaken, rows: state.sent, total: r.amount,
                              from: r.day - window, through: r.day + Self.early)
            if let found { state.take(.batch, sent: found, booked: [b]) }
        }
        sentByProject = [:]
        // One transfer booked in parts.
        let bookedByProject = Self.untaken(state.booked, state.bookedTaken)
        for s in state.sent.indices where !state.sentTaken[s] {
            let t = state.sent[s]
            guard let rows = bookedByProject[t.project] else { continue }
            let found = batch(in: rows, taken: state.bookedTaken, rows: state.booked, total: t.amount,
                              from: t.day - Self.early, through: t.day + window)
            if let found { state.take(.batch, sent: [s], booked: found) }
        }
    }

    /// Untaken rows by project, in order.
    private static func untaken(_ rows: [MatchRow], _ taken: [Bool]) -> [Int32: [Int]] {
        var by: [Int32: [Int]] = [:]
        for i in rows.indices where !taken[i] { by[rows[i].project, default: []].append(i) }
        return by
    }

    /// 2–`maxBatch` consecutive untaken rows of `list` dated inside [from, through] adding up
    /// to `total`: the earliest start that works.
    private func batch(in list: [Int], taken: [Bool], rows: [MatchRow], total: Fen, from: Int32, through: Int32) -> [Int]? {
        var starts = 0
        for start in Self.first(in: list, rows, dayFrom: from)..<list.count {
            guard rows[list[start]].day <= through, starts < Self.candidates else { break }
            if taken[list[start]] { continue }
            starts += 1
            var sum: Fen = 0
            var members: [Int] = []
            for k in start..<list.count {
                let i = list[k]
                if taken[i] { continue }
                if rows[i].day > through || members.count == Self.maxBatch { break }
                sum += rows[i].amount
                members.append(i)
                if members.count >= 2 && sum == total { return members }
            }
        }
        return nil
    }

    /// The first place in `list` (rows in day order) of a row dated `day` or later.
    private static func first(in list: [Int], _ rows: [MatchRow], dayFrom day: Int32) -> Int {
        var low = 0, high = list.count
        while low < high {
            let mid = (low + high) / 2
            if rows[list[mid]].day < day { low = mid + 1 } else { high = mid }
        }
        return low
    }

    private func byAmountUnderAnotherProject(_ state: inout State) {
        var byAmount: [Fen: [Int]] = [:]
        for b in state.booked.indices where !state.bookedTaken[b] { byAmount[state.booked[b].amount, default: []].append(b) }
        guard !byAmount.isEmpty else { return }
        for s in state.sent.indices where !state.sentTaken[s] {
            let t = state.sent[s]
            guard let list = byAmount[t.amount] else { continue }
            var tried = 0
            for b in list[Self.first(in: list, state.booked, dayFrom: t.day - Self.early)...] where !state.bookedTaken[b] {
                if state.booked[b].day > t.day + window || tried == Self.candidates { break }
                tried += 1
                if state.booked[b].project != t.project {
                    state.take(.projectDiffers, sent: [s], booked: [b])
                    break
                }
            }
        }
    }

    private func byRecognisedDifference(_ state: inout State) {
        let bookedByProject = Self.untaken(state.booked, state.bookedTaken)
        guard !bookedByProject.isEmpty else { return }
        for s in state.sent.indices where !state.sentTaken[s] {
            let t = state.sent[s]
            guard let list = bookedByProject[t.project] else { continue }
            var tried = 0
            for b in list[Self.first(in: list, state.booked, dayFrom: t.day - Self.early)...] where !state.bookedTaken[b] {
                let r = state.booked[b]
                if r.day > t.day + window || tried == Self.candidates { break }
                tried += 1
                let cause = AmountCause.classify(expected: t.amount, actual: r.amount)
                if cause != .unknown {
                    state.take(.amountDiffers(cause), sent: [s], booked: [b])
                    break
                }
            }
        }
    }
}
