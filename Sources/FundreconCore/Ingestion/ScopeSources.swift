import Foundation

/// Where each input file of a scope is read from.
public struct ScopeSources: Sendable {
    public var paths: [InputFile: String]
    /// Files whose absence is an IN001 finding (a whole input folder); naming single files
    /// on the command line checks only those.
    public var expectsAllRequired: Bool
    /// Further parts of receipts.csv (`receipts-*.csv`: receivers' books in files of their
    /// own), read after `paths[.receipts]`, their rows one book with its rows.
    public var moreReceipts: [String] = []

    public init(paths: [InputFile: String], expectsAllRequired: Bool, moreReceipts: [String] = []) {
        self.paths = paths
        self.expectsAllRequired = expectsAllRequired
        self.moreReceipts = moreReceipts
    }

    /// The paths a kind of file is read from: one, or for receipts one per part.
    public func parts(_ file: InputFile) -> [String] {
        (paths[file].map { [$0] } ?? []) + (file == .receipts ? moreReceipts : [])
    }

    /// Every path, in the order findings are listed: the files in the spec's order, a
    /// kind's parts together.
    public var orderedPaths: [String] { InputFile.allCases.flatMap(parts) }

    /// Every file of the spec in one folder; receipts.csv and the folder's receipts-*.csv,
    /// by name, as the parts of one receipts file.
    public static func folder(_ dir: String, existing: (String) -> Bool) -> ScopeSources {
        var paths: [InputFile: String] = [:]
        for file in InputFile.allCases {
            let path = joinPath(dir, file.fileName)
            if existing(path) || file.isRequired { paths[file] = path }
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? []
        var parts = names.filter { isReceiptsPart($0) }.sorted().map { joinPath(dir, $0) }.filter(existing)
        if paths[.receipts] == nil, !parts.isEmpty { paths[.receipts] = parts.removeFirst() }
        return ScopeSources(paths: paths, expectsAllRequired: true, moreReceipts: parts)
    }

    /// `receipts-<anything>.csv`, in any case.
    public static func isReceiptsPart(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasPrefix("receipts-") && lower.hasSuffix(".csv")
    }

    public static func joinPath(_ dir: String, _ name: String) -> String {
        if dir.isEmpty || dir == "." { return name }
        return dir.hasSuffix("/") ? dir + name : dir + "/" + name
    }
}

/// Told now and then how far reading has got: the file, its rows so far, bytes so far.
public typealias ReadProgress = @Sendable (_ file: InputFile, _ rows: Int, _ bytes: Int64) -> Void
