/// Lists of small integers per unit, flat: one array of values and one of offsets, instead
/// of a dictionary of arrays (half a million of each at province scale). A unit's values
/// keep the order they were added in.
struct UnitLists: Sendable {
    private var offsets: [Int32] = [0]
    private var values: [Int32] = []

    init() {}

    /// `fill` is called twice with the same pairs: once to count, once to place.
    init(_ fill: ((_ unit: Int, _ value: Int) -> Void) -> Void) {
        var counts: [Int32] = []
        fill { unit, _ in
            guard unit >= 0 else { return }
            if unit >= counts.count { counts += [Int32](repeating: 0, count: unit + 1 - counts.count) }
            counts[unit] += 1
        }
        var offsets = [Int32](repeating: 0, count: counts.count + 1)
        for u in counts.indices { offsets[u + 1] = offsets[u] + counts[u] }
        var cursor = Array(offsets.dropLast())
        var values = [Int32](repeating: 0, count: Int(offsets.last ?? 0))
        fill { unit, value in
            guard unit >= 0, unit < cursor.count else { return }
            values[Int(cursor[unit])] = Int32(truncatingIfNeeded: value)
            cursor[unit] += 1
        }
        self.offsets = offsets
        self.values = values
    }

    /// One more than the largest unit with a list.
    var unitCount: Int { offsets.count - 1 }

    subscript(unit: Int) -> ArraySlice<Int32> {
        guard unit >= 0, unit < unitCount else { return [] }
        return values[Int(offsets[unit])..<Int(offsets[unit + 1])]
    }
}
