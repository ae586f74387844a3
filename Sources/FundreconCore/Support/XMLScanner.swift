/// The smallest XML reader a workbook's parts need: elements, attributes, text, the five
/// named entities and character references, comments, CDATA and processing instructions.
/// No DTDs and no namespaces beyond dropping an element's prefix (`x:row` is `row`), which is
/// all that SpreadsheetML as Excel, WPS and LibreOffice save it uses. Tags must nest: a
/// truncated or garbled part is an error, never a shorter document.
struct XMLScanner {
    enum Kind { case open, close, text }

    /// One event; its name and text are byte ranges of the document, read on demand.
    struct Event {
        var kind: Kind
        /// The local name (prefix dropped), for open and close.
        var name: Range<Int> = 0..<0
        /// The attributes' bytes, for open.
        var attributes: Range<Int> = 0..<0
        /// The raw text, for text events (CDATA already without its markers).
        var text: Range<Int> = 0..<0
        var selfClosing = false
        var isCDATA = false
    }

    struct Failure: Error, Sendable, CustomStringConvertible {
        let offset: Int
        let reason: String
        var description: String { "malformed XML at byte \(offset): \(reason)" }
    }

    let bytes: [UInt8]
    private var i = 0
    /// Open elements, by a fingerprint of their local names, to check that each close matches.
    /// Fingerprints, not byte ranges: a document read in pieces carries them from one to the next.
    private(set) var open: [UInt64] = []
    /// The close event a self-closing tag owes.
    private var pendingClose: Range<Int>?
    /// A piece of a document cut between elements: elements may be left open at its end.
    private let isPiece: Bool

    /// - Parameters:
    ///   - open: the elements left open by the previous piece, when this is a later piece.
    ///   - isPiece: more of the document follows.
    init(_ bytes: [UInt8], open: [UInt64] = [], isPiece: Bool = false) {
        self.bytes = bytes
        self.open = open
        self.isPiece = isPiece
        // A byte-order mark is not part of the document.
        if open.isEmpty && bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
    }

    /// FNV-1a of the name, its length in the top byte.
    private func fingerprint(_ r: Range<Int>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for k in r { h = (h ^ UInt64(bytes[k])) &* 0x100_0000_01b3 }
        return h ^ (UInt64(truncatingIfNeeded: r.count) << 56)
    }

    var depth: Int { open.count }

    /// The next event, or nil at the end of a document whose tags all closed.
    mutating func next() throws(Failure) -> Event? {
        if let name = pendingClose {
            pendingClose = nil
            return Event(kind: .close, name: name)
        }
        while i < bytes.count {
            if bytes[i] != UInt8(ascii: "<") {
                let start = i
                while i < bytes.count && bytes[i] != UInt8(ascii: "<") { i += 1 }
                // Text outside the root (line breaks after the declaration) is not content.
                if open.isEmpty { continue }
                return Event(kind: .text, text: start..<i)
            }
            if matches("<!--", at: i) {
                i = try end(of: "-->", from: i + 4)
                continue
            }
            if matches("<![CDATA[", at: i) {
                let start = i + 9
                let after = try end(of: "]]>", from: start)
                i = after
                return Event(kind: .text, text: start..<(after - 3), isCDATA: true)
            }
            if matches("<?", at: i) {
                i = try end(of: "?>", from: i + 2)
                continue
            }
            if matches("<!", at: i) {
                throw Failure(offset: i, reason: "document type declarations are not read")
            }
            if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "/") {
                let nameStart = i + 2
                var j = nameStart
                while j < bytes.count && !isSpace(bytes[j]) && bytes[j] != UInt8(ascii: ">") { j += 1 }
                let name = localName(nameStart..<j)
                while j < bytes.count && isSpace(bytes[j]) { j += 1 }
                guard j < bytes.count && bytes[j] == UInt8(ascii: ">") else { throw Failure(offset: i, reason: "unterminated end tag") }
                guard let top = open.popLast(), top == fingerprint(name) else {
                    throw Failure(offset: i, reason: "an end tag that closes no open element")
                }
                i = j + 1
                return Event(kind: .close, name: name)
            }
            return try openTag()
        }
        if !open.isEmpty && !isPiece { throw Failure(offset: i, reason: "the document ends inside an element") }
        return nil
    }

    private mutating func openTag() throws(Failure) -> Event {
        let nameStart = i + 1
        var j = nameStart
        while j < bytes.count && !isSpace(bytes[j]) && bytes[j] != UInt8(ascii: ">") && bytes[j] != UInt8(ascii: "/") { j += 1 }
        guard j > nameStart else { throw Failure(offset: i, reason: "a tag without a name") }
        let name = localName(nameStart..<j)
        let attributesStart = j
        // Quotes may hold '>' and '/': step over quoted values.
        var quote: UInt8?
        while j < bytes.count {
            let b = bytes[j]
            if let q = quote {
                if b == q { quote = nil }
            } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                quote = b
            } else if b == UInt8(ascii: ">") {
                break
            }
            j += 1
        }
        guard j < bytes.count else { throw Failure(offset: i, reason: "unterminated start tag") }
        let selfClosing = bytes[j - 1] == UInt8(ascii: "/")
        let attributes = attributesStart..<(selfClosing ? j - 1 : j)
        i = j + 1
        if selfClosing {
            pendingClose = name
        } else {
            open.append(fingerprint(name))
        }
        return Event(kind: .open, name: name, attributes: attributes, selfClosing: selfClosing)
    }

    // MARK: Reading an event

    func nameIs(_ event: Event, _ name: StaticString) -> Bool { equal(event.name, name) }

    /// The unescaped value of the attribute whose local name is `name`.
    func attribute(_ event: Event, _ name: StaticString) throws(Failure) -> String? {
        try attributeRange(event, name).map { r throws(Failure) in try unescape(r) }
    }

    /// Where the value of the attribute whose local name is `name` lies, still escaped: for
    /// values read as bytes, such as a cell's reference, without making a string.
    func attributeRange(_ event: Event, _ name: StaticString) throws(Failure) -> Range<Int>? {
        var j = event.attributes.lowerBound
        let end = event.attributes.upperBound
        while j < end {
            while j < end && isSpace(bytes[j]) { j += 1 }
            let keyStart = j
            while j < end && bytes[j] != UInt8(ascii: "=") && !isSpace(bytes[j]) { j += 1 }
            let key = localName(keyStart..<j)
            while j < end && (isSpace(bytes[j]) || bytes[j] == UInt8(ascii: "=")) { j += 1 }
            guard j < end, bytes[j] == UInt8(ascii: "\"") || bytes[j] == UInt8(ascii: "'") else {
                if keyStart == j { return nil }
                throw Failure(offset: keyStart, reason: "an attribute without a quoted value")
            }
            let q = bytes[j]
            let valueStart = j + 1
            j = valueStart
            while j < end && bytes[j] != q { j += 1 }
            guard j < end else { throw Failure(offset: keyStart, reason: "an unterminated attribute value") }
            if equal(key, name) { return valueStart..<j }
            j += 1
        }
        return nil
    }

    /// A text event's characters, entities and character references resolved.
    func text(_ event: Event) throws(Failure) -> String {
        event.isCDATA ? String(decoding: bytes[event.text], as: UTF8.self) : try unescape(event.text)
    }

    func unescape(_ range: Range<Int>) throws(Failure) -> String {
        guard bytes[range].contains(UInt8(ascii: "&")) else { return String(decoding: bytes[range], as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var j = range.lowerBound
        while j < range.upperBound {
            let b = bytes[j]
            guard b == UInt8(ascii: "&") else {
                out.append(b)
                j += 1
                continue
            }
            guard let semicolon = bytes[j..<range.upperBound].firstIndex(of: UInt8(ascii: ";")), semicolon - j <= 10 else {
                throw Failure(offset: j, reason: "an unterminated entity")
            }
            let entity = String(decoding: bytes[(j + 1)..<semicolon], as: UTF8.self)
            switch entity {
            case "lt": out.append(UInt8(ascii: "<"))
            case "gt": out.append(UInt8(ascii: ">"))
            case "amp": out.append(UInt8(ascii: "&"))
            case "quot": out.append(UInt8(ascii: "\""))
            case "apos": out.append(UInt8(ascii: "'"))
            default:
                let hex = entity.hasPrefix("#x") || entity.hasPrefix("#X")
                guard entity.hasPrefix("#"), let value = UInt32(entity.dropFirst(hex ? 2 : 1), radix: hex ? 16 : 10),
                      let scalar = Unicode.Scalar(value) else {
                    throw Failure(offset: j, reason: "an unknown entity &\(entity);")
                }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            }
            j = semicolon + 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: Bytes

    private func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    /// The part of a qualified name after its prefix.
    private func localName(_ r: Range<Int>) -> Range<Int> {
        guard let colon = bytes[r].lastIndex(of: UInt8(ascii: ":")) else { return r }
        return (colon + 1)..<r.upperBound
    }

    private func equal(_ r: Range<Int>, _ s: StaticString) -> Bool {
        guard r.count == s.utf8CodeUnitCount else { return false }
        return s.withUTF8Buffer { literal in
            for k in 0..<literal.count where bytes[r.lowerBound + k] != literal[k] { return false }
            return true
        }
    }

    private func matches(_ s: StaticString, at j: Int) -> Bool {
        j + s.utf8CodeUnitCount <= bytes.count && equal(j..<(j + s.utf8CodeUnitCount), s)
    }

    /// The offset just past the next `terminator` from `j`.
    private func end(of terminator: StaticString, from j: Int) throws(Failure) -> Int {
        var k = j
        while k + terminator.utf8CodeUnitCount <= bytes.count {
            if matches(terminator, at: k) { return k + terminator.utf8CodeUnitCount }
            k += 1
        }
        throw Failure(offset: j, reason: "unterminated \(terminator)")
    }
}
