/// What the streamed files left, as the rules read it: per edge its rows, per unit and
/// project its spending movements, the failed payments and whether each was paid again.
/// Made by `LedgerBook.seal` once both files are read, and never changed: any number of
/// rule threads read it at once.
struct Ledger: Sendable {
    let edges: EdgeTable
    /// Spending's movements per (project, unit, -1): what was spent (and failed) where.
    let spendingFlows: FlowTable
    let failedPayments: [FailedPayment]
    /// BL004: whether each failed payment was paid again (worked out when spending.csv ended).
    let repaid: [Bool]
    let latestTransferDay: Day?
    /// What receipts.csv left, when the scope has it, until the rules that read it are done.
    private(set) var receipts: ReceiptLedger?
    private let index: UnitIndex

    init(edges: EdgeTable, spendingFlows: FlowTable, failedPayments: [FailedPayment], repaid: [Bool],
         latestTransferDay: Day?, unitIndex: Bool, receipts: ReceiptLedger? = nil) {
        self.receipts = receipts
        self.edges = edges
        self.spendingFlows = spendingFlows
        self.failedPayments = failedPayments
        self.repaid = repaid
        self.latestTransferDay = latestTransferDay
        index = unitIndex ? UnitIndex(edges: edges, spendingFlows: spendingFlows) : UnitIndex()
    }

    /// Lets the receipt book and the voucher tables go (the largest thing read, after the
    /// transfers), for the rules that do not read them.
    mutating func letGoOfReceipts() { receipts = nil }

    /// Lets the receipts' rows go and keeps the voucher tables, to spell the matching's rows.
    mutating func letGoOfReceiptRows() { receipts?.letGoOfRows() }

    /// A unit's edges and spending movements, by position in the tables (no hash look-ups).
    private struct UnitIndex: Sendable {
        var incoming = UnitLists()
        var outgoing = UnitLists()
        /// A unit's spending flows: their places in `spendingFlows`, one per project.
        var spendingFlowsOf = UnitLists()
        /// Units with money through them, in id order.
        var units: [Int] = []

        init() {}

        init(edges: EdgeTable, spendingFlows: FlowTable) {
            incoming = UnitLists { add in
                for (i, edge) in edges.enumerated() where edge.value.okRows > 0 { add(edge.key.to, i) }
            }
            outgoing = UnitLists { add in
                for (i, edge) in edges.enumerated() where edge.value.okRows > 0 { add(edge.key.from, i) }
            }
            let spendingKeys = spendingFlows.keys
            spendingFlowsOf = UnitLists { add in
                for (place, key) in spendingKeys.enumerated() { add(key.from, place) }
            }
            let (incoming, outgoing, spendingFlowsOf) = (incoming, outgoing, spendingFlowsOf)
            let listed = max(incoming.unitCount, outgoing.unitCount, spendingFlowsOf.unitCount)
            units = (0..<listed).filter { !incoming[$0].isEmpty || !outgoing[$0].isEmpty || !spendingFlowsOf[$0].isEmpty }
        }
    }

    /// Units with money through them, in id order (empty unless sealed with the unit index).
    var flowUnits: [Int] { index.units }

    /// What a unit's balance costs beyond its movements, counted in movements (its lists and
    /// groups), from the two runs' end times at 10^7.
    static let unitOverhead = 30

    /// `flowUnits` cut into `parts` runs of about as many movements each: a unit's balance
    /// costs about its movements, and cut by count, the run holding the province, cities and
    /// counties took half as long again as the run of grantees.
    func flowUnitRuns(_ parts: Int) -> [ArraySlice<Int>] {
        let units = index.units
        guard parts > 1, !units.isEmpty else { return [units[...]] + Array(repeating: [], count: max(parts - 1, 0)) }
        let books = edges.values, spendingEvents = spendingFlows.values
        var work = [Int](repeating: 0, count: units.count)
        var total = 0
        for (k, unit) in units.enumerated() {
            var w = Ledger.unitOverhead
            // The index was built from these tables: every place in it is in range (else a trap, never a row left out).
            for e in index.incoming[unit] { w += books[Int(e)].okRows }
            for e in index.outgoing[unit] { w += books[Int(e)].okRows }
            for f in index.spendingFlowsOf[unit] { w += spendingEvents[Int(f)].count }
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
        let keys = edges.keys, books = edges.values
        let incoming = index.incoming[unit], outgoing = index.outgoing[unit]
        let spendingKeys = spendingFlows.keys, spendingEvents = spendingFlows.values
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
        // The index was built from these tables: every place in it is in range, and an
        // index out of range traps rather than leave a movement out.
        precondition(keys.count == books.count && spendingKeys.count == spendingEvents.count, "ledger tables out of step")
        // Each project's list sized first and allocated once: grown row by row, its copies
        // cost a fifth of the balances.
        for e32 in incoming { sizes[slot(keys[Int(e32)].project)] += books[Int(e32)].okRows }
        for e32 in outgoing { sizes[slot(keys[Int(e32)].project)] += books[Int(e32)].okRows }
        for f32 in spendingPlaces { sizes[slot(spendingKeys[Int(f32)].project)] += spendingEvents[Int(f32)].count }
        for i in byProject.indices { byProject[i].events.reserveCapacity(sizes[i]) }
        func take(_ edgeIndices: ArraySlice<Int32>, _ kind: FlowEvent.Kind) {
            for e32 in edgeIndices {
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
        for f32 in spendingPlaces {
            let place = Int(f32)
            byProject[slot(spendingKeys[place].project)].events.append(contentsOf: spendingEvents[place])
        }
        return byProject.sorted { $0.project < $1.project }
    }
}
