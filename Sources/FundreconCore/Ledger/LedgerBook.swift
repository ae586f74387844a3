/// Accumulates the streamed rows of transfers.csv and spending.csv. Keeps per edge its rows'
/// day, amount and line, per unit and project what was spent, and a compact key per paid
/// row (FL009's re-payments, BL004): never the rows' text.
/// The two files fill separate halves, so they can be read at the same time.
public final class LedgerBook {
    let transfers: TransferBook
    let spending: SpendingBook

    /// Keeps only what the row-level rules (FL001, FL007) need: no flows through units.
    public init(rowLevelOnly: Bool = false) {
        transfers = TransferBook()
        spending = SpendingBook(rowLevelOnly: rowLevelOnly)
    }

    /// Where the loader sends the rows it accepts; each half is called from one thread.
    public var sinks: RowSinks {
        let t = transfers, s = spending
        var sinks = RowSinks(transfer: t.add, spending: s.add, expect: { file, rows in
            if file == .spending { s.expect(rows: rows) }
            if file == .transfers { t.expect(rows: rows) }
        }, finished: { file in
            if file == .transfers { t.finish() }
            if file == .spending { s.finish() }
        })
        sinks.transferTail = {
            let tail = TransferBook()
            return TransferTail(expect: { tail.expect(rows: $0) }, add: tail.add, absorb: { t.absorb(tail, dropping: $0) })
        }
        return sinks
    }

    var edges: EdgeTable { transfers.edges }
    /// Drops every edge's rows once the edge and balance rules are done with them; the
    /// result is built from what the rules returned and from the spending movements.
    func releaseTransferRows() {
        transfers.release()
        unitIndex = nil
    }

    /// BL004: whether each failed payment was paid again (worked out when spending.csv ends).
    func repaid() -> [Bool] { spending.repaid }
    var failedPayments: [(line: Int, key: RowKey, entity: Int, project: Int, payee: String?)] { spending.failedPayments }
    var latestTransferDay: Day? { transfers.latestDay }
    var transferTotal: Fen { transfers.total }
    var spendingTotal: Fen { spending.total }

    /// Spending's movements per (project, unit, -1): what was spent (and failed) where.
    var spendingFlows: FlowTable { spending.flows }

    private var unitIndex: UnitIndex?

    /// Units with money through them, in id order.
    var flowUnits: [Int] { index().units }

    /// What a unit's balance costs beyond its movements, counted in movements (its lists and
    /// groups), from the two runs' end times at 10^7.
    static let unitOverhead = 30

    /// `flowUnits` cut into `parts` runs of about as many movements each: a unit's balance
    /// costs about its movements, and cut by count, the run holding the province, cities and
    /// counties took half as long again as the run of grantees.
    func flowUnitRuns(_ parts: Int) -> [ArraySlice<Int>] {
        let index = index()
        let units = index.units
        guard parts > 1, !units.isEmpty else { return [units[...]] + Array(repeating: [], count: max(parts - 1, 0)) }
        let books = index.edges.values, spendingEvents = index.spendingFlows.values
        var work = [Int](repeating: 0, count: units.count)
        var total = 0
        for (k, unit) in units.enumerated() {
            var w = LedgerBook.unitOverhead
            for e in index.incoming[unit] where books.indices.contains(Int(e)) { w += books[Int(e)].okRows }
            for e in index.outgoing[unit] where books.indices.contains(Int(e)) { w += books[Int(e)].okRows }
            for f in index.spendingFlowsOf[unit] where spendingEvents.indices.contains(Int(f)) { w += spendingEvents[Int(f)].count }
            work[k] = w
            total += w
        }
        var runs: [ArraySlice<Int>] = []
        var start = 0, done = 0
        for k in units.indices {
            done += work[k]
            // Cut after the unit that brings the work done to the next share.
            if runs.count < parts - 1 && done * parts >= total * (runs.count + 1) {
                runs.append(units[start...k])
                start = k + 1
            }
        }
        runs.append(units[start...])
        while runs.count < parts { runs.append([]) }
        return runs
    }

    /// A unit's movements per project: received and passed on (from the rows of the edges
    /// into and out of it) and spent. A transfer row is kept once, on its edge; the events of
    /// one unit are made when its balance is worked out, and dropped after.
    func flows(ofUnit unit: Int) -> [(project: Int, events: [FlowEvent])] {
        let index = index()
        let keys = index.edges.keys, books = index.edges.values
        let incoming = index.incoming[unit], outgoing = index.outgoing[unit]
        let spendingKeys = index.spendingFlows.keys, spendingEvents = index.spendingFlows.values
        let spendingPlaces = index.spendingFlowsOf[unit]
        // A unit has a few projects: a short list searched in place, not a dictionary a unit.
        var byProject: [(project: Int, events: [FlowEvent])] = []
        var sizes: [Int] = []
        func slot(_ project: Int) -> Int {
            if let i = byProject.firstIndex(where: { $0.project == project }) { return i }
            byProject.append((project, []))
            sizes.append(0)
            return byProject.count - 1
        }
        func isEdge(_ e: Int) -> Bool { keys.indices.contains(e) && books.indices.contains(e) }
        func isSpending(_ f: Int) -> Bool { spendingKeys.indices.contains(f) && spendingEvents.indices.contains(f) }
        // Each project's list sized first and allocated once: grown row by row, its copies
        // cost a fifth of the balances.
        for e32 in incoming where isEdge(Int(e32)) { sizes[slot(keys[Int(e32)].project)] += books[Int(e32)].okRows }
        for e32 in outgoing where isEdge(Int(e32)) { sizes[slot(keys[Int(e32)].project)] += books[Int(e32)].okRows }
        for f32 in spendingPlaces where isSpending(Int(f32)) { sizes[slot(spendingKeys[Int(f32)].project)] += spendingEvents[Int(f32)].count }
        for i in byProject.indices { byProject[i].events.reserveCapacity(sizes[i]) }
        func take(_ edgeIndices: ArraySlice<Int32>, _ kind: FlowEvent.Kind) {
            for e32 in edgeIndices where isEdge(Int(e32)) {
                let e = Int(e32)
                // Fields read in place: a copy of the edge's book retained each of its tables.
                let place = slot(keys[e].project)
                books[e].rows.appendEvents(from: books[e].start, count: books[e].okRows, kind, to: &byProject[place].events)
            }
        }
        take(incoming, .received)
        take(outgoing, .passedOn)
        // In file order, a run of one day's rows of one kind is one movement, as they streamed.
        for i in byProject.indices {
            byProject[i].events.mergeRunsInFileOrder()
        }
        for f32 in spendingPlaces where isSpending(Int(f32)) {
            let place = Int(f32)
            byProject[slot(spendingKeys[place].project)].events.append(contentsOf: spendingEvents[place])
        }
        return byProject.sorted { $0.project < $1.project }
    }

    private final class UnitIndex {
        /// A unit's edges are positions in the edge table, not hash look-ups.
        var edges = EdgeTable()
        var incoming = UnitLists()
        var outgoing = UnitLists()
        var spendingFlows = FlowTable()
        /// A unit's spending flows: their places in `spendingFlows`, one per project.
        var spendingFlowsOf = UnitLists()
        var units: [Int] = []
    }

    private func index() -> UnitIndex {
        if let unitIndex { return unitIndex }
        let index = UnitIndex()
        index.edges = transfers.edges
        let edges = index.edges
        index.incoming = UnitLists { add in
            for (i, edge) in edges.enumerated() where edge.value.okRows > 0 { add(edge.key.to, i) }
        }
        index.outgoing = UnitLists { add in
            for (i, edge) in edges.enumerated() where edge.value.okRows > 0 { add(edge.key.from, i) }
        }
        index.spendingFlows = spending.flows
        let spendingKeys = index.spendingFlows.keys
        index.spendingFlowsOf = UnitLists { add in
            for (place, key) in spendingKeys.enumerated() { add(key.from, place) }
        }
        let listed = max(index.incoming.unitCount, index.outgoing.unitCount, index.spendingFlowsOf.unitCount)
        index.units = (0..<listed).filter {
            !index.incoming[$0].isEmpty || !index.outgoing[$0].isEmpty || !index.spendingFlowsOf[$0].isEmpty
        }
        unitIndex = index
        return index
    }

    static func flowKey(unit: Int, project: Int) -> EdgeKey { EdgeKey(project: project, from: unit, to: -1) }
}
