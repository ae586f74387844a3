/// Columns of rows put in the order of their keys' places, keeping file order within a place
/// (a counting sort). A column is regrouped into one new column by several threads at once,
/// each writing only the rows of its own run of places: the column is held twice while it is
/// regrouped, never more, and a second core costs no second copy.

/// Where each place's rows begin when places follow one another: running sums of `counts`.
func startsOfPlaces(_ counts: [Int]) -> [Int] {
    var starts = [Int](repeating: 0, count: counts.count)
    var next = 0
    for p in counts.indices {
        starts[p] = next
        next += counts[p]
    }
    return starts
}

/// `column` in the order of `places` (row i's place is `places[i]`, and place p's rows begin
/// at `starts[p]`), regrouped on up to `threads` threads. The column is emptied once it is
/// copied, so that the caller holds it twice only for the call.
func groupedByPlace<T: Sendable>(_ column: inout [T], places: [Int32], starts: [Int], zero: T, threads: Int = 1) -> [T] {
    var segments = [column]
    column = []
    return groupedByPlace(&segments, places: [places], starts: starts, zero: zero, threads: threads)
}

/// The same for a column held in segments, one after another in file order (a file read in
/// two parts): regrouped where they lie, never first appended into one column.
func groupedByPlace<T: Sendable>(_ segments: inout [[T]], places: [[Int32]], starts: [Int], zero: T, threads: Int = 1) -> [T] {
    // Every row has a place and every place its room: a mismatch is a bug, and traps rather
    // than leave a row out or write one where another thread writes.
    precondition(places.count == segments.count && zip(places, segments).allSatisfy { $0.count == $1.count },
                 "a column and its places differ in length")
    let rows = segments.reduce(0) { $0 + $1.count }
    var out = [T](repeating: zero, count: rows)
    let runs = PlaceRuns(starts: starts, rows: rows, parts: rows < 1 << 16 ? 1 : max(1, threads))
    let (input, places) = (segments, places)
    segments = []
    out.withUnsafeMutableBufferPointer { buffer in
        let target = DisjointWrites(buffer: buffer)
        if runs.count == 1 {
            runs.fill(0, target, input, places, starts)
        } else {
            _ = Concurrently.map(Array(0..<runs.count)) { run in runs.fill(run, target, input, places, starts) }
        }
    }
    return out
}

/// The places cut into runs of about as many rows each; run k writes only the slots of its
/// places, `rowStart[k]..<rowStart[k + 1]`.
private struct PlaceRuns: Sendable {
    /// Run k's places are `placeStart[k]..<placeStart[k + 1]`.
    private var placeStart: [Int] = [0]
    private var rowStart: [Int] = [0]

    init(starts: [Int], rows: Int, parts: Int) {
        var p = 0
        for k in 1..<parts {
            let wanted = rows * k / parts
            while p < starts.count && starts[p] < wanted { p += 1 }
            guard p > placeStart[placeStart.count - 1], p < starts.count else { continue }
            placeStart.append(p)
            rowStart.append(starts[p])
        }
        placeStart.append(starts.count)
        rowStart.append(rows)
    }

    var count: Int { placeStart.count - 1 }

    /// Writes run k's rows: every row is read, only the run's own are written.
    func fill<T>(_ k: Int, _ target: DisjointWrites<T>, _ segments: [[T]], _ places: [[Int32]], _ starts: [Int]) {
        let (low, high) = (placeStart[k], placeStart[k + 1])
        let (first, end) = (rowStart[k], rowStart[k + 1])
        var cursor = Array(starts[low..<high])
        for (column, places) in zip(segments, places) {
            for i in column.indices {
                let p = Int(places[i]) - low
                guard p >= 0 && p < cursor.count else {
                    precondition(Int(places[i]) >= 0 && Int(places[i]) < starts.count, "a row's place out of range")
                    continue
                }
                let slot = cursor[p]
                precondition(slot >= first && slot < end, "more rows at a place than its room")
                target.buffer[slot] = column[i]
                cursor[p] = slot + 1
            }
        }
        // Each place filled exactly: its cursor at the next place's start.
        for p in low..<high {
            precondition(cursor[p - low] == (p + 1 < starts.count ? starts[p + 1] : end), "fewer rows at a place than its room")
        }
    }
}

/// One output column that several threads write at once. Unchecked: each thread writes only
/// its own slots (`PlaceRuns.fill` checks every slot against its run's bounds before it
/// writes), and the buffer outlives the threads (`Concurrently.map` returns when all are done).
private struct DisjointWrites<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T>
}
