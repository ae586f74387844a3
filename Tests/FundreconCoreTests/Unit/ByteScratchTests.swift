import PropertyBased
import Testing
@testable import FundreconCore

/// `ByteScratch`, rewritten in place row after row, against a plain array rebuilt each time:
/// the same bytes after any sequence of clears and appends, short and long, and the same
/// answer to whether a row's bytes are the ones kept.
@Suite struct ByteScratchTests {
    enum Step { case clear, byte(UInt8), bytes([UInt8]) }

    static let step = Gen.oneOf(
        Gen.always(Step.clear),
        Gen<UInt8>.uint8().map { Step.byte($0) },
        Gen<UInt8>.uint8(in: 0...3).array(of: 0...70).map { Step.bytes($0) })

    @Test func keepsWhatAnArrayWouldKeep() async {
        await propertyCheck(count: 300, input: Self.step.array(of: 0...40), Gen<UInt8>.uint8(in: 0...3).array(of: 0...8)) { steps, probe in
            var scratch = ByteScratch()
            var oracle: [UInt8] = []
            for step in steps {
                switch step {
                case .clear:
                    scratch.removeAll()
                    oracle = []
                case .byte(let b):
                    scratch.append(b)
                    oracle.append(b)
                case .bytes(let bs):
                    bs.withUnsafeBufferPointer { scratch.append($0) }
                    oracle += bs
                }
                #expect(scratch.count == oracle.count)
                #expect(scratch.withBytes { Array($0) } == oracle)
            }
            #expect(oracle.withUnsafeBufferPointer { scratch.equals($0) })
            #expect(probe.withUnsafeBufferPointer { scratch.equals($0) } == (probe == oracle))
        }
    }
}
