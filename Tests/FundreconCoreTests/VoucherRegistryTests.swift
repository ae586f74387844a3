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
        let shapes = (0..<(VoucherRegistry.maxShapes + 40)).map { "P\(String($0, radix: 26).map { Character(UnicodeScalar(UInt8($0.asciiValue ?? 97) + 17)) })-" }
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
}
