import Foundation
import XLSX

/// The workbook of spec §4 for finance staff: summary, one variance sheet per hop, balances,
/// indicators, findings (each linked to the row it concerns) and inputs.
public struct WorkbookReport {
    let result: ReconcileResult
    let scopeName: String
    let generatedAt: String
    let version: String
    let labels: WorkbookLabels
    /// Data rows per sheet before a sheet continues on "name (2)"; Excel's limit unless a test lowers it.
    var rowsPerSheet = Limits.rows - 2
    /// Links on the findings sheet before the rest are written as text; Excel's limit unless a test lowers it.
    var linksPerSheet = Limits.linksPerSheet

    /// What changed since the previous report, when there is one: the 变化 sheet.
    let changes: Changes?

    public init(_ result: ReconcileResult, scopeName: String, generatedAt: String, version: String, changes: Changes? = nil) {
        self.result = result
        self.changes = changes
        self.scopeName = scopeName
        self.generatedAt = generatedAt
        self.version = version
        labels = WorkbookLabels(lang: result.settings.lang)
    }

    /// How hard the parts are compressed. Fast by default: a province's workbook is written a
    /// third quicker for a file about a fifth larger (measured in docs/scale.md).
    public var compression: Workbook.Compression = .fast

    /// Whether the close compresses the parts on a second thread while it assembles the next
    /// (the same file; see `Workbook.close`).
    public var compressAlongside = true

    /// Whether the close reads each sheet's rows from the file they were filled into, not from
    /// a copy (the same file; see `Workbook.close`).
    public var readRowsInPlace = true

    /// Whether number and text cells are written without libxlsxwriter's fprintf (the same
    /// file; see `Workbook.init`).
    public var writeCellsDirectly = true

    /// Writes the workbook to a temporary file beside `path` and renames it into place.
    /// - Parameter created: the document's creation time (seconds since 1970), for reproducible files.
    /// - Parameter filled: called once the rows are in, before the workbook is closed.
    /// Returns the tables too long for one sheet, and the sheets they continue on.
    @discardableResult
    public func write(to path: String, created: Int64?, temporaryDirectory: String? = nil,
                      filled: (() -> Void)? = nil) throws(OutputError) -> [ContinuedSheet] {
        let (temp, continued) = try writeTemporary(for: path, created: created, temporaryDirectory: temporaryDirectory,
                                                   filled: filled)
        try AtomicFile.commit(temp, to: path)
        return continued
    }

    /// `write`, leaving the rename to `AtomicFile.commit`: the temporary file's path too.
    func writeTemporary(for path: String, created: Int64?, temporaryDirectory: String? = nil,
                        filled: (() -> Void)? = nil) throws(OutputError) -> (temporary: String, continued: [ContinuedSheet]) {
        let temp = AtomicFile.temporaryPath(for: path)
        let continued: [ContinuedSheet]
        do {
            let workbook = try Workbook(path: temp, constantMemory: true, temporaryDirectory: temporaryDirectory,
                                        cellsWrittenDirectly: writeCellsDirectly)
            try workbook.setProperties(DocumentProperties(
                title: labels.t("专项资金对账报告：\(scopeName)", "Special-fund reconciliation: \(scopeName)"),
                subject: labels.t("计划、拨付与支出核对（基准日 \(result.period.asOf)）", "Plan, transfers and spending as of \(result.period.asOf)"),
                author: "fundrecon \(version)", company: "", comments: generatedAt, created: created))
            continued = try fill(workbook)
            filled?()
            try workbook.close(compression: compression, alongside: compressAlongside, rowsInPlace: readRowsInPlace)
        } catch {
            AtomicFile.discard(temp)
            throw OutputError(description: "\(path): \(error.description)")
        }
        return (temp, continued)
    }

    // MARK: Layout

    /// Edge indices by hop, in sheet order. Indices, not copies: a province has a million edges.
    var hopGroups: [(hop: Hop, edges: [Int])] {
        var groups: [Hop: [Int]] = [:]
        for (i, e) in result.edges.enumerated() { groups[e.hop, default: []].append(i) }
        return groups.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    @discardableResult
    func fill(_ workbook: Workbook) throws(XLSXError) -> [ContinuedSheet] {
        let groups = hopGroups
        var tables: [SheetTable] = []
        // Where each edge lands: its hop's table and its position there.
        var tableOf = [Int32](repeating: 0, count: result.edges.count)
        var position = [Int32](repeating: 0, count: result.edges.count)
        for (t, group) in groups.enumerated() {
            tables.append(varianceTable(group.hop, group.edges))
            for (k, i) in group.edges.enumerated() {
                tableOf[i] = Int32(t)
                position[i] = Int32(k)
            }
        }
        let balances = balanceTable()
        let indicators = indicatorTable()
        let inputs = inputTable()
        let matching = matchingTables()
        let links = FindingLinks(result: result, edgePlace: { i in tables[Int(tableOf[i])].place(Int(position[i])) },
                                 balancePlace: balances.place, indicators: indicators, inputs: inputs,
                                 matchPlaces: MatchPlaces(result.receipts, matching))

        let kept = result.answers.kept
        let changeTables = changes != nil || !kept.isEmpty ? [changeTable(changes, kept: kept)] : []
        let all = changeTables + tables + matching + [balances, indicators, findingTable(links), inputs]
        let continued = all.filter { $0.sheetCount > 1 }
            .map { ContinuedSheet(name: $0.name, rows: $0.rowCount, rowsPerSheet: $0.rowsPerSheet, continuedOn: (1..<$0.sheetCount).map($0.sheetName)) }
        try summary(workbook, continued: continued)
        // Sheets are added and set up in order on this thread; their rows are then written on
        // as many threads as there are cores, the longest sheets first.
        var pending: [PendingRows] = []
        for table in all {
            pending += try table.prepare(workbook).map { PendingRows(table: table, part: $0) }
        }
        try PendingRows.fill(pending, threads: fillThreads)
        return continued
    }

    /// Threads that write rows; the JSON report is rendered beside them.
    var fillThreads = min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 4)

    func entity(_ i: Int) -> String { result.scope.entities.indices.contains(i) ? result.scope.entities[i].name : "" }
    func project(_ i: Int) -> Project? { result.scope.projects.indices.contains(i) ? result.scope.projects[i] : nil }
    func fileName(_ path: String) -> String { path.lastPathPart.map(String.init) ?? path }

    // MARK: Variance sheets

    func varianceTable(_ hop: Hop, _ indices: [Int]) -> SheetTable {
        let planFile = fileName(result.scope.path(.plan)), transfersFile = fileName(result.scope.path(.transfers))
        let edges = result.edges, scope = result.scope, answers = AnswerColumns(labels: labels), answered = result.answers.edges
        var t = SheetTable(name: labels.hopSheet(hop), headers: labels.varianceColumns + answers.headers, rowCount: indices.count) { i, r in
            let e = edges[indices[i]]
            let p = self.project(e.key.project)
            let answer = answers.cells(key: EdgeAnswerKey.key(e, scope), figure: e.figure, answered[indices[i]])
            let cells: [Cell] = [
                .text(p?.code ?? ""), .text(p?.name ?? ""), .text(self.entity(e.key.from)), .text(self.entity(e.key.to)),
                .money(e.planned), .money(e.transferred),
                .moneyFormula("=F\(r)-E\(r)", e.variance),
                .ratioFormula("=IF(E\(r)=0,\"\",G\(r)/E\(r))", cached: e.planned == 0 ? nil : Double(e.variance) / Double(e.planned)),
                .text(self.labels.status(e.status)),
                e.lastDue.map(Cell.date) ?? .empty, e.lastTransfer.map(Cell.date) ?? .empty, e.daysLate.map(Cell.count) ?? .empty,
                .text(e.methods.map { self.labels.lang == .zh ? $0.chinese : $0.rawValue }.joined(separator: "; ")), .text(e.documents.joined(separator: "; ")),
                .text(e.planLines.isEmpty ? "" : "\(planFile):" + e.planLines.map(String.init).joined(separator: ", ")),
                .text(e.firstTransferLine.map { "\(transfersFile):\($0)" } ?? ""),
                e.notMoved != 0 ? .money(e.notMoved) : .empty,
                .text(e.cause.map { $0.message.text(self.labels.lang) } ?? ""),
            ]
            return cells + answer
        }
        t.answers = answers
        t.totalColumns = [4, 5, 6]
        t.totalsLabel = labels.totalsRow
        t.rules = [("$I{r}=\"\(labels.status(.over))\"", Styles.over), ("$I{r}=\"\(labels.status(.under))\"", Styles.under),
                   ("$I{r}=\"\(labels.status(.missing))\"", Styles.missing)]
        t.rowsPerSheet = rowsPerSheet
        return t
    }

    /// New findings, resolved findings and changed transfers, in that order; then the answers
    /// kept whose finding went earlier. Resolved rows carry their answers, so they are read
    /// back and written again each night.
    func changeTable(_ c: Changes?, kept: [(key: String, explanation: Explanation)]) -> SheetTable {
        let newFindings = c?.newFindings ?? [], resolved = c?.resolvedFindings ?? [], edges = c?.edges ?? []
        let answers = AnswerColumns(labels: labels)
        var keptByKey: [String: Explanation] = [:]
        for k in kept { keptByKey[k.key] = k.explanation }
        let resolvedKeys = Set(resolved.compactMap(\.key))
        let keptAlone = kept.filter { !resolvedKeys.contains($0.key) }
        let newCount = newFindings.count, resolvedCount = resolved.count, edgeCount = edges.count
        let none = answers.cells(key: nil, figure: Figure(amount: nil), nil), noFigure = Figure(amount: nil)
        var t = SheetTable(name: labels.changesSheet, headers: labels.changeColumns + answers.headers,
                           rowCount: newCount + resolvedCount + edgeCount + keptAlone.count) { i, r in
            if i < newCount {
                let f = newFindings[i]
                return [.text(self.labels.newFinding), .text(f.code.rawValue), .text(self.labels.severity(f.severity)),
                        .text(f.message(self.labels.lang)), .text(self.fileName(f.primary.file)), f.primary.line.map(Cell.count) ?? .empty,
                        .text(f.project ?? ""), .text(f.from ?? ""), .text(f.to ?? ""), .empty, .empty, .empty] + none
            }
            if i < newCount + resolvedCount {
                let f = resolved[i - newCount]
                let severity = Severity.allCases.first { $0.english == f.severity }.map(self.labels.severity) ?? f.severity
                let answer = f.key.flatMap { keptByKey[$0] }
                return [.text(self.labels.resolvedFinding), .text(f.code), .text(severity), .text(f.message),
                        .text(self.fileName(f.file ?? "")), f.line.map(Cell.count) ?? .empty,
                        .text(f.project ?? ""), .text(f.from ?? ""), .text(f.to ?? ""), .empty, .empty, .empty]
                    + (answer.map { answers.cells(key: f.key, figure: $0.basis ?? noFigure, $0) } ?? none)
            }
            if i < newCount + resolvedCount + edgeCount {
                let e = edges[i - newCount - resolvedCount]
                return [.text(self.labels.changedTransfer), .empty, .empty, .empty, .empty, .empty,
                        .text(e.project), .text(e.from), .text(e.to), .money(e.before), .money(e.after),
                        .moneyFormula("=K\(r)-J\(r)", e.difference)] + none
            }
            let k = keptAlone[i - newCount - resolvedCount - edgeCount]
            return [.text(self.labels.keptAnswer), .text(k.explanation.code), .empty, .text(k.explanation.about), .empty, .empty,
                    .empty, .empty, .empty, .empty, .empty, .empty] + answers.cells(key: k.key, figure: k.explanation.basis ?? noFigure, k.explanation)
        }
        t.answers = answers
        t.rowsPerSheet = rowsPerSheet
        return t
    }

    func balanceTable() -> SheetTable {
        let b = result.balances
        var t = SheetTable(name: labels.balancesSheet, headers: labels.balanceColumns, rowCount: b.count) { i, r in
            let x = b[i]
            let unit = self.result.scope.entities[x.unit]
            let p = self.project(x.project)
            return [
                .text(unit.id), .text(unit.name), .text(self.labels.level(unit.level)), .text(p?.code ?? ""), .text(p?.name ?? ""),
                .money(x.received), .money(x.passedOn), .money(x.spent), x.failed != 0 ? .money(x.failed) : .empty,
                .moneyFormula("=F\(r)-G\(r)-H\(r)", x.balance),
                .ratioFormula("=IF(F\(r)=0,\"\",(G\(r)+H\(r))/F\(r))", cached: x.received == 0 ? nil : Double(x.passedOn + x.spent) / Double(x.received)),
            ]
        }
        t.totalColumns = [5, 6, 7, 9]
        t.totalsLabel = labels.totalsRow
        t.rowsPerSheet = rowsPerSheet
        return t
    }

    func indicatorTable() -> SheetTable {
        let list = result.indicators
        var t = SheetTable(name: labels.indicatorsSheet, headers: labels.indicatorColumns, rowCount: list.count) { i, _ in
            let x = list[i]
            return [
                .text(self.project(x.row.project)?.code ?? ""), .text(x.row.level1 ?? ""), .text(x.row.level2 ?? ""), .text(x.row.name),
                .text(x.row.target), .text(x.row.actual ?? ""), .text(x.reading.text(self.labels.lang)),
                .text(self.labels.indicatorStatus(x.status)), .count(x.row.line),
            ]
        }
        t.rules = [("$H{r}=\"\(labels.indicatorStatus(.notMet))\"", Styles.over), ("$H{r}=\"\(labels.indicatorStatus(.noActual))\"", Styles.under)]
        t.rowsPerSheet = rowsPerSheet
        return t
    }

    func inputTable() -> SheetTable {
        let stats = result.scope.stats
        var t = SheetTable(name: labels.inputsSheet, headers: labels.inputColumns, rowCount: stats.count) { i, _ in
            let s = stats[i]
            return [.text(s.shownName), .text(s.path), .text(s.encoding?.rawValue ?? (s.present ? "" : self.labels.t("缺失", "missing"))),
                    .count(Int(s.bytes)), .count(s.rowsRead), .count(s.rowsUsed), .count(s.rowsRejected), .text(s.sha256 ?? "")]
        }
        t.rowsPerSheet = rowsPerSheet
        return t
    }

    func findingTable(_ links: FindingLinks) -> SheetTable {
        let list = result.findings, answers = AnswerColumns(labels: labels)
        var t = SheetTable(name: labels.findingsSheet, headers: labels.findingColumns + answers.headers, rowCount: list.count) { i, _ in
            let f = list[i]
            let link: Cell = links.target(f).map { .link("internal:'\($0.sheet)'!A\($0.row)", text: self.labels.t("查看", "Go to")) } ?? .empty
            return [
                .text(self.labels.severity(f.severity)), .text(f.code.rawValue), .text(f.message(self.labels.lang)),
                .text(self.fileName(f.primary.file)), f.primary.line.map(Cell.count) ?? .empty, f.primary.column.map(Cell.count) ?? .empty,
                .text(f.project ?? ""), .text(f.from ?? ""), .text(f.to ?? ""), .text(f.entity ?? ""),
                f.amount.map(Cell.money) ?? .empty, link,
            ] + answers.cells(key: f.identity, figure: f.figure, f.explanation)
        }
        t.answers = answers
        t.rules = [("$A{r}=\"\(labels.severity(.error))\"", Styles.over), ("$A{r}=\"\(labels.severity(.warning))\"", Styles.under)]
        t.rowsPerSheet = rowsPerSheet
        t.linksPerSheet = linksPerSheet
        return t
    }

    // MARK: Summary

    /// `continued`: the tables too long for one sheet, with the sheets they go on to.
    func summary(_ workbook: Workbook, continued: [ContinuedSheet]) throws(XLSXError) {
        let s = try workbook.addWorksheet(labels.summarySheet)
        try s.setColumn(0, width: 28)
        for c in 1...4 { try s.setColumn(c, width: 18) }
        // The receipts' table runs on to the right (set before any row: the sheet is streamed).
        if result.receipts != nil { for c in 5..<receiptOverviewColumns { try s.setColumn(c, width: 13) } }
        try s.printSetup(landscape: true, fitOnePageWide: true, repeatRows: nil)
        var r = 0
        func pair(_ k: String, _ v: String) throws(XLSXError) {
            try s.write(r, 0, k, Styles.title)
            try s.write(r, 1, v)
            r += 1
        }
        try s.write(r, 0, labels.t("专项资金对账报告", "Special-fund reconciliation"), CellStyle(bold: true))
        r += 2
        try pair(labels.t("范围", "Scope"), scopeName)
        try pair(labels.t("期间", "Period"), "\(result.period.start) — \(result.period.end)")
        try pair(labels.t("基准日", "As of"), result.period.asOf.description)
        try pair(labels.t("生成时间", "Generated"), generatedAt)
        try pair(labels.t("工具", "Tool"), "fundrecon \(version)")
        r += 1

        func header(_ cells: [String]) throws(XLSXError) {
            for (c, h) in cells.enumerated() { try s.write(r, c, h, Styles.header) }
            r += 1
        }
        try header([labels.t("层级", "Hop"), labels.t("计划（万元）", "Planned (万元)"), labels.t("拨付（万元）", "Transferred (万元)"), labels.t("差额（万元）", "Variance (万元)")])
        for h in result.totals.hops {
            try s.write(r, 0, labels.hopSheet(h.hop))
            try s.write(r, 1, number: Double(h.planned) / 1_000_000, Styles.money)
            try s.write(r, 2, number: Double(h.transferred) / 1_000_000, Styles.money)
            try s.write(r, 3, formula: "=C\(r + 1)-B\(r + 1)", cached: Double(h.transferred - h.planned) / 1_000_000, Styles.money)
            r += 1
        }
        r += 1
        try header([labels.t("支出单位层级", "Spent by level"), labels.t("支出（万元）", "Spent (万元)")])
        for x in result.totals.spentByLevel {
            try s.write(r, 0, labels.level(x.level))
            try s.write(r, 1, number: Double(x.spent) / 1_000_000, Styles.money)
            r += 1
        }
        r += 1
        try header([labels.t("拨付链路状态", "Edges by status"), labels.t("条数", "Count")])
        for status in EdgeStatus.allCases {
            try s.write(r, 0, labels.status(status))
            try s.write(r, 1, number: Double(result.edgeCount(status)), Styles.count)
            r += 1
        }
        r += 1
        try header([labels.t("问题级别", "Findings by severity"), labels.t("个数", "Count")])
        for sev in Severity.allCases.reversed() {
            try s.write(r, 0, labels.severity(sev))
            try s.write(r, 1, number: Double(result.count(sev)), Styles.count)
            r += 1
        }
        r += 1
        try header([labels.t("文件", "File"), labels.t("读取行数", "Rows read"), labels.t("使用行数", "Rows used"), labels.t("拒绝行数", "Rows rejected")])
        for st in result.scope.stats {
            try s.write(r, 0, st.shownName)
            try s.write(r, 1, number: Double(st.rowsRead), Styles.count)
            try s.write(r, 2, number: Double(st.rowsUsed), Styles.count)
            try s.write(r, 3, number: Double(st.rowsRejected), Styles.count)
            r += 1
        }
        r += 1
        if let first = continued.first {
            try header([labels.t("分表续写（每表最多 \(first.rowsPerSheet) 行数据）", "Sheets continued (at most \(first.rowsPerSheet) data rows a sheet)"),
                        labels.t("数据行数", "Data rows"), labels.t("续写于", "Continued on")])
            for table in continued {
                try s.write(r, 0, table.name)
                try s.write(r, 1, number: Double(table.rows), Styles.count)
                try s.write(r, 2, table.continuedOn.joined(separator: labels.t("、", ", ")))
                r += 1
            }
            r += 1
        }
        // Planned against transferred per receiving unit: the largest 15 feed the chart.
        var byUnit: [Int: (Fen, Fen)] = [:]
        for e in result.edges {
            let (p, t) = byUnit[e.key.to] ?? (0, 0)
            byUnit[e.key.to] = (p + e.planned, t + e.transferred)
        }
        let top = byUnit.sorted { ($0.value.0, -$0.key) > ($1.value.0, -$1.key) }.prefix(15)
        try header([labels.t("接收单位", "Receiving unit"), labels.t("计划（万元）", "Planned (万元)"), labels.t("拨付（万元）", "Transferred (万元)")])
        let firstData = r
        for (unit, (p, t)) in top {
            try s.write(r, 0, entity(unit))
            try s.write(r, 1, number: Double(p) / 1_000_000, Styles.money)
            try s.write(r, 2, number: Double(t) / 1_000_000, Styles.money)
            r += 1
        }
        let chartEnd = r
        r = try receiptOverview(s, row: r + 1)
        guard !top.isEmpty else { return }
        let chart = try workbook.addColumnChart()
        let sheetRef = "'\(labels.summarySheet)'"
        let rows = "$\(firstData + 1):$"
        try chart.addSeries(name: labels.t("计划", "Planned"), categories: "=\(sheetRef)!$A\(rows)A$\(chartEnd)", values: "=\(sheetRef)!$B\(rows)B$\(chartEnd)")
        try chart.addSeries(name: labels.t("拨付", "Transferred"), categories: "=\(sheetRef)!$A\(rows)A$\(chartEnd)", values: "=\(sheetRef)!$C\(rows)C$\(chartEnd)")
        chart.setTitle(labels.t("各接收单位计划与拨付（万元）", "Planned and transferred by receiving unit (万元)"))
        try s.insert(chart, row: 2, column: 5, xScale: 2.2, yScale: 1.8)
    }
}

/// Where a finding's link goes: its edge, its balance, its indicator, or (for input and plan
/// findings) its file's row on the Inputs sheet. Edges and balances are sorted by their keys,
/// so they are found by binary search, and ids through the scope's own indices.
struct FindingLinks {
    let result: ReconcileResult
    let edgePlace: (Int) -> (sheet: String, row: Int)
    let balancePlace: (Int) -> (sheet: String, row: Int)
    let indicators: SheetTable
    let inputs: SheetTable
    var matchPlaces = MatchPlaces(nil, [])

    func target(_ f: Finding) -> (sheet: String, row: Int)? {
        let scope = result.scope
        if f.code.rawValue.hasPrefix("RC"), let line = f.primary.line,
           let place = matchPlaces.place(line: line, file: f.primary.file) {
            return place
        }
        let project = f.project.flatMap(scope.project(named:))
        if let p = project, let from = f.from.flatMap(scope.entity(named:)), let to = f.to.flatMap(scope.entity(named:)),
           let i = search(result.edges.count, { (result.edges[$0].key.project, result.edges[$0].key.from, result.edges[$0].key.to) }, (p, from, to)) {
            return edgePlace(i)
        }
        if let p = project, let unit = f.entity.flatMap(scope.entity(named:)),
           let i = search(result.balances.count, { (result.balances[$0].unit, result.balances[$0].project, 0) }, (unit, p, 0)) {
            return balancePlace(i)
        }
        if f.code.rawValue.hasPrefix("PI"), let line = f.primary.line,
           let i = result.indicators.firstIndex(where: { $0.row.line == line }) {
            return indicators.place(i)
        }
        return scope.stats.firstIndex { $0.path == f.primary.file }.map { inputs.place($0) }
    }

    private func search(_ count: Int, _ key: (Int) -> (Int, Int, Int), _ wanted: (Int, Int, Int)) -> Int? {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if key(mid) < wanted { lo = mid + 1 } else { hi = mid }
        }
        return lo < count && key(lo) == wanted ? lo : nil
    }
}
