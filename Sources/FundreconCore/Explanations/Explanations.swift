/// What finance staff answered to a finding: whether it is dealt with (处理状态), why (说明),
/// who owns it (责任人) and when (日期). Kept against the finding's key, which survives rows
/// moving, and read from a CSV file (`--explanations`, `check --baseline`).
public struct Explanation: Sendable, Equatable {
    public let status: ExplanationStatus
    public let text: String
    public let owner: String
    /// As written: staff type dates in many forms, and this is their record, not a figure.
    public let date: String
    /// Where it was read.
    public let source: SourceRef
}

public enum ExplanationStatus: String, Sendable, CaseIterable {
    case open, explained, corrected, notApplicable = "not-applicable"

    /// The words a file may use: Chinese as the workbook's drop-down offers them, or English.
    public init?(text: String) {
        switch text.trimmingBlanks().lowercased() {
        case "待处理", "open": self = .open
        case "已说明", "explained": self = .explained
        case "已更正", "corrected": self = .corrected
        case "不适用", "not applicable", "not-applicable", "n/a": self = .notApplicable
        default: return nil
        }
    }

    public var chinese: String {
        switch self {
        case .open: return "待处理"
        case .explained: return "已说明"
        case .corrected: return "已更正"
        case .notApplicable: return "不适用"
        }
    }

    /// Explained or not applicable: the finding still shows everywhere, but no longer makes
    /// the run fail on its own (unless `--strict`). A correction waives nothing: the next run
    /// shows whether the data was put right.
    public var waivesFailure: Bool { self == .explained || self == .notApplicable }
}

/// The explanations of one file, by finding key, and the findings about the file itself.
public struct Explanations: Sendable {
    public private(set) var byKey: [String: Explanation] = [:]
    /// EX002 for rows that could not be used (no key, an unknown status, a key given twice).
    public private(set) var problems: [Finding] = []

    public init() {}

    /// Reads a CSV file of `key, status, explanation, owner, date` (Chinese headers 键 /
    /// 处理状态 / 说明 / 责任人 / 日期 also), in UTF-8 or GB18030 as any input.
    public static func read(csv path: String) throws(ExplanationFileError) -> Explanations {
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
        func column(_ names: [String]) -> Int? { header.firstIndex { cell in names.contains(cell) } }
        guard let key = column(["key", "键", "问题键"]) else {
            throw ExplanationFileError(path: path, reason: header.isEmpty ? "the file is empty" : "no key column (key / 键)")
        }
        let status = column(["status", "处理状态", "状态"]), text = column(["explanation", "说明"])
        let owner = column(["owner", "责任人"]), date = column(["date", "日期"])
        func value(_ i: Int?) -> String { i.map { reader.string($0).trimmingBlanks() } ?? "" }
        var out = Explanations()
        do throws(InputFileError) {
            while try reader.next() {
                out.take(key: value(key), status: value(status), text: value(text), owner: value(owner), date: value(date),
                         at: SourceRef(file: path, line: reader.line))
            }
        } catch {
            throw failed(error)
        }
        return out
    }

    /// Adds one row's explanation, or an EX002 saying why it is not used.
    mutating func take(key: String, status statusText: String, text: String, owner: String, date: String, at source: SourceRef) {
        guard !key.isEmpty else {
            if !(statusText + text + owner + date).isEmpty {
                problems.append(Finding(.EX002, Message(zh: "说明没有对应的问题键，未使用", en: "an explanation without a key is not used"), at: source))
            }
            return
        }
        let status = statusText.isEmpty ? ExplanationStatus.open : ExplanationStatus(text: statusText)
        guard let status else {
            problems.append(Finding(.EX002, Message(
                zh: "无法识别的处理状态“\(statusText)”（待处理/已说明/已更正/不适用），本行说明未使用",
                en: "unknown status \"\(statusText)\" (open, explained, corrected, not applicable); this explanation is not used"),
                at: source))
            return
        }
        if let first = byKey[key] {
            problems.append(Finding(.EX002, Message(
                zh: "问题键“\(key)”重复（第 \(first.source.line ?? 0) 行已有说明），本行未使用",
                en: "the key \"\(key)\" is explained twice (already on line \(first.source.line ?? 0)); this row is not used"),
                at: source, related: [first.source]))
            return
        }
        byKey[key] = Explanation(status: status, text: text, owner: owner, date: date, source: source)
    }

    /// Gives each finding the explanation of its key, and returns the EX findings: the rows
    /// that could not be used, and each explanation whose key matches no finding (EX001),
    /// which is listed, never dropped in silence.
    public func apply(to findings: inout [Finding]) -> [Finding] {
        var used = Set<String>()
        for i in findings.indices {
            let key = findings[i].identity
            guard let explanation = byKey[key] else { continue }
            findings[i].explanation = explanation
            used.insert(key)
        }
        let unused = byKey.filter { !used.contains($0.key) }.sorted { ($0.value.source.line ?? 0) < ($1.value.source.line ?? 0) }
        return problems + unused.map { key, e in
            Finding(.EX001, Message(
                zh: "说明（\(e.status.chinese)）对应的问题“\(key)”本次没有出现：可能已解决，或问题键写错了",
                en: "the explanation (\(e.status.rawValue)) is for \"\(key)\", which this run did not find: resolved, or a mistyped key"),
                at: e.source)
        }
    }
}

/// An explanations file that cannot be used at all.
public struct ExplanationFileError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}
