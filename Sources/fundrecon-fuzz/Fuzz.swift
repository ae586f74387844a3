// Fuzz targets over the code that reads what users send: the CSV tokenizer, the value
// parsers, the header mapper, the reader of an earlier report and the reader of a
// workbook's sheets that staff answered in. Built by `scripts/fuzz`
// with libFuzzer and AddressSanitizer (-D FUZZING); built as usual, the same executable
// replays saved inputs (`fundrecon-fuzz TARGET FILE…`), which is how every crash found
// stays a regression test (Tests/Fuzz/<target>/, run by FuzzRegressionTests).
import FundreconCore

enum FuzzTarget: String, CaseIterable {
    case tokenizer, values, header, report, sheet

    func run(_ input: UnsafeBufferPointer<UInt8>) {
        switch self {
        case .tokenizer: Self.tokenize(input)
        case .values: Self.parseValues(input)
        case .header: Self.mapHeader(input)
        case .report: _ = ChangeDetector.Report.read(input)
        case .sheet: Self.readSheet(input)
        }
    }

    /// Splits the input into records, with the vectorised split and without, and with a small
    /// record limit (to reach long records and runaway quotes): both splits agree, every
    /// record moves on, and every field lies inside its record.
    static func tokenize(_ input: UnsafeBufferPointer<UInt8>) {
        guard let p = input.baseAddress else { return }
        var outcomes: [[CSVTokenizer.Outcome]] = []
        for fast in [true, false] {
            var tokenizer = CSVTokenizer(maxRecordBytes: 64)
            tokenizer.splitsUnquotedFast = fast
            let fields = FieldList()
            var seen: [CSVTokenizer.Outcome] = []
            var pos = 0
            while pos < input.count {
                let outcome = tokenizer.readRecord(p, from: pos, end: input.count, atEnd: true, into: fields)
                let next: Int
                switch outcome {
                case .needMore: fatalError("needMore with the whole input at hand, at \(pos)")
                case .record(let n, _, _), .unterminatedQuote(let n, _): next = n
                }
                precondition(next > pos && next <= input.count, "no progress at \(pos): \(next)")
                for i in 0..<fields.count {
                    let f = fields[i]
                    precondition(f.start >= pos && f.start <= f.end && f.end <= next, "field \(i) outside its record")
                }
                seen.append(outcome)
                pos = next
            }
            outcomes.append(seen)
        }
        precondition(outcomes[0] == outcomes[1], "the vectorised split and the plain one disagree")
    }

    /// Amounts, dates and unit words: any text parses or fails, never traps, and what parses
    /// reads back the same from its own formatting.
    static func parseValues(_ input: UnsafeBufferPointer<UInt8>) {
        let text = String(decoding: input, as: UTF8.self)
        for unit in AmountUnit.allCases {
            if case .success(let fen) = ValueParsers.parseAmount(input, unit: unit) {
                let again = ValueParsers.parseAmount(MoneyFormat.inUnit(fen, unit), unit: unit)
                precondition(again == .success(fen), "\(text.debugDescription) → \(fen) does not read back")
            }
        }
        if case .success(let day) = ValueParsers.parseDate(input) {
            precondition(ValueParsers.parseDate(day.description) == .success(day), "\(text.debugDescription) → \(day) does not read back")
        }
        _ = AmountUnit(word: text)
        _ = ValueParsers.normalizeDocument(text)
    }

    /// A sheet's XML read whole and read in small pieces from small chunks: never traps, and
    /// when both read it, they read the same rows. (A piece may fail where the whole does not:
    /// a comment or CDATA holding `</row>` is cut there, which no spreadsheet program writes.)
    static func readSheet(_ input: UnsafeBufferPointer<UInt8>) {
        let file = SpreadsheetFile()
        let bytes = Array(input)
        let whole = try? file.rows(sheetXML: bytes, chunk: bytes.count, pieceSize: .max)
        let pieces = try? file.rows(sheetXML: bytes, chunk: 7, pieceSize: 16)
        if let whole, let pieces {
            precondition(whole.map(\.row) == pieces.map(\.row) && whole.map(\.cells) == pieces.map(\.cells), "whole and pieces disagree")
        }
    }

    /// Header cells (the input cut at commas): every column found lies inside the header, for
    /// each kind of file.
    static func mapHeader(_ input: UnsafeBufferPointer<UInt8>) {
        let cells = String(decoding: input, as: UTF8.self).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        for file in InputFile.allCases {
            let header = HeaderMap(cells: cells, file: file)
            for spec in file.columns {
                if let i = header.index(of: spec.column) { precondition(i >= 0 && i < cells.count, "column outside the header") }
            }
        }
    }
}

#if FUZZING
import Foundation

private let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["FUNDRECON_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        fatalError("FUNDRECON_FUZZ_TARGET must be one of \(FuzzTarget.allCases.map(\.rawValue))")
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    target.run(UnsafeBufferPointer(start: data, count: size))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzer(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
               _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// SwiftPM makes an executable's `main` this module's entry point: it hands over to libFuzzer.
@_cdecl("fundrecon_fuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzer(&count, &arguments, fuzzOne)
}
#else
import Foundation

@main
enum Replay {
    /// `fundrecon-fuzz TARGET FILE…`: runs each file through the target; exit 0 when none traps.
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("usage: fundrecon-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) FILE…\n".utf8))
            exit(2)
        }
        for path in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("fundrecon-fuzz: cannot read \(path)\n".utf8))
                exit(2)
            }
            data.withUnsafeBytes { target.run($0.bindMemory(to: UInt8.self)) }
        }
    }
}
#endif
