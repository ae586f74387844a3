import CDeflateLevel
import Foundation
import PropertyBased
import Testing

/// `fundrecon_format_g16` (the number cells' text in Sources/CDeflateLevel/FastCells.c)
/// against glibc's own "%.16G", which libxlsxwriter writes with: the same text for every
/// value it takes, and every value a workbook holds is taken.
@Suite struct NumberTextTests {
    private static func glibc(_ v: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        _ = withVaList([v]) { vsnprintf(&buffer, buffer.count, "%.16G", $0) }
        return String(cString: buffer)
    }

    private static func ours(_ v: Double) -> String? {
        var buffer = [CChar](repeating: 0, count: 64)
        let n = fundrecon_format_g16(v, &buffer)
        return n < 0 ? nil : String(cString: buffer)
    }

    private static func inRange(_ v: Double) -> Bool { v == 0 || (v.magnitude >= 1e-4 && v.magnitude < 1e15) }

    private func expectSame(_ v: Double) {
        let got = Self.ours(v)
        if Self.inRange(v) {
            #expect(got == Self.glibc(v), "\(v.bitPattern)")
        } else {
            #expect(got == nil, "\(v.bitPattern)")
        }
    }

    /// Money in 万元 as the sheets hold it: a count of 分 over a million, of any size.
    @Test func moneyAsTheSheetsHoldIt() async {
        await propertyCheck(count: 3_000, input: Gen.int64(in: -(1 << 52)...(1 << 52)), Gen.int(in: 0...6)) { fen, cut in
            expectSame(Double(fen) / 1_000_000)
            expectSame(Double(fen / Int64(pow(10, Double(cut)))) / 1_000_000)  // fewer decimals
            expectSame(Double(fen) / 100)
        }
    }

    /// Any double: random bits, so every exponent and mantissa is reached.
    @Test func anyBitsAtAll() async {
        await propertyCheck(count: 5_000, input: Gen.uint64(in: 0...UInt64.max)) { bits in
            expectSame(Double(bitPattern: bits))
        }
    }

    /// Any double of the range taken: every exponent in it, random digits.
    @Test func anyBitsInTheRange() async {
        await propertyCheck(count: 5_000, input: Gen.uint64(in: 0...UInt64.max), Gen.int(in: -15...50), Gen.bool) { bits, exponent, negative in
            expectSame(Double(sign: negative ? .minus : .plus, exponent: exponent, significand: 1 + Double(bits >> 12) / 0x1p52))
        }
    }

    /// Around each power of ten, where the digits carry into one more place, and the edges of
    /// the range taken.
    @Test func aroundPowersOfTen() {
        for e in -5...16 {
            let p = pow(10, Double(e))
            var v = p
            for _ in 0..<40 { v = v.nextDown }
            for _ in 0..<80 {
                expectSame(v)
                expectSame(-v)
                v = v.nextUp
            }
        }
        for v in [0.0, -0.0, 1e-4, 1e15, 0.5, 44197, 0.3, 0.1 + 0.2, 9_999_999_999_999.995, .infinity, .nan,
                  Double.leastNonzeroMagnitude] {
            expectSame(v)
        }
    }
}
