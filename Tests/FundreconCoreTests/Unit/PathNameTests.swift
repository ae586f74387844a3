import PropertyBased
import Testing
@testable import FundreconCore

/// `lastPathPart` against the standard library's split, which it stands in for on the
/// findings' path: the same part for any path, slashes doubled, trailing or alone.
@Suite struct PathNameTests {
    static let pieces = ["/", "/", "a", "b.csv", "中", "\u{301}", "e\u{301}", " "]
    static let path = Gen.element(of: pieces).map { $0 ?? "/" }.array(of: 0...12).map { $0.joined() }

    @Test func theLastPartIsWhatSplittingGives() async {
        await propertyCheck(count: 500, input: Self.path) { path in
            #expect(path.lastPathPart == path.split(separator: "/").last, "\(Array(path.unicodeScalars))")
        }
    }

    @Test func namedCases() {
        #expect("Inputs/transfers.csv".lastPathPart == "transfers.csv")
        #expect("receipts-县.csv".lastPathPart == "receipts-县.csv")
        #expect("a//b//".lastPathPart == "b")
        #expect("/".lastPathPart == nil)
        #expect("".lastPathPart == nil)
        // A combining mark after a slash makes one character that is not a slash.
        #expect("a/\u{301}b".lastPathPart == "a/\u{301}b")
    }
}
