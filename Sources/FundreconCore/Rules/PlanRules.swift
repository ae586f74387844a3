/// Plan integrity (PL001–PL004): the allocation plan checked against itself and the budgets,
/// before any money is looked at.
public enum PlanRules {
    /// Related rows listed per finding at most; the message gives the full count.
    static let maxRelated = 1000

    public static func check(_ scope: LoadedScope, into log: inout FindingLog) {
        let tree = ProjectTree(scope.projects)
        budgetsAddUp(scope, tree, &log)
        guard scope.isUsable(.entities), scope.isUsable(.plan) else { return }
        levelsWithinBudget(scope, tree, &log)
        unitsPassOnWhatTheyReceive(scope, tree, &log)
        allocationsStayInSubtree(scope, &log)
    }

    /// The rules skipped for want of a usable file.
    public static func skipped(_ scope: LoadedScope) -> [RuleCode] {
        var out: [RuleCode] = []
        if !scope.isUsable(.projects) { out.append(.PL001) }
        if !(scope.isUsable(.projects) && scope.isUsable(.entities) && scope.isUsable(.plan)) { out += [.PL002, .PL003, .PL004] }
        return out
    }

    /// "150 万元"; an amount under 1 万元 also in 元, where a typed "150元" shows itself.
    static func wan(_ fen: Fen) -> String {
        let text = MoneyFormat.wanYuan(fen) + " 万元"
        return fen != 0 && abs(fen) < 1_000_000 ? text + "（\(MoneyFormat.yuan(fen)) 元）" : text
    }

    /// A hint when two amounts differ by the 元/万元 factor.
    static func unitHint(_ a: Fen, _ b: Fen) -> (zh: String, en: String) {
        guard a != 0, b != 0 else { return ("", "") }
        let (big, small) = (max(abs(a), abs(b)), min(abs(a), abs(b)))
        guard big % small == 0, big / small == 10_000 else { return ("", "") }
        return ("（相差一万倍：是否把“万元”写成了“元”？）", " (they differ by 10,000: 元 written for 万元?)")
    }

    private static func sourceRefs(_ lines: [Int], file: String) -> [SourceRef] {
        lines.prefix(maxRelated).map { SourceRef(file: file, line: $0) }
    }

    // MARK: PL001

    private static func budgetsAddUp(_ scope: LoadedScope, _ tree: ProjectTree, _ log: inout FindingLog) {
        let file = scope.path(.projects)
        for (p, project) in scope.projects.enumerated() {
            guard let budget = project.budget, !tree.children[p].isEmpty else { continue }
            let kids = tree.children[p]
            let known = kids.compactMap { scope.projects[$0].budget }
            let sum = known.reduce(0, +)
            let allKnown = known.count == kids.count
            guard allKnown ? sum != budget : sum > budget else { continue }
            let hint = unitHint(sum, budget)
            log.add(Finding(.PL001, Message(
                zh: "项目 \(scope.describeProject(p)) 预算 \(wan(budget))，子项目预算合计 \(wan(sum))\(allKnown ? "" : "（部分子项目无预算）")，差额 \(wan(sum - budget))\(hint.zh)",
                en: "project \(scope.describeProject(p)) has a budget of \(wan(budget)) but its sub-projects add up to \(wan(sum))\(allKnown ? "" : " (some have no budget)"), a difference of \(wan(sum - budget))\(hint.en)"),
                at: SourceRef(file: file, line: project.line),
                related: kids.map { SourceRef(file: file, line: scope.projects[$0].line) },
                project: project.code, amount: sum - budget))
        }
    }

    // MARK: PL002

    /// Per project and allocating level: its own lines, plus each sub-project's lines capped at
    /// that sub-project's budget, must stay within the budget. Capping keeps a sub-project's
    /// own excess from being reported again at every ancestor.
    private static func levelsWithinBudget(_ scope: LoadedScope, _ tree: ProjectTree, _ log: inout FindingLog) {
        let file = scope.path(.plan)
        let levels = Level.allCases.count
        var own = [[Fen]](repeating: [Fen](repeating: 0, count: levels), count: scope.projects.count)
        var ownLines = [[Int]](repeating: [], count: scope.projects.count)  // plan indices
        for (i, line) in scope.plan.enumerated() {
            own[line.project][scope.entities[line.from].level.rawValue] += line.amount
            ownLines[line.project].append(i)
        }
        var subtree = own
        for p in tree.postOrder {
            for c in tree.children[p] {
                for l in 0..<levels { subtree[p][l] += subtree[c][l] }
            }
        }
        for p in tree.postOrder {
            guard let budget = scope.projects[p].budget else { continue }
            for l in 0..<levels {
                var capped = own[p][l]
                for c in tree.children[p] {
                    capped += scope.projects[c].budget.map { min(subtree[c][l], $0) } ?? subtree[c][l]
                }
                guard capped > budget else { continue }
                let level = Level.allCases[l]
                let lineIndices = tree.subtree(of: p).flatMap { ownLines[$0] }
                    .filter { scope.entities[scope.plan[$0].from].level == level }
                    .sorted { scope.plan[$0].line < scope.plan[$1].line }
                var running: Fen = 0
                var primary = lineIndices.last ?? 0
                for i in lineIndices {
                    running += scope.plan[i].amount
                    if running > budget { primary = i; break }
                }
                let hint = unitHint(capped, budget)
                log.add(Finding(.PL002, Message(
                    zh: "\(level.chinese)级单位对项目 \(scope.describeProject(p)) 的分配合计 \(wan(capped))，项目预算 \(wan(budget))，超出 \(wan(capped - budget))\(hint.zh)",
                    en: "\(level.english) units allocate \(wan(capped)) of project \(scope.describeProject(p)), \(wan(capped - budget)) over its budget of \(wan(budget))\(hint.en)"),
                    at: SourceRef(file: file, line: scope.plan[primary].line),
                    related: [SourceRef(file: scope.path(.projects), line: scope.projects[p].line)]
                        + sourceRefs(lineIndices.filter { $0 != primary }.map { scope.plan[$0].line }, file: file),
                    project: scope.projects[p].code, amount: capped - budget))
            }
        }
    }

    // MARK: PL003

    /// A unit's outgoing lines are grouped under the outermost project it receives on that holds
    /// them (a city receiving the fund's root may pass it on under any sub-project).
    private static func unitsPassOnWhatTheyReceive(_ scope: LoadedScope, _ tree: ProjectTree, _ log: inout FindingLog) {
        let file = scope.path(.plan)
        // Flat lists, not an array per unit: half a million units at province scale.
        let plan = scope.plan
        let incoming = UnitLists { add in for (i, line) in plan.enumerated() { add(line.to, i) } }
        let outgoing = UnitLists { add in for (i, line) in plan.enumerated() { add(line.from, i) } }
        for u in scope.entities.indices where scope.entities[u].parent != nil && !outgoing[u].isEmpty {
            let received = Set(incoming[u].map { scope.plan[Int($0)].project })
            func group(_ project: Int) -> Int {
                var outermost = project  // a project it never receives on stands alone
                for a in tree.ancestorsAndSelf(project) where received.contains(a) { outermost = a }
                return outermost
            }
            var inBy: [Int: Fen] = [:], inLines: [Int: [Int]] = [:]
            for i32 in incoming[u] {
                let i = Int(i32)
                let g = group(scope.plan[i].project)
                inBy[g, default: 0] += scope.plan[i].amount
                inLines[g, default: []].append(scope.plan[i].line)
            }
            var outBy: [Int: [Int]] = [:]
            for i in outgoing[u].map(Int.init) { outBy[group(scope.plan[i].project), default: []].append(i) }
            for g in outBy.keys.sorted() {
                let lines = (outBy[g] ?? []).sorted { scope.plan[$0].line < scope.plan[$1].line }
                let received = inBy[g] ?? 0
                let passed = lines.reduce(0) { $0 + scope.plan[$1].amount }
                guard passed > received else { continue }
                var running: Fen = 0
                var primary = lines.last ?? 0
                for i in lines {
                    running += scope.plan[i].amount
                    if running > received { primary = i; break }
                }
                log.add(Finding(.PL003, Message(
                    zh: "单位 \(scope.describeEntity(u)) 计划拨出项目 \(scope.describeProject(g)) \(wan(passed))，但计划收到只有 \(wan(received))，多出 \(wan(passed - received))",
                    en: "unit \(scope.describeEntity(u)) is planned to pass on \(wan(passed)) of project \(scope.describeProject(g)) but to receive only \(wan(received)), \(wan(passed - received)) more"),
                    at: SourceRef(file: file, line: scope.plan[primary].line),
                    related: sourceRefs((inLines[g] ?? []) + lines.filter { $0 != primary }.map { scope.plan[$0].line }, file: file),
                    project: scope.projects[g].code, entity: scope.entities[u].id, amount: passed - received))
            }
        }
    }

    // MARK: PL004

    private static func allocationsStayInSubtree(_ scope: LoadedScope, _ log: inout FindingLog) {
        let file = scope.path(.plan)
        for line in scope.plan where !scope.isAncestor(line.from, of: line.to) {
            log.add(Finding(.PL004, Message(
                zh: "单位 \(scope.describeEntity(line.from)) 把资金分配给不属于其下级的 \(scope.describeEntity(line.to))",
                en: "unit \(scope.describeEntity(line.from)) allocates to \(scope.describeEntity(line.to)), which is not under it"),
                at: SourceRef(file: file, line: line.line),
                project: scope.projects[line.project].code, from: scope.entities[line.from].id, to: scope.entities[line.to].id,
                amount: line.amount))
        }
    }
}

/// Children lists and traversal orders of the project hierarchy (cycles already broken).
struct ProjectTree {
    let children: [[Int]]
    let parent: [Int?]
    /// Every project after all of its descendants.
    let postOrder: [Int]

    init(_ projects: [Project]) {
        var children = [[Int]](repeating: [], count: projects.count)
        for (i, p) in projects.enumerated() { if let parent = p.parent { children[parent].append(i) } }
        self.children = children
        parent = projects.map(\.parent)
        var order: [Int] = []
        var stack: [(Int, Bool)] = projects.indices.filter { projects[$0].parent == nil }.reversed().map { ($0, false) }
        while let (node, expanded) = stack.popLast() {
            if expanded { order.append(node); continue }
            stack.append((node, true))
            for c in children[node].reversed() { stack.append((c, false)) }
        }
        postOrder = order
    }

    func subtree(of root: Int) -> [Int] {
        var out: [Int] = []
        var stack = [root]
        while let n = stack.popLast() {
            out.append(n)
            stack.append(contentsOf: children[n])
        }
        return out
    }

    /// From the project up to its root, the project first.
    func ancestorsAndSelf(_ p: Int) -> [Int] {
        var out: [Int] = []
        var current: Int? = p
        while let c = current, out.count <= parent.count {
            out.append(c)
            current = parent[c]
        }
        return out
    }
}
