import Foundation

public enum SettingsFile {
    /// `--config FILE` when given, else `fundrecon.toml` in the input folder when present, else defaults.
    public static func load(inputDir: String?, config: String?) throws(SettingsError) -> Settings {
        let path: String
        if let config {
            path = config
            guard FileManager.default.fileExists(atPath: path) else { throw SettingsError("\(path): settings file not found") }
        } else if let inputDir {
            path = ScopeSources.joinPath(inputDir, Settings.fileName)
            guard FileManager.default.fileExists(atPath: path) else { return Settings() }
        } else {
            return Settings()
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw SettingsError("\(path): cannot read settings (\(error.localizedDescription))")
        }
        return try Settings.parse(toml: text, source: path)
    }
}

public enum FileSystem {
    /// Something is at `path`: a file, a folder, or a link even when it leads nowhere. An
    /// input found this way and then unreadable is a finding that says why, never "missing".
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    public static func isFile(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && !isDir.boolValue
    }

    public static func isDirectory(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }
}
