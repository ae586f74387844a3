import Foundation
import Testing
@testable import FundreconCore

/// Amounts in messages are formatted into a byte buffer; the way they were formatted before
/// (strings trimmed a character at a time) is the reference.
@Suite struct AmountText {
    static func reference(_ value: Int64, scaleDigits: Int, minFraction: Int) -> String {
        let negative = value < 0
        let magnitude = value.magnitude
        var scale: UInt64 = 1
        for _ in 0..<scaleDigits { scale *= 10 }
        let whole = magnitude / scale
        var fraction = String(magnitude % scale)
        fraction = String(repeating: "0", count: scaleDigits - fraction.count) + fraction
        while fraction.count > minFraction && fraction.last == "0" { fraction.removeLast() }
        let body = fraction.isEmpty ? String(whole) : "\(whole).\(fraction)"
        return negative ? "-" + body : body
    }

    @Test func formatsAsBeforeForEveryScale() {
        var generator = SystemRandomNumberGenerator()
        var values: [Int64] = [0, 1, -1, 9, 10, 99, 100, 1_000_000, -1_000_000, 1_234_500, 749_898_600, .max, .min, .min + 1]
        for _ in 0..<5000 {
            let digits = Int(generator.next() % 19)
            var v = Int64(generator.next() % UInt64(pow(10, Double(digits)) + 1))
            if generator.next() % 2 == 0 { v = -v }
            if generator.next() % 3 == 0 { v = v / 1000 * 1000 }  // trailing zeros to trim
            values.append(v)
        }
        for v in values {
            for (scale, minimum) in [(6, 0), (2, 2), (10, 0)] {
                #expect(MoneyFormat.decimal(v, scaleDigits: scale, minFraction: minimum) == AmountText.reference(v, scaleDigits: scale, minFraction: minimum))
            }
        }
    }
}
