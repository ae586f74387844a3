import Foundation

/// A scope's reports in the output folder, as staff leave them: answered, open in Excel, WPS
/// or LibreOffice, saved after the run that wrote them. Says which workbooks hold answers a
/// run must read, and where the new report may go without replacing one that is open.
public struct ReportFolder: Sendable {
    public let folder: String
    public let scope: String

    public init(folder: String, scope: String) {
        self.folder = folder
        self.scope = scope
    }

    /// A report in the folder: `reconciliation-<scope>-<date>[-N].xlsx`.
    struct Report {
        let path: String
        let date: String
        let copy: Int
        let modified: Date
    }

    /// The date and copy number in a report's file name, for this scope and extension.
    func parse(name: String, extension ext: String) -> (date: String, copy: Int)? {
        let prefix = "reconciliation-\(scope)-"
        // A scope named "Inputs-2" is not "Inputs": the date must follow the prefix at once.
        guard name.hasPrefix(prefix),
              let m = name.dropFirst(prefix.count).wholeMatch(of: /(\d{4}-\d{2}-\d{2})(?:-(\d{1,4}))?\.([a-z]+)/),
              m.3 == ext else { return nil }
        return (String(m.1), m.2.flatMap { Int($0) } ?? 1)
    }

    /// The reports in the folder; only files (a folder at a report's name holds no answers,
    /// and the write will say it is in the way).
    func reports(extension ext: String = "xlsx") -> [Report] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.compactMap { name -> Report? in
            guard let (date, copy) = parse(name: name, extension: ext) else { return nil }
            let path = ScopeSources.joinPath(folder, name)
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  attributes[.type] as? FileAttributeType == .typeRegular else { return nil }
            return Report(path: path, date: date, copy: copy, modified: attributes[.modificationDate] as? Date ?? .distantPast)
        }
    }

    /// The workbooks whose answers a run about to write `target` must read, oldest save first
    /// (so the latest save of an answer holds): every workbook of the newest date and of the
    /// target's date (the one about to be replaced and any copy written beside it), and any
    /// other saved after the newest was written (yesterday's, answered after tonight's run).
    public func workbooksToRead(target: String) -> [String] {
        let all = reports()
        guard let newest = all.map(\.date).max() else { return [] }
        let targetDate = parse(name: target.lastPathPart.map(String.init) ?? target, extension: "xlsx")?.date
        let group = all.filter { $0.date == newest || $0.date == targetDate }
        let written = all.filter { $0.date == newest }.map(\.modified).min() ?? .distantPast
        let read = all.filter { r in group.contains { $0.path == r.path } || r.modified > written }
        return read.sorted { ($0.modified, $0.path) < ($1.modified, $1.path) }.map(\.path)
    }

    /// The lock file that says someone has `workbook` open, if there is one: Excel's and WPS's
    /// `~$name` (Excel drops the name's first two characters when it is long), LibreOffice's
    /// `.~lock.name#`.
    public static func openLock(of workbook: String) -> String? {
        let slash = workbook.lastIndex(of: "/")
        let dir = slash.map { String(workbook[...$0]) } ?? ""
        let name = slash.map { String(workbook[workbook.index(after: $0)...]) } ?? workbook
        let candidates = ["~$" + name, "~$" + name.dropFirst(2), ".~lock." + name + "#"].map { dir + $0 }
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Where tonight's report goes: `base` (without extension), or, while the workbook there is
    /// open, the first `base-N` whose workbook is not.
    public static func freeBase(_ base: String) -> (base: String, openLock: String?) {
        guard let lock = openLock(of: base + ".xlsx") else { return (base, nil) }
        var n = 2
        while openLock(of: "\(base)-\(n).xlsx") != nil { n += 1 }
        return ("\(base)-\(n)", lock)
    }

    /// Copies `base-N` written beside `base` while it was open. Once a run has read them and
    /// put their answers into `base`, they are removed, unless one is open again.
    public static func copies(of base: String) -> [String] {
        let slash = base.lastIndex(of: "/")
        let dir = slash.map { String(base[..<$0]) } ?? "."
        let name = slash.map { String(base[base.index(after: $0)...]) } ?? base
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { n in n.hasPrefix(name + "-") && n.dropFirst(name.count + 1).wholeMatch(of: /\d{1,4}\.(xlsx|json)/) != nil }
            .sorted().map { ScopeSources.joinPath(dir, $0) }
    }
}
