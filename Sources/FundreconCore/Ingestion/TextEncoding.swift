#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The encodings a ledger CSV arrives in. Excel on Chinese Windows writes GB18030/GBK;
/// "CSV UTF-8" in Excel writes UTF-8 with a byte-order mark.
public enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "UTF-8"
    case utf8BOM = "UTF-8 (BOM)"
    case gb18030 = "GB18030"
}

/// What the user asked for on the command line (`--encoding`).
public enum EncodingChoice: String, Sendable, CaseIterable {
    case auto
    case utf8
    case gb18030
}

/// Byte replacing an undecodable sequence in the decoded stream. The row holding it is
/// rejected with IN002, so the value itself never reaches a sum.
let replacementByte: UInt8 = 0x3F  // "?"

enum UTF8Validator {
    /// Well-formed multi-byte sequences and malformed bytes in a chunk. GB18030 text almost
    /// never forms valid UTF-8 sequences, so many valid ones mean UTF-8 with a few bad bytes.
    static func census(_ p: UnsafePointer<UInt8>, count: Int, atEnd: Bool) -> (multiByte: Int, malformed: Int) {
        var i = 0, multi = 0, bad = 0
        while i < count {
            if p[i] < 0x80 { i += 1; continue }
            if let n = sequenceLength(p, at: i, count: count) {
                multi += 1; i += n
            } else {
                if !atEnd && count - i < 4 && isPlausiblePrefix(p + i, count: count - i) { break }
                bad += 1; i += 1
            }
        }
        return (multi, bad)
    }

    static func isAllASCII(_ p: UnsafePointer<UInt8>, count: Int) -> Bool {
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= count {
            if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            i += 8
        }
        while i < count {
            if p[i] >= 0x80 { return false }
            i += 1
        }
        return true
    }

    /// Length of the well-formed UTF-8 sequence at `i`, or nil when it is malformed or cut off.
    @inline(__always)
    static func sequenceLength(_ p: UnsafePointer<UInt8>, at i: Int, count: Int) -> Int? {
        let b0 = p[i]
        if b0 < 0x80 { return 1 }
        func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            i + k < count && p[i + k] >= lo && p[i + k] <= hi
        }
        switch b0 {
        case 0xC2...0xDF: return cont(1) ? 2 : nil
        case 0xE0: return cont(1, 0xA0) && cont(2) ? 3 : nil
        case 0xE1...0xEC, 0xEE...0xEF: return cont(1) && cont(2) ? 3 : nil
        case 0xED: return cont(1, 0x80, 0x9F) && cont(2) ? 3 : nil
        case 0xF0: return cont(1, 0x90) && cont(2) && cont(3) ? 4 : nil
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : nil
        case 0xF4: return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : nil
        default: return nil
        }
    }

    /// True when `count` bytes could be the beginning of a longer valid sequence.
    private static func isPlausiblePrefix(_ p: UnsafePointer<UInt8>, count: Int) -> Bool {
        guard count > 0, p[0] >= 0xC2, p[0] <= 0xF4 else { return false }
        let need = p[0] >= 0xF0 ? 4 : (p[0] >= 0xE0 ? 3 : 2)
        guard count < need else { return false }
        for k in 1..<count where p[k] & 0xC0 != 0x80 { return false }
        return true
    }

    /// Checks `count` bytes where they lie, replacing each malformed byte by `replacementByte`
    /// and recording its offset (plus `outBase`). Returns how many bytes it checked: an
    /// incomplete sequence at the end is left for the next chunk unless `atEnd`.
    static func validateInPlace(
        _ p: UnsafeMutablePointer<UInt8>, count: Int, atEnd: Bool, outBase: Int, badOffsets: inout [Int]
    ) -> Int {
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i < count {
            // ASCII is passed over 8 bytes at a time, up to the first byte with its high bit set.
            while i + 8 <= count {
                let high = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080
                if high != 0 { i += high.trailingZeroBitCount >> 3; break }
                i += 8
            }
            guard i < count else { break }
            if p[i] < 0x80 { i += 1; continue }
            if let n = sequenceLength(UnsafePointer(p), at: i, count: count) { i += n; continue }
            let remaining = count - i
            if !atEnd && remaining < 4 && isPlausiblePrefix(UnsafePointer(p + i), count: remaining) { break }
            badOffsets.append(outBase + i)
            p[i] = replacementByte
            i += 1
        }
        return i
    }
}

/// GB18030 → UTF-8 through glibc's iconv (about 140 MB/s here, see NOTES.md).
final class GB18030Decoder {
    private let cd: iconv_t

    init?() {
        guard let handle = iconv_open("UTF-8", "GB18030"), handle != iconv_t(bitPattern: -1) else { return nil }
        cd = handle
    }

    deinit { iconv_close(cd) }

    /// Converts as much of `input` as possible into `out` (which must hold 2 × count + 4 bytes).
    /// Undecodable bytes become `replacementByte` and are recorded. An incomplete sequence at
    /// the end is left unconsumed unless `atEnd`.
    func convert(
        _ input: UnsafePointer<UInt8>, count: Int, atEnd: Bool,
        to out: UnsafeMutablePointer<UInt8>, outBase: Int, badOffsets: inout [Int]
    ) -> (consumed: Int, written: Int) {
        var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(mutating: input).assumingMemoryBound(to: CChar.self)
        var inLeft = count
        var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(out).assumingMemoryBound(to: CChar.self)
        let outCapacity = 2 * count + 4
        var outLeft = outCapacity
        while inLeft > 0 {
            let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
            if r != -1 { break }
            let err = errno
            if err == EILSEQ || (err == EINVAL && atEnd) {
                badOffsets.append(outBase + (outCapacity - outLeft))
                outPtr?.pointee = CChar(bitPattern: replacementByte)
                outPtr = outPtr?.advanced(by: 1)
                outLeft -= 1
                inPtr = inPtr?.advanced(by: 1)
                inLeft -= 1
                _ = iconv(cd, nil, nil, nil, nil)  // reset the shift state after an error
                continue
            }
            break  // EINVAL before the end: keep the cut sequence for the next chunk
        }
        return (count - inLeft, outCapacity - outLeft)
    }

    /// True when every byte decodes (an incomplete tail is allowed unless `atEnd`).
    /// How many bytes of `input` do not decode as GB18030 (the decoder is left as new).
    func errors(_ input: UnsafePointer<UInt8>, count: Int, atEnd: Bool) -> Int {
        let out = UnsafeMutablePointer<UInt8>.allocate(capacity: 2 * count + 4)
        defer { out.deallocate() }
        var bad: [Int] = []
        _ = convert(input, count: count, atEnd: atEnd, to: out, outBase: 0, badOffsets: &bad)
        _ = iconv(cd, nil, nil, nil, nil)
        return bad.count
    }
}
