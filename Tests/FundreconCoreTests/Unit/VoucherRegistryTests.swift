import PropertyBased
import Testing
@testable import FundreconCore

@Suite struct VoucherRegistryTests {
    /// Registers each voucher in turn; the lines the registry reports as "seen before".
    static func earlierLines(_ vouchers: [[UInt8]]) -> [Int?] {
        var registry = VoucherRegistry()
        return vouchers.enumerated().map { line, v in v.withUnsafeBufferPointer { registry.register($0, line: line + 2) } }
    }

    /// What IN003 must say: the first line of the same bytes, if any.
    static func expected(_ vouchers: [[UInt8]]) -> [Int?] {
        var first: [[UInt8]: Int] = [:]
        return vouchers.enumerated().map { line, v in
            if let f = first[v] { return f }
            first[v] = line + 2
            return nil
        }
    }

    static func bytes(_ s: [String]) -> [[UInt8]] { s.map { Array($0.utf8) } }

    @Test func leadingZerosPrefixesAndSuffixesKeepVouchersApart() {
        let v = VoucherRegistryTests.bytes(["T0001", "T001", "T1", "S1", "1", "T1号", "T0001", "付字第12号", "付字第12号", "记-2021-12", "记-2021-12"])
        #expect(VoucherRegistryTests.earlierLines(v) == [nil, nil, nil, nil, nil, nil, 2, nil, 9, nil, 11])
    }

    @Test func vouchersThatCannotBePackedAreStillExact() {
        let long = String(repeating: "9", count: 16)
        let v = VoucherRegistryTests.bytes(["ABC", "ABC", "X" + long, "X" + long, "X" + long + "0", "", ""])
        #expect(VoucherRegistryTests.earlierLines(v) == [nil, 2, nil, 4, nil, nil, 7])
        let ff: [[UInt8]] = [[0x41, 0xFF, 0x31], [0x41, 0xFF, 0x31], [0x41, 0x31]]
        #expect(VoucherRegistryTests.earlierLines(ff) == [nil, 2, nil])
    }

    @Test func pastTheLastShapeVouchersGoByteForByteAndStayConsistent() {
        // More shapes than can be packed: the later shapes are kept as text, from their first row.
        let shapes = (0..<(VoucherPacker.maxShapes + 40)).map { "P\(String($0, radix: 26).map { Character(UnicodeScalar(UInt8($0.asciiValue ?? 97) + 17)) })-" }
        var list: [String] = []
        for s in shapes { list += [s + "7", s + "07"] }
        for s in shapes.reversed() { list += [s + "7", s + "8"] }
        let v = VoucherRegistryTests.bytes(list)
        #expect(VoucherRegistryTests.earlierLines(v) == VoucherRegistryTests.expected(v))
    }

    @Test func manyVouchersSurviveTheTableGrowing() {
        let v = VoucherRegistryTests.bytes((0..<20_000).map { "V\($0 % 15_000)" })
        let found = VoucherRegistryTests.earlierLines(v)
        #expect(found == VoucherRegistryTests.expected(v))
        #expect(found.compactMap { $0 }.count == 5_000)
    }

    @Test func randomVouchersAgreeWithAPlainSet() async {
        // A small alphabet, so that equal vouchers, shared shapes and digit runs are common.
        let alphabet: [UInt8] = Array("0123456789AB-".utf8) + [0xE5, 0x8F, 0xB7]
        await propertyCheck(count: 200, input: Gen.element(of: alphabet).map { $0 ?? 0x30 }.array(of: 0...7).array(of: 0...300)) { vouchers in
            #expect(VoucherRegistryTests.earlierLines(vouchers) == VoucherRegistryTests.expected(vouchers))
        }
    }

    /// A numbered ledger as it comes: mostly consecutive numbers, with strays far off, a few
    /// below the first number, other shapes and digit counts, and repeats of each kind.
    /// `scattered`: numbers drawn at random instead of counted (a ledger not numbered in
    /// sequence, where the window of numbers must close and hand its keys over).
    static func numberedLedger(seed: UInt64, count: Int, from start: Int, scattered: Bool = false) -> [[UInt8]] {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        var out: [String] = []
        var number = start
        for _ in 0..<count {
            switch next(100) {
            case 0..<3 where !out.isEmpty: out.append(out[next(out.count)])  // a repeat of any earlier voucher
            case 3..<5: out.append("记-2021-\(String(9_000_000 + next(900_000)))")  // a stray far off
            case 5: out.append("记-2021-\(max(0, start - 1 - next(5_000)))")  // below the first number
            case 6: out.append("付字第\(next(2_000))号")
            case 7: out.append("记-2021-\(String(number + next(3)).count < 7 ? "0" : "")\(number)")  // another digit count
            default:
                number = scattered ? 1_000_000 + next(8_000_000) : number + 1
                out.append("记-2021-\(number)")
            }
        }
        return bytes(out)
    }

    @Test func numberedVouchersWithStraysAndRepeatsAgreeWithAPlainSet() {
        for seed in 1...4 as ClosedRange<UInt64> {
            let v = VoucherRegistryTests.numberedLedger(seed: seed, count: 30_000, from: 1_000_000 * Int(seed))
            #expect(VoucherRegistryTests.earlierLines(v) == VoucherRegistryTests.expected(v), "seed \(seed)")
        }
        for seed in 5...6 as ClosedRange<UInt64> {
            let v = VoucherRegistryTests.numberedLedger(seed: seed, count: 30_000, from: 1, scattered: true)
            #expect(VoucherRegistryTests.earlierLines(v) == VoucherRegistryTests.expected(v), "seed \(seed), scattered")
        }
        // Reserved for far fewer rows than come: numbers run past the window into the hash table.
        let v = VoucherRegistryTests.numberedLedger(seed: 9, count: 20_000, from: 5)
        var registry = VoucherRegistry()
        registry.reserve(100)
        let found = v.enumerated().map { line, b in b.withUnsafeBufferPointer { registry.register($0, line: line + 2) } }
        #expect(found == VoucherRegistryTests.expected(v))
    }

    /// A voucher packed by another packer (a receipt's reference) is looked up by its key,
    /// its shape renumbered, and finds what its text finds: shapes learnt in another order,
    /// shapes the registry never saw, and, once the registry learns no more shapes, vouchers
    /// it kept as text.
    @Test(arguments: [0, VoucherPacker.maxShapes + 5])
    func aForeignKeyFindsWhatItsTextFinds(fillerShapes: Int) {
        var registry = VoucherRegistry()
        // Shapes the registry learns first, so that the ones below come past its last shape.
        for k in 0..<fillerShapes { _ = Array("F\(k)-1".utf8).withUnsafeBufferPointer { registry.register($0, line: 2 + k) } }
        let sent = ["C04-2021-000017", "K033-2021-5", "付字第12号", "C04-2021-000018", "X9", "NODIGITS"]
        var first: [String: Int] = [:]
        for (k, v) in sent.enumerated() {
            let line = 10_000 + k
            _ = Array(v.utf8).withUnsafeBufferPointer { registry.register($0, line: line) }
            if first[v] == nil { first[v] = line }
        }
        var other = VoucherPacker()
        let written = ["X9", "K033-2021-5", "K033-2021-05", "C04-2021-000018", "付字第12号", "D-1", "C04-2021-17", "F3-1"]
        let keys = written.map { v in Array(v.utf8).withUnsafeBufferPointer { other.keyLearning($0) } }
        let shapes = other.shapes.keys()
        let numbers = registry.shapeNumbers(for: shapes)
        for (v, key) in zip(written, keys) {
            guard let key else { Issue.record("\(v) did not pack"); continue }
            let found = registry.lookUp(foreign: key, numbers, spelt: { VoucherPacker.spell(key, shape: shapes[Int(key >> 54) - 1]) })
            let expected = first[v] ?? (v == "F3-1" && fillerShapes > 3 ? 5 : nil)
            #expect(found == expected, "\(v)")
        }
    }

    @Test(arguments: [false, true])
    func repeatsAcrossTwoPartsAreFoundWhereverEachPartKeptThem(scattered: Bool) {
        // The second part continues the numbering and repeats some of the first part's
        // vouchers: consecutive ones, strays and other shapes.
        let head = VoucherRegistryTests.numberedLedger(seed: 3, count: 12_000, from: 100, scattered: scattered)
        var tail = VoucherRegistryTests.numberedLedger(seed: 4, count: 12_000, from: 20_000)
        for k in stride(from: 0, to: head.count, by: 97) { tail.insert(head[k], at: (k * 7) % tail.count) }
        var first = VoucherRegistry(), second = VoucherRegistry()
        first.reserve(head.count)
        second.reserve(tail.count)
        var headLines: [[UInt8]: Int] = [:], tailLines: [[UInt8]: Int] = [:]
        for (k, b) in head.enumerated() {
            _ = b.withUnsafeBufferPointer { first.register($0, line: k + 2) }
            if headLines[b] == nil { headLines[b] = k + 2 }
        }
        for (k, b) in tail.enumerated() {
            _ = b.withUnsafeBufferPointer { second.register($0, line: 50_000 + k) }
            if tailLines[b] == nil { tailLines[b] = 50_000 + k }
        }
        let expected = tailLines.compactMap { b, line in headLines[b].map { [line, $0] } }.sorted { $0.lexicographicallyPrecedes($1) }
        let found = second.repeats(of: first).map { [$0.line, $0.earlier] }.sorted { $0.lexicographicallyPrecedes($1) }
        #expect(found.count > 120)
        #expect(found == expected)
        // Each thread's share alone finds only its own: the shares do not overlap, and a
        // share that skipped nothing or everything would fail here.
        for parts in [1, 3] {
            let shares = (0..<parts).map { part in second.repeats(of: first, part: part, of: parts).map { [$0.line, $0.earlier] } }
            #expect(shares.allSatisfy { !$0.isEmpty && $0.count < found.count || parts == 1 })
            #expect(shares.flatMap { $0 }.sorted { $0.lexicographicallyPrecedes($1) } == expected)
            #expect(second.repeats(of: first, parts: parts).count == expected.count)
        }
    }
}
