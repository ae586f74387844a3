/// A movement of money at a unit on one project: in (received), out (passed on), spent.
struct FlowEvent: Sendable {
    enum Kind: UInt8, Sendable { case received, passedOn, spent, failedSpending }
    // Widest first: 24 bytes a movement instead of 32 (millions of them at province scale).
    let amount: Fen
    let day: Int32
    let line: Int32
    let kind: Kind
    let file: UInt8  // 0 transfers, 1 spending

    init(day: Int32, amount: Fen, kind: Kind, line: Int32, file: UInt8) {
        self.amount = amount
        self.day = day
        self.line = line
        self.kind = kind
        self.file = file
    }

    /// This movement with `later` added, when both are one day's movement of one kind in one
    /// file (as they streamed, a run of such rows is one movement); nil otherwise.
    func merging(_ later: FlowEvent) -> FlowEvent? {
        guard day == later.day, kind == later.kind, file == later.file else { return nil }
        return FlowEvent(day: day, amount: amount + later.amount, kind: kind, line: line, file: file)
    }
}

/// Movements per (project, unit, -1), each key's in file order: slices of one array.
typealias FlowTable = KeyedTable<ArraySlice<FlowEvent>>

/// Makes a `FlowTable` row by row. A row is merged into its key's last movement when that is
/// the same day and kind (rows come roughly in date order, so a unit has near one a day);
/// movements of all keys go into one array, grouped by key once the file is read.
struct FlowTableBuilder: Sendable {
    private var places = KeyPlaces()
    private var lastOf: [Int32] = []
    private var events: [FlowEvent] = []
    private var eventPlace: [Int32] = []

    /// Room for about `rows` movements, so the array is not copied as it grows (pages that
    /// stay unused cost nothing).
    mutating func reserve(_ rows: Int) {
        guard events.isEmpty else { return }
        events.reserveCapacity(rows)
        eventPlace.reserveCapacity(rows)
    }

    /// Returns the key's place (one per unit and project).
    @discardableResult
    mutating func record(unit: Int, project: Int, _ day: Day, _ amount: Fen, _ kind: FlowEvent.Kind, _ line: Int, file: UInt8) -> Int {
        let (place, isNew) = places.place(of: LedgerBook.flowKey(unit: unit, project: project))
        if isNew { lastOf.append(-1) }
        let e = FlowEvent(day: day.daysSinceEpoch, amount: amount, kind: kind, line: Int32(clamping: line), file: file)
        let last = Int(lastOf[place])
        if last >= 0, let merged = events[last].merging(e) {
            events[last] = merged
        } else {
            lastOf[place] = Int32(clamping: events.count)
            events.append(e)
            eventPlace.append(Int32(clamping: place))
        }
        return place
    }

    mutating func finish() -> FlowTable {
        var counts = [Int](repeating: 0, count: places.keys.count)
        for p in eventPlace { counts[Int(p)] += 1 }
        let starts = startsOfPlaces(counts)
        let zero = FlowEvent(day: 0, amount: 0, kind: .spent, line: 0, file: 0)
        let grouped = groupedByPlace(&events, places: eventPlace, starts: starts, zero: zero)
        let slices = counts.indices.map { grouped[starts[$0]..<starts[$0] + counts[$0]] }
        let table = FlowTable(places, values: slices)
        self = FlowTableBuilder()
        return table
    }
}

extension Array where Element == FlowEvent {
    /// Puts the movements in line order (rows of one edge already are: sorted only when edges
    /// interleave) and merges each run of one day's rows of one kind, in place.
    mutating func mergeRunsInFileOrder() {
        guard count > 1 else { return }
        var inOrder = true
        for k in 1..<count where self[k - 1].line >= self[k].line {
            inOrder = false
            break
        }
        if !inOrder { sort { $0.line < $1.line } }
        var kept = 0
        withUnsafeMutableBufferPointer { p in
            for r in 0..<p.count {
                if kept > 0, let merged = p[kept - 1].merging(p[r]) {
                    p[kept - 1] = merged
                } else {
                    p[kept] = p[r]
                    kept += 1
                }
            }
        }
        removeLast(count - kept)
    }
}
