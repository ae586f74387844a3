import CSupport
import Foundation

/// What a row's references resolve against: the units and projects read before this file.
/// Taken once per file; a class with constant storage so the per-row path copies nothing.
final class References: Sendable {
    /// nil when entities.csv (or projects.csv) is missing or unusable: nothing to resolve against.
    private let entities: RefIndex?
    private let projects: RefIndex?
    let levels: [Level]
    let parents: [Int?]
    private let units: [Entity]

    init(_ scope: LoadedScope) {
        entities = scope.isUsable(.entities) ? scope.entityRefs : nil
        projects = scope.isUsable(.projects) ? scope.projectRefs : nil
        units = scope.entities
        levels = scope.entities.map(\.level)
        parents = scope.entities.map(\.parent)
    }

    /// `entity`, with the probe `prefetchEntity` returned when there is one, and the unit's
    /// level when its id found it: the level is kept in the id's slot, which the look-up has
    /// loaded anyway (read from `levels`, it missed the cache on a ledger of scattered payees).
    func entityAndLevel(_ b: UnsafeBufferPointer<UInt8>, probe: IDTable.Probe?) -> (RefIndex.Resolution, level: Level?)? {
        guard let entities else { return nil }
        let (resolution, tag) = entities.resolveTagged(b, probe: probe)
        return (resolution, tag.flatMap { Level(rawValue: Int($0)) })
    }

    /// Starts loading the slot a unit reference will be looked up in; its probe, to look it
    /// up with, or nil when there are no units.
    func prefetchEntity(_ b: UnsafeBufferPointer<UInt8>) -> IDTable.Probe? { entities?.prefetch(b) }

    /// Starts loading the key a prefetched slot names.
    func prefetchEntityKey(_ probe: IDTable.Probe) { entities?.prefetchKey(probe) }

    func project(_ b: UnsafeBufferPointer<UInt8>) -> RefIndex.Resolution? { projects?.resolve(b) }

    func id(_ i: Int) -> String { units[i].id }

    func describe(_ i: Int) -> String {
        let e = units[i]
        return e.name == e.id ? e.id : "\(e.name)（\(e.id)）"
    }
}

/// Parses the few distinct words of a column (a status, a level, a document number) once
/// each, keyed by their bytes.
struct WordCache<Value: Sendable>: Sendable {
    private var keys = ByteInterner(capacity: 16)
    private var values: [Value?] = []
    /// Words kept at most: a column of free text must not grow the cache without bound.
    private let limit: Int
    let parse: @Sendable (String) -> Value?

    init(limit: Int = 64, _ parse: @escaping @Sendable (String) -> Value?) {
        self.limit = limit
        self.parse = parse
    }

    /// The word of the row before and its value: a status column says "ok" on most rows.
    private var last = LastReference()
    private var lastValue: Value?

    mutating func value(_ b: UnsafeBufferPointer<UInt8>) -> Value? {
        if last.matches(b) { return lastValue }
        let v: Value?
        if let i = keys.lookup(b) {
            v = values[i]
        } else {
            v = parse(String(decoding: b, as: UTF8.self))
            if keys.count < limit {
                keys.intern(b)
                values.append(v)
            }
        }
        last.remember(b, nil)
        lastValue = v
        return v
    }
}

/// A column's value in the row before and, for a reference, what it resolved to.
struct LastReference {
    private var bytes = ByteScratch()
    private var known = false
    private(set) var resolution: RefIndex.Resolution?
    /// A unit's level, when the look-up gave it.
    private(set) var level: Level?

    func matches(_ b: UnsafeBufferPointer<UInt8>) -> Bool { known && bytes.equals(b) }

    mutating func remember(_ b: UnsafeBufferPointer<UInt8>, _ r: RefIndex.Resolution?, level: Level? = nil) {
        bytes.removeAll()
        bytes.append(b)
        resolution = r
        self.level = level
        known = true
    }
}

/// A repeated voucher in the second part of a split file, reported once the first part is read.
struct DeferredDuplicate: Sendable {
    let at: SourceRef
    let voucher: String
    /// Its first line within the second part.
    let earlier: Int
}

/// Checks the fields of the current row of one file, collecting IN findings.
/// A row with any finding is rejected.
struct RowCheck {
    let reader: CSVReader
    let header: HeaderMap
    let file: InputFile
    let path: String
    let unit: AmountUnit
    let refs: References
    private(set) var findings: [Finding] = []
    private(set) var rejected = false
    /// Set for the second part of a split file: a repeated voucher is noted, not reported,
    /// until the first part is known (its first line may lie there).
    var defersDuplicates = false
    private(set) var deferredDuplicate: DeferredDuplicate?
    private var lastReferences = [LastReference](repeating: LastReference(), count: 3)
    /// The probes of the row's unit references whose slots `prefetchUnit` started loading,
    /// by the slot of `lastReferences` (1: to, 2: from or entity); nil when not prefetched.
    private var unitProbes: (to: IDTable.Probe?, from: IDTable.Probe?) = (nil, nil)

    init(reader: CSVReader, header: HeaderMap, file: InputFile, path: String, unit: AmountUnit, refs: References) {
        self.reader = reader
        self.header = header
        self.file = file
        self.path = path
        self.unit = unit
        self.refs = refs
    }

    var line: Int { reader.line }

    /// The column holding the row's key in files keyed by one (entities, projects).
    var keyColumn: Column { file == .projects ? .code : .id }

    mutating func begin() {
        // Most rows have none: emptying an empty list still went through the array's slow path.
        if !findings.isEmpty { findings.removeAll(keepingCapacity: true) }
        rejected = false
        deferredDuplicate = nil
        unitProbes = (nil, nil)
    }

    func ref(_ column: Column?) -> SourceRef {
        guard let column, let i = header.index(of: column) else { return SourceRef(file: path, line: reader.line, column: 1) }
        let loc = reader.location(ofField: i)
        return SourceRef(file: path, line: loc.line, column: loc.column)
    }

    mutating func fail(_ code: RuleCode, _ column: Column?, _ message: Message, related: [SourceRef] = []) {
        rejected = true
        findings.append(Finding(code, message, at: ref(column), related: related))
    }

    /// Rejects the row over its shape; the fields cannot be trusted to sit in their columns.
    private mutating func rejectShape(_ code: RuleCode, at loc: (line: Int, column: Int), _ message: Message) -> Bool {
        findings.append(Finding(code, message, at: SourceRef(file: path, line: loc.line, column: loc.column)))
        rejected = true
        return false
    }

    /// Splitting problems, undecodable bytes and field counts. False when the row is rejected.
    mutating func checkShape() -> Bool {
        switch reader.problem {
        case .unterminatedQuote:
            return rejectShape(.IN004, at: (reader.line, 1), Message(
                zh: "引号未闭合：本行从引号处起直到文件末尾都无法拆分；本行未使用，下一行照常读取",
                en: "unterminated quote: the row cannot be split; it is not used, and reading goes on with the next line"))
        case .recordTooLong:
            let lines = reader.endLine - reader.line + 1
            return rejectShape(.IN004, at: (reader.line, 1), Message(
                zh: "本行长于 1 MiB（共 \(lines) 行），未使用；其后各行照常读取",
                en: "the row is longer than 1 MiB (\(lines) lines); it is not used, and reading goes on after it"))
        case .textAfterClosingQuote(let i):
            return rejectShape(.IN004, at: reader.location(ofField: i), Message(
                zh: "第 \(i + 1) 个字段的右引号后还有字符；值内的双引号应写成两个（\"\"）",
                en: "characters after the closing quote of field \(i + 1); a quote inside a value is written twice (\"\")"))
        case nil: break
        }
        if let loc = reader.decodeErrorLocation {
            return rejectShape(.IN002, at: loc, Message(
                zh: "本行含有无法按 \(reader.encoding.rawValue) 解码的字节（乱码），本行未使用",
                en: "this row holds bytes that do not decode as \(reader.encoding.rawValue); it is not used"))
        }
        let count = reader.fieldCount
        if count < header.width {
            return rejectShape(.IN004, at: reader.location(ofField: count), Message(
                zh: "本行有 \(count) 个字段，表头有 \(header.width) 列",
                en: "the row has \(count) fields; the header has \(header.width) columns"))
        }
        // Excel pads rows with empty cells; only a non-empty extra field is an error.
        if count > header.width, let i = (header.width..<count).first(where: { !reader.isEmpty($0) }) {
            return rejectShape(.IN004, at: reader.location(ofField: i), Message(
                zh: "本行有 \(count) 个字段，表头只有 \(header.width) 列（可能有未加引号的逗号）",
                en: "the row has \(count) fields but the header only \(header.width) (an unquoted comma?)"))
        }
        return true
    }

    // MARK: Values

    func withValue<R>(_ column: Column, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        reader.withField(header.index(of: column) ?? -1, body)
    }

    /// The trimmed value, or nil when the column is absent or the value empty.
    func text(_ column: Column) -> String? {
        guard let i = header.index(of: column) else { return nil }
        let s = reader.string(i).trimmingBlanks()
        return s.isEmpty ? nil : s
    }

    /// The trimmed value as `packing` keys it; 0 when the column is absent or the value empty.
    /// A value that `text` would return as read is packed from the row's buffer, without
    /// making a text: the reading of a receipt's `ref` on every row.
    func packed(_ column: Column, into packing: inout WrittenVouchers.Packing) -> UInt64 {
        guard let i = header.index(of: column) else { return 0 }
        let b = reader.field(i)
        if b.isEmpty { return 0 }
        if String.trimsToItself(b) { return packing.key(b) }
        return packing.key(text(column))
    }

    private func shown(_ column: Column) -> String { RowCheck.shortened(text(column) ?? "") }

    /// A value as messages quote it: at most 40 characters.
    static func shortened(_ s: String) -> String { s.count > 40 ? String(s.prefix(40)) + "…" : s }

    /// IN003's message for a voucher first used on line `earlier`.
    static func duplicateVoucher(_ shown: String, earlier: Int) -> Message {
        Message(zh: "凭证号“\(shown)”重复（第 \(earlier) 行已使用），本行未使用",
                en: "duplicate voucher \"\(shown)\" (already on line \(earlier)); this row is not used")
    }

    mutating func requiredText(_ column: Column) -> String? {
        if let s = text(column) { return s }
        let label = header.label(column)
        fail(.IN004, column, Message(zh: "必填的「\(label)」为空", en: "required value \(label) is empty"))
        return nil
    }

    /// An amount in 分; nil when absent (and not required) or invalid (and the row rejected).
    mutating func amount(_ column: Column, required: Bool, allowNegative: Bool) -> Fen? {
        guard header.index(of: column) != nil else { return nil }
        let columnUnit = header.unit(of: column) ?? unit
        let result = withValue(column) { ValueParsers.parseAmount($0, unit: columnUnit) }
        if case .success(let fen) = result, fen >= 0 || allowNegative { return fen }
        let label = header.label(column)
        switch result {
        case .success(let fen):
            if fen < 0 && !allowNegative {
                fail(.IN005, column, Message(
                    zh: "「\(label)」为负数“\(shown(column))”；负数只用于 transfers.csv（红字冲销）和 spending.csv（退款）",
                    en: "\(label) is negative (\"\(shown(column))\"); negative amounts belong only in transfers.csv (reversals) and spending.csv (refunds)"))
                return nil
            }
            return fen
        case .failure(.empty):
            if required { fail(.IN005, column, Message(zh: "「\(label)」为空", en: "\(label) is empty")) }
            return nil
        case .failure(.notANumber):
            fail(.IN005, column, Message(zh: "「\(label)」的值“\(shown(column))”不是金额", en: "\(label) \"\(shown(column))\" is not an amount"))
        case .failure(.tooPrecise):
            let places = columnUnit == .yuan ? 2 : 6
            fail(.IN005, column, Message(
                zh: "「\(label)」的值“\(shown(column))”精度超过 1 分（按\(columnUnit.rawValue)计最多 \(places) 位小数）",
                en: "\(label) \"\(shown(column))\" is finer than 1 分 (at most \(places) decimals in \(columnUnit.rawValue))"))
        case .failure(.tooLarge):
            fail(.IN005, column, Message(zh: "「\(label)」的值“\(shown(column))”过大", en: "\(label) \"\(shown(column))\" is too large"))
        }
        return nil
    }

    mutating func date(_ column: Column, required: Bool) -> Day? {
        guard header.index(of: column) != nil else { return nil }
        let result = withValue(column) { ValueParsers.parseDate($0) }
        if case .success(let day) = result { return day }
        let label = header.label(column)
        switch result {
        case .success(let day): return day
        case .failure(.empty):
            if required { fail(.IN006, column, Message(zh: "「\(label)」为空", en: "\(label) is empty")) }
        case .failure(.invalid):
            fail(.IN006, column, Message(
                zh: "「\(label)」的值“\(shown(column))”不是有效日期（应写成 2021-05-20、2021/5/20、2021年5月20日 或 20210520）",
                en: "\(label) \"\(shown(column))\" is not a valid date (write 2021-05-20, 2021/5/20, 2021年5月20日 or 20210520)"))
        }
        return nil
    }

    mutating func entity(_ column: Column) -> Int? {
        // nil: nothing to resolve against (IN001 says why), so no finding here
        guard let resolution = lastReference(column, project: false) else { return nil }
        return resolved(resolution, column, what: ("单位", "unit"), file: "entities.csv")
    }

    mutating func project(_ column: Column) -> Int? {
        guard let resolution = lastReference(column, project: true) else { return nil }
        return resolved(resolution, column, what: ("项目", "project"), file: "projects.csv")
    }

    /// Resolves a reference, first against the same column of the row before: ledgers list
    /// runs of one payer, payee and project, and the hash look-up is a tenth of the row.
    /// Told which table by a flag, not handed `refs.entity`: that closure retained and
    /// released `refs` three times a row.
    private mutating func lastReference(_ column: Column, project: Bool) -> RefIndex.Resolution? {
        let b = value(column)
        let slot = column == .project ? 0 : column == .to ? 1 : 2
        if lastReferences[slot].matches(b) { return lastReferences[slot].resolution }
        if project {
            let resolution = refs.project(b)
            lastReferences[slot].remember(b, resolution)
            return resolution
        }
        let probe = slot == 1 ? unitProbes.to : slot == 2 ? unitProbes.from : nil
        let found = refs.entityAndLevel(b, probe: probe)
        lastReferences[slot].remember(b, found?.0, level: found?.level)
        return found?.0
    }

    /// A status word through `cache`; an empty cell is the default status.
    mutating func status<S>(_ cache: inout WordCache<S>, _ message: (String) -> Message) -> S? {
        let value = withValue(.status) { cache.value($0) }
        if value == nil { fail(.IN007, .status, message(shown(.status))) }
        return value
    }

    private mutating func resolved(_ r: RefIndex.Resolution, _ column: Column, what: (zh: String, en: String), file: String) -> Int? {
        if case .found(let i) = r { return i }
        // Named only for a finding: made on every row, the label costs a retain and a release.
        let label = header.label(column)
        switch r {
        case .found(let i): return i
        case .unknown:
            let value = shown(column)
            fail(.IN007, column, value.isEmpty
                 ? Message(zh: "「\(label)」为空", en: "\(label) is empty")
                 : Message(zh: "「\(label)」中的\(what.zh)“\(value)”未在 \(file) 中登记", en: "\(what.en) \"\(value)\" in \(label) is not in \(file)"))
        case .ambiguous:
            fail(.IN007, column, Message(zh: "「\(label)」中的名称“\(shown(column))”对应多个\(what.zh)，请改用编码",
                                         en: "the name \"\(shown(column))\" in \(label) matches several \(what.en)s; use the id"))
        }
        return nil
    }

    /// Starts loading the voucher's slot in `registry`; pass the result to `voucher(into:hash:)`
    /// after reading the row's other fields. `inout` although nothing is written: passed by
    /// value out of the loader's per-file state, the registry would be copied (a retain and
    /// a release of each of its tables) on every row.
    /// Starts loading the table slot of a unit reference the row before does not answer: in a
    /// ledger whose rows are not grouped by payer and payee, each look-up misses the cache,
    /// and loaded now the misses overlap the parsing of the rest of the row.
    mutating func prefetchUnit(_ column: Column) {
        let b = value(column)
        let slot = column == .to ? 1 : 2
        guard !lastReferences[slot].matches(b) else { return }
        let probe = refs.prefetchEntity(b)
        if slot == 1 { unitProbes.to = probe } else { unitProbes.from = probe }
    }

    /// The second step of the prefetched unit look-ups, once their slots have had the row's
    /// date and project to load: starts loading the keys they name.
    func prefetchUnitKeys() {
        if let p = unitProbes.to { refs.prefetchEntityKey(p) }
        if let p = unitProbes.from { refs.prefetchEntityKey(p) }
    }

    func prefetchVoucher(in registry: inout VoucherRegistry) -> VoucherRegistry.Probe {
        registry.probe(value(.voucher))
    }

    /// The column's bytes, valid until the next field is asked for.
    func value(_ column: Column) -> UnsafeBufferPointer<UInt8> {
        reader.field(header.index(of: column) ?? -1)
    }

    /// Registers the row's voucher; false when it is empty (IN004) or seen before (IN003).
    mutating func voucher(into registry: inout VoucherRegistry, probe: VoucherRegistry.Probe? = nil) -> Bool {
        let voucher = value(.voucher)
        if voucher.isEmpty {
            let label = header.label(.voucher)
            fail(.IN004, .voucher, Message(zh: "必填的「\(label)」为空", en: "required value \(label) is empty"))
            return false
        }
        let line = reader.line
        let earlier = registry.register(voucher, line: line, probe: probe)
        if let earlier {
            if defersDuplicates {
                rejected = true
                deferredDuplicate = DeferredDuplicate(at: ref(.voucher), voucher: shown(.voucher), earlier: earlier)
            } else {
                fail(.IN003, .voucher, RowCheck.duplicateVoucher(shown(.voucher), earlier: earlier),
                     related: [SourceRef(file: path, line: earlier)])
            }
            return false
        }
        return true
    }

    /// A unit's level: as its reference's look-up gave it, when the column's last reference
    /// (`column`: 1 the payee's, 2 the payer's or the unit's) resolved to it; else from the table.
    private func level(of unit: Int, column slot: Int) -> Level {
        if case .found(unit)? = lastReferences[slot].resolution, let level = lastReferences[slot].level { return level }
        return refs.levels[unit]
    }

    /// IN008: money flows down the hierarchy, never to the payer itself, and between two units
    /// of one level only from a parent to its own child.
    mutating func checkDirection(from: Int, to: Int) {
        let la = level(of: from, column: 2), lb = level(of: to, column: 1)
        if from == to {
            fail(.IN008, .to, Message(zh: "拨出单位与接收单位相同：\(refs.id(from))", en: "payer and payee are the same unit: \(refs.id(from))"))
        } else if lb < la {
            let pair = "\(refs.describe(from)) → \(refs.describe(to))"
            fail(.IN008, .to, Message(zh: "资金向上级流动（\(la.chinese)→\(lb.chinese)）：\(pair)；拨出、接收单位是否填反？",
                                      en: "money flows up (\(la.english) → \(lb.english)): \(pair); are payer and payee swapped?"))
        } else if lb == la && refs.parents[to] != from && refs.parents[from] != to {
            let pair = "\(refs.describe(from)) → \(refs.describe(to))"
            fail(.IN008, .to, Message(zh: "同级单位之间拨付，且互不为上下级：\(pair)",
                                      en: "money flows between two \(la.english) units neither of which is the other's parent: \(pair)"))
        }
    }
}
