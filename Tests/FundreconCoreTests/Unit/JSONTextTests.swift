import Foundation
import PropertyBased
import Testing
@testable import FundreconCore

/// JSON is written as bytes; the way it was written before (Strings escaped a scalar at a
/// time, numbers by `String(_:)`) is the reference, and JSONSerialization reads it back.
@Suite struct JSONTextBytes {
    static func referenceQuote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    /// Quotes, backslashes, every control character, Chinese, an emoji and plain text.
    static let pieces: [String] = ["\"", "\\", "\n", "\r", "\t", "\u{7F}", "引号", "😀", "abc", " ", "「」", "/"]
        + (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }

    @Test func stringsAreEscapedAsBefore() async {
        let gen = Gen.element(of: JSONTextBytes.pieces).map { $0 ?? "" }.array(of: 0...12).map { $0.joined() }
        await propertyCheck(count: 500, input: gen) { text in
            #expect(JSONText.quote(text) == JSONTextBytes.referenceQuote(text))
            let decoded = try? JSONSerialization.jsonObject(with: Data(("[" + JSONText.quote(text) + "]").utf8)) as? [String]
            #expect(decoded == [text])
        }
    }

    @Test func integersAreWrittenAsBefore() {
        var values: [Int64] = [0, 1, -1, 9, 10, -10, 99, 100, 1_000_000, .max, .min, .min + 1, .max - 1]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 { values.append(Int64(bitPattern: generator.next()) >> Int64(generator.next() % 63)) }
        for v in values {
            var bytes: [UInt8] = []
            JSONText.appendDecimal(v, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == String(v))
        }
    }

    @Test func objectsKeepTheirKeysInOrderWithNullsAndNestedRows() {
        var o = JSONObjectWriter()
        o.add("code", "IN003")
        o.add("line", 12 as Int?)
        o.add("column", nil as Int?)
        o.add("file", nil as String?)
        o.addObjects("rows", [("a.csv", 3), ("b \"x\".csv", 4)]) { r, row in
            row.add("file", r.0)
            row.add("line", r.1 as Int?)
        }
        o.addObjects("none", [Int]()) { _, _ in }
        o.addRaw("raw", "[1,2]")
        o.add("amount_fen", Int64(-1_050) as Int64?)
        #expect(o.finish() == #"{"code":"IN003","line":12,"column":null,"file":null,"rows":[{"file":"a.csv","line":3},{"file":"b \"x\".csv","line":4}],"none":[],"raw":[1,2],"amount_fen":-1050}"#)
        #expect(JSONObjectWriter().finish() == "{}")
    }
}
