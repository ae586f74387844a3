import Testing
@testable import FundreconCore

@Suite struct Fingerprints {
    static func digest(_ bytes: [UInt8], software: Bool, pieces: Int = 1) -> String {
        var h = SHA256(software: software)
        let size = max(1, bytes.count / pieces)
        var start = 0
        while start < bytes.count {
            h.update(Array(bytes[start..<min(bytes.count, start + size)]))
            start += size
        }
        return h.hex()
    }

    @Test func knownVectorsFromFIPS180() {
        for software in [true, false] {
            #expect(Fingerprints.digest(Array("abc".utf8), software: software)
                    == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
            #expect(Fingerprints.digest([], software: software)
                    == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        }
    }

    @Test func systemLibraryAndPortableCodeAgreeOnAnyInputAndSplit() {
        var seed: UInt64 = 0x2021
        for length in [1, 55, 56, 63, 64, 65, 1000, 100_003] {
            let bytes = (0..<length).map { _ -> UInt8 in
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                return UInt8(truncatingIfNeeded: seed >> 33)
            }
            let portable = Fingerprints.digest(bytes, software: true)
            #expect(Fingerprints.digest(bytes, software: false, pieces: 7) == portable, "\(length) bytes")
            #expect(Fingerprints.digest(bytes, software: true, pieces: 3) == portable, "\(length) bytes")
        }
    }

    @Test func theSystemLibraryIsUsedWhereItExists() {
        // libxlsxwriter needs libcrypto.so.3, so wherever fundrecon builds the fast path is there.
        #expect(SHA256().usesSystemLibrary)
    }
}
