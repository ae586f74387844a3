import Testing
@testable import FundreconCore

/// A column regrouped by place on several threads is the column sorted by place, file order
/// kept within a place: the same as the plain, one-thread way.
@Suite struct GroupedByPlaceTests {
    /// The oracle: rows stably sorted by their place.
    static func plainlyGrouped(_ column: [Int], _ places: [Int32]) -> [Int] {
        column.indices.sorted { (places[$0], $0) < (places[$1], $1) }.map { column[$0] }
    }

    static func starts(_ places: [Int32], count: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: count)
        for p in places { counts[Int(p)] += 1 }
        return startsOfPlaces(counts)
    }

    /// Rows over `placeCount` places, some places empty and one holding a third of the rows
    /// (a run of places can then be a single place).
    static func places(rows: Int, placeCount: Int, _ random: inout SplitMix) -> [Int32] {
        let crowded = Int32(random.int(0...(placeCount - 1)))
        return (0..<rows).map { _ in
            random.next() % 3 == 0 ? crowded : Int32(random.int(0...(placeCount - 1)) / 2 * 2)
        }
    }

    @Test(arguments: [1, 2, 3, 5])
    func manyThreadsGroupAsOneDoes(threads: Int) {
        var random = SplitMix(state: UInt64(41 + threads))
        for (rows, placeCount) in [(0, 1), (1, 1), (70_000, 1), (70_000, 3), (100_000, 40_000), (200_003, 997)] {
            let places = Self.places(rows: rows, placeCount: placeCount, &random)
            let column = (0..<rows).map { _ in Int(truncatingIfNeeded: random.next()) }
            var input = column
            let grouped = groupedByPlace(&input, places: places, starts: Self.starts(places, count: placeCount), zero: 0,
                                         threads: threads)
            #expect(grouped == Self.plainlyGrouped(column, places), "\(rows) rows over \(placeCount) places")
            #expect(input.isEmpty)
        }
    }

    @Test func rowsAlreadyInPlaceOrderStayAsTheyAre() {
        let places = (0..<100_000).map { Int32($0 / 10) }
        var column = Array(0..<100_000)
        let grouped = groupedByPlace(&column, places: places, starts: Self.starts(places, count: 10_000), zero: -1, threads: 2)
        #expect(grouped == Array(0..<100_000))
    }

    /// A file read in parts is regrouped from its parts where they lie: the same as the rows
    /// of all parts in one column, however the rows are cut.
    @Test(arguments: [1, 2])
    func partsGroupAsTheirRowsInOneColumnDo(threads: Int) {
        var random = SplitMix(state: UInt64(73 + threads))
        for (rows, placeCount, cuts) in [(0, 1, 1), (5, 2, 4), (70_000, 3, 1), (100_000, 40_000, 2), (200_003, 997, 3)] {
            let places = Self.places(rows: rows, placeCount: placeCount, &random)
            let column = (0..<rows).map { _ in Int(truncatingIfNeeded: random.next()) }
            // Cut points anywhere, empty parts included.
            let ends = ((0..<cuts).map { _ in random.int(0...rows) } + [0, rows]).sorted()
            var parts = (0..<(ends.count - 1)).map { Array(column[ends[$0]..<ends[$0 + 1]]) }
            let placeParts = (0..<(ends.count - 1)).map { Array(places[ends[$0]..<ends[$0 + 1]]) }
            let grouped = groupedByPlace(&parts, places: placeParts, starts: Self.starts(places, count: placeCount), zero: 0,
                                         threads: threads)
            #expect(grouped == Self.plainlyGrouped(column, places), "\(rows) rows in \(ends.count - 1) parts")
            #expect(parts.isEmpty)
        }
    }
}
