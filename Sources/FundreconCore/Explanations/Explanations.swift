/// What finance staff answered to a finding or an edge: whether it is dealt with (处理状态),
/// why (情况说明), who owns it (责任人) and when (日期). Kept against the finding's key, which
/// survives rows moving, and read from the workbooks staff answered in or from a CSV file
/// (`--explanations`, `check --baseline`).
public struct Explanation: Sendable, Equatable {
    public internal(set) var status: ExplanationStatus
    public let text: String
    public let owner: String
    /// As written: staff type dates in many forms, and this is their record, not a figure.
    public let date: String
    /// Where it was read.
    public let source: SourceRef
    /// The finding's figure on the row it was answered on: a later change asks for review.
    public var basis: Figure?
    /// Set when the figure moved since: the answer shows 需复核 with both figures.
    public var review: FigureChange?
    /// What the row was about (its code and message, or its edge), as the workbook showed it:
    /// kept with an answer whose finding is gone, so the 变化 sheet can still say what it was.
    public var code = ""
    public var about = ""

    public init(status: ExplanationStatus, text: String, owner: String, date: String, source: SourceRef, basis: Figure? = nil) {
        self.status = status
        self.text = text
        self.owner = owner
        self.date = date
        self.source = source
        self.basis = basis
    }

    /// Staff wrote something in it: a row with only 待处理 and nothing else is no answer.
    public var isAnswer: Bool { status != .open || !text.isEmpty || !owner.isEmpty || !date.isEmpty }
}

/// The figure an answer was given against: a finding's amount, or an edge's variance and days
/// late. Written into a hidden column as `amount/days` in 分 and days (either may be empty),
/// and, on a row waiting for review, `now<before`.
public struct Figure: Sendable, Equatable {
    public var amount: Fen?
    public var days: Int?

    public init(amount: Fen?, days: Int? = nil) {
        self.amount = amount
        self.days = days
    }

    public var text: String { "\(amount.map(String.init) ?? "")/\(days.map(String.init) ?? "")" }

    public init?(text: String) {
        let parts = text.trimmingBlanks().split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        amount = parts[0].isEmpty ? nil : Fen(parts[0])
        days = parts[1].isEmpty ? nil : Int(parts[1])
        if !parts[0].isEmpty && amount == nil || !parts[1].isEmpty && days == nil { return nil }
    }

    /// The hidden column's text: the row's figure, and for a row waiting for review, the
    /// figure it was answered against.
    static func column(now: Figure, before: Figure?) -> String { before.map { "\(now.text)<\($0.text)" } ?? now.text }

    /// Reads the hidden column back: the row's figure and, if the row waited for review, the
    /// one it was answered against.
    static func parseColumn(_ text: String) -> (now: Figure?, before: Figure?) {
        let halves = text.split(separator: "<", maxSplits: 1, omittingEmptySubsequences: false)
        return (halves.first.flatMap { Figure(text: String($0)) }, halves.count > 1 ? Figure(text: String(halves[1])) : nil)
    }
}

/// An answer's figure then and now.
public struct FigureChange: Sendable, Equatable {
    public let before: Figure
    public let after: Figure
}

public enum ExplanationStatus: String, Sendable, CaseIterable {
    case open, explained, corrected, notApplicable = "not-applicable"
    /// Set by a run, never chosen: the finding's figure changed since it was answered.
    case review

    /// The words a file may use: Chinese as the workbook's drop-down offers them, or English.
    public init?(text: String) {
        switch text.trimmingBlanks().lowercased() {
        case "待处理", "open": self = .open
        case "已说明", "explained": self = .explained
        case "已更正", "corrected": self = .corrected
        case "不适用", "not applicable", "not-applicable", "n/a": self = .notApplicable
        case "需复核", "review": self = .review
        default: return nil
        }
    }

    public var chinese: String {
        switch self {
        case .open: return "待处理"
        case .explained: return "已说明"
        case .corrected: return "已更正"
        case .notApplicable: return "不适用"
        case .review: return "需复核"
        }
    }

    /// Explained or not applicable: the finding still shows everywhere, but no longer makes
    /// the run fail on its own (unless `--strict`). A correction waives nothing: the next run
    /// shows whether the data was put right.
    public var waivesFailure: Bool { self == .explained || self == .notApplicable }

    /// As the workbook's drop-down shows it.
    public func label(_ language: Language) -> String {
        guard language == .en else { return chinese }
        switch self {
        case .open: return "Open"
        case .explained: return "Explained"
        case .corrected: return "Corrected"
        case .notApplicable: return "Not applicable"
        case .review: return "Review"
        }
    }
}

/// One row of answers as a file holds it, before it is checked.
struct AnswerRow {
    var key = "", status = "", text = "", owner = "", date = "", figure = ""
    var code = "", about = ""
    var source: SourceRef
}

/// The explanations of one or more files, by finding key, and the findings about the files.
public struct Explanations: Sendable {
    public private(set) var byKey: [String: Explanation] = [:]
    /// EX002 for rows that could not be used (no key, an unknown status, a key answered twice).
    public private(set) var problems: [Finding] = []
    /// Keys read from an earlier report: their findings existed, so an answer whose finding is
    /// gone is kept as resolved, not reported as a mistyped key.
    public private(set) var fromReports: Set<String> = []

    public init() {}

    public var isEmpty: Bool { byKey.isEmpty && problems.isEmpty }

    /// Reads a CSV file of `key, status, explanation, owner, date` (Chinese headers 键 /
    /// 处理状态 / 说明 / 责任人 / 日期 also, and the `figure` that `explanations export`
    /// writes), in UTF-8 or GB18030 as any input. With a `scope` column, only the rows of
    /// `scope` are read.
    public static func read(csv path: String, scope: String? = nil) throws(ExplanationFileError) -> Explanations {
        let reader: CSVReader
        do {
            reader = try CSVReader(path: path, encoding: .auto)
        } catch {
            throw ExplanationFileError(path: path, reason: error.reason)
        }
        func failed(_ error: InputFileError) -> ExplanationFileError {
            ExplanationFileError(path: path, reason: "cannot read at byte \(error.offset ?? 0): \(error.reason)")
        }
        var header: [String] = []
        do throws(InputFileError) {
            if try reader.next() { header = (0..<reader.fieldCount).map { reader.string($0).trimmingBlanks().lowercased() } }
        } catch {
            throw failed(error)
        }
        let columns = AnswerColumnNames(header)
        guard let key = columns.key else {
            throw ExplanationFileError(path: path, reason: header.isEmpty ? "the file is empty" : "no key column (key / 键)")
        }
        let scopeColumn = header.firstIndex { $0 == "scope" || $0 == "范围" }
        func value(_ i: Int?) -> String { i.map { reader.string($0).trimmingBlanks() } ?? "" }
        var out = Explanations()
        do throws(InputFileError) {
            while try reader.next() {
                if let scope, scopeColumn != nil, value(scopeColumn) != scope { continue }
                out.take(AnswerRow(key: value(key), status: value(columns.status), text: value(columns.text), owner: value(columns.owner),
                                   date: value(columns.date), figure: value(columns.figure), source: SourceRef(file: path, line: reader.line)))
            }
        } catch {
            throw failed(error)
        }
        return out
    }

    /// Adds one row's explanation, or an EX002 saying why it is not used.
    mutating func take(_ row: AnswerRow, fromReport: Bool = false) {
        let source = row.source
        guard !row.key.isEmpty else {
            if !(row.status + row.text + row.owner + row.date).isEmpty {
                problems.append(Finding(.EX002, Message(zh: "说明没有对应的问题键，未使用", en: "an explanation without a key is not used"), at: source))
            }
            return
        }
        let status = row.status.isEmpty ? ExplanationStatus.open : ExplanationStatus(text: row.status)
        guard let status else {
            problems.append(Finding(.EX002, Message(
                zh: "无法识别的处理状态“\(row.status)”（待处理/已说明/已更正/不适用），本行说明未使用",
                en: "unknown status \"\(row.status)\" (open, explained, corrected, not applicable); this explanation is not used"),
                at: source))
            return
        }
        // A row waiting for review keeps the figure it was answered against; any other row
        // was answered against the figure it showed.
        let figures = Figure.parseColumn(row.figure)
        var explanation = Explanation(status: status, text: row.text, owner: row.owner, date: row.date, source: source,
                                      basis: status == .review ? figures.before ?? figures.now : figures.now)
        explanation.code = row.code
        explanation.about = row.about
        guard explanation.isAnswer else { return }
        if let first = byKey[row.key] {
            // One finding can show on several rows (two duplicates on one edge): the same answer twice is one.
            if first.sameAnswer(as: explanation) { return }
            problems.append(Finding(.EX002, Message(
                zh: "问题键“\(row.key)”重复（\(first.source.shortPlace) 已有不同的说明），本行未使用",
                en: "the key \"\(row.key)\" is answered twice (differently at \(first.source.shortPlace)); this row is not used"),
                at: source, related: [first.source]))
            return
        }
        byKey[row.key] = explanation
        if fromReport { fromReports.insert(row.key) }
    }

    /// Adds the answers of a file saved later: where both answer a key, the later one holds.
    public mutating func merge(later: Explanations) {
        for (key, e) in later.byKey { byKey[key] = e }
        fromReports.formUnion(later.fromReports)
        problems += later.problems
    }
}

extension Explanation {
    func sameAnswer(as other: Explanation) -> Bool {
        status == other.status && text == other.text && owner == other.owner && date == other.date
    }
}

extension SourceRef {
    /// `name.csv:12`, or for a workbook `name.xlsx [异常清单]:12`: where a person finds the row.
    var shortPlace: String {
        let name = file.lastPathPart.map(String.init) ?? file
        return line.map { "\(name):\($0)" } ?? name
    }
}

/// Where the answer columns are in a header row, by the names the workbook and the CSV use.
struct AnswerColumnNames {
    var key: Int?, status: Int?, text: Int?, owner: Int?, date: Int?, figure: Int?

    init(_ header: [String]) {
        let cells = header.map { $0.trimmingBlanks().lowercased() }
        // In name order: the findings sheet's message column is also called 说明.
        func column(_ names: [String]) -> Int? { names.lazy.compactMap { name in cells.firstIndex(of: name) }.first }
        key = column(["key", "键", "问题键"])
        status = column(["status", "处理状态"])
        text = column(["情况说明", "explanation", "说明"])
        owner = column(["owner", "责任人"])
        date = column(["date", "日期"])
        figure = column(["figure", "说明时数值", "figure when answered"])
    }
}

/// An explanations file that cannot be used at all.
public struct ExplanationFileError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}
