import Foundation
import Testing
@testable import FundreconCore

/// A small, clean scope (province → city → county → grantee) whose transfers follow the plan
/// exactly; each rule test edits one file to make one rule fire.
struct Fixture {
    static let base: [String: String] = [
        "entities.csv": """
        id,name,level,parent
        P,广东省财政厅,province,
        C,韶关市财政局,city,P
        K,乳源县财政局,county,C
        G1,乳源东阳光药业有限公司,grantee,K
        G2,韶关市雷门专利事务所,grantee,C

        """,
        "projects.csv": """
        code,name,parent,budget,kind
        F,知识产权专项资金,,100,
        F1,强县工程,F,60,
        F2,商标品牌指导站,F,40,

        """,
        "plan.csv": """
        line,project,from,to,amount,method,document,due
        1,F,P,C,100,factor,粤财工〔2021〕1号,2021-03-31
        2,F1,C,K,60,factor,韶财工〔2021〕2号,2021-04-30
        3,F2,C,G2,40,competitive,,2021-04-30
        4,F1,K,G1,60,competitive,,2021-05-31

        """,
        "transfers.csv": """
        voucher,date,project,from,to,amount,status,document,note
        T1,2021-03-01,F,P,C,100,ok,粤财工[2021]1号,
        T2,2021-03-20,F1,C,K,60,ok,,
        T3,2021-03-21,F2,C,G2,40,ok,,
        T4,2021-04-10,F1,K,G1,60,ok,,

        """,
        "spending.csv": """
        voucher,date,entity,project,amount,status,payee,note
        S1,2021-06-01,G1,F1,60,paid,供应商甲,
        S2,2021-06-01,G2,F2,40,paid,供应商乙,

        """,
        "indicators.csv": """
        project,level1,level2,name,target,actual
        F,产出指标,数量指标,培训场次,≥2,3

        """,
    ]

    let dir: String
    var files: [String: String]

    init(_ files: [String: String] = Fixture.base) {
        dir = Fixture.makeTempDir()
        self.files = files
    }

    static func makeTempDir() -> String {
        let path = scratchRoot + "/" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// One folder per test process, removed when the process exits, so a test run leaves
    /// nothing behind in /tmp (runs used to leave tens of thousands of folders there).
    static let scratchRoot: String = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("fundrecon-tests-\(getpid())").path
        try? FileManager.default.removeItem(atPath: root)
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: Fixture.scratchRoot) }
        return root
    }()

    /// Replaces text that must occur in the file (so a fixture typo fails loudly).
    mutating func edit(_ file: String, _ old: String, _ new: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let text = files[file] ?? ""
        #expect(text.contains(old), "fixture \(file) has no \(old)", sourceLocation: sourceLocation)
        files[file] = text.replacingOccurrences(of: old, with: new)
    }

    /// Adds a column at the end of the header and an empty field to every data row.
    mutating func addColumn(_ file: String, _ header: String) {
        let lines = (files[file] ?? "").split(separator: "\n", omittingEmptySubsequences: false)
        files[file] = lines.enumerated().map { i, line in
            line.isEmpty ? "" : (i == 0 ? line + "," + header : line + ",")
        }.joined(separator: "\n")
    }

    mutating func append(_ file: String, _ row: String) {
        files[file] = (files[file] ?? "") + row + "\n"
    }

    func write() {
        for (name, text) in files {
            #expect(FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(text.utf8)), "the test wrote its file")
        }
    }

    func path(_ name: String) -> String { dir + "/" + name }

    func check(_ settings: Settings = Settings()) -> CheckResult {
        write()
        return CheckRun.run(ScopeSources.folder(dir, existing: FileSystem.isFile), settings: settings, fileExists: FileSystem.isFile)
    }
}

extension Fixture {
    /// Reconciles the fixture; "today" is well after the period, so as-of is 2021-12-31 unless set.
    func reconcile(_ settings: Settings = Settings(), today: Day = Day(year: 2022, month: 3, day: 1)!) -> ReconcileResult {
        write()
        return Reconciler.run(ScopeSources.folder(dir, existing: FileSystem.isFile), settings: settings, today: today, fileExists: FileSystem.isFile)
    }
}

extension ReconcileResult {
    func findings(_ code: RuleCode) -> [Finding] { findings.filter { $0.code == code } }
    func edge(_ project: String, _ from: String, _ to: String) -> EdgeResult? {
        edges.first { scope.projects[$0.key.project].code == project && scope.entities[$0.key.from].id == from && scope.entities[$0.key.to].id == to }
    }
}

func settings(_ change: (inout Settings) -> Void) -> Settings {
    var s = Settings()
    change(&s)
    return s
}

func day(_ text: String) -> Day {
    guard case .success(let d) = ValueParsers.parseDate(text) else { fatalError("bad test date \(text)") }
    return d
}

extension CheckResult {
    func findings(_ code: RuleCode) -> [Finding] { findings.filter { $0.code == code } }
}

/// Column (1-based, in characters) where field `index` of an unquoted CSV line starts.
func column(of index: Int, in line: String) -> Int {
    let fields = line.split(separator: ",", omittingEmptySubsequences: false)
    return fields.prefix(index).reduce(1) { $0 + $1.count + 1 }
}

/// Reads every record of a file: (first line, last line, fields).
func records(at path: String, encoding: EncodingChoice = .auto) throws -> [(line: Int, endLine: Int, fields: [String])] {
    let reader = try CSVReader(path: path, encoding: encoding)
    var out: [(Int, Int, [String])] = []
    while try reader.next() {
        out.append((reader.line, reader.endLine, (0..<reader.fieldCount).map { reader.string($0) }))
    }
    return out
}

func writeTemp(_ bytes: [UInt8], name: String = "data.csv") -> String {
    let path = Fixture.makeTempDir() + "/" + name
    #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)), "the test wrote its file")
    return path
}
