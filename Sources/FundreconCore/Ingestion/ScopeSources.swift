import Foundation

/// Where each input file of a scope is read from.
public struct ScopeSources: Sendable {
    public var paths: [InputFile: String]
    /// Files whose absence is an IN001 finding (a whole input folder); naming single files
    /// on the command line checks only those.
    public var expectsAllRequired: Bool

    public init(paths: [InputFile: String], expectsAllRequired: Bool) {
        self.paths = paths
        self.expectsAllRequired = expectsAllRequired
    }

    /// Every file of the spec in one folder.
    public static func folder(_ dir: String, existing: (String) -> Bool) -> ScopeSources {
        var paths: [InputFile: String] = [:]
        for file in InputFile.allCases {
            let path = joinPath(dir, file.fileName)
            if existing(path) || file.isRequired { paths[file] = path }
        }
        return ScopeSources(paths: paths, expectsAllRequired: true)
    }

    public static func joinPath(_ dir: String, _ name: String) -> String {
        if dir.isEmpty || dir == "." { return name }
        return dir.hasSuffix("/") ? dir + name : dir + "/" + name
    }
}

/// Told now and then how far reading has got: the file, its rows so far, bytes so far.
public typealias ReadProgress = @Sendable (_ file: InputFile, _ rows: Int, _ bytes: Int64) -> Void
