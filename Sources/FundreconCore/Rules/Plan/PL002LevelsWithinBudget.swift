/// PL002: what one level of units allocates of a project stays within the project's budget.
struct LevelsWithinBudget: FindingRule {
    let name = "PL002"
    func codes(in kind: RunKind) -> [RuleCode] { [.PL002] }
    let needs: [InputFile] = [.projects, .entities, .plan]

    /// Per project and allocating level: its own lines, plus each sub-project's lines capped at
    /// that sub-project's budget, must stay within the budget. Capping keeps a sub-project's
    /// own excess from being reported again at every ancestor.
    func check(_ context: RuleContext, into log: inout FindingLog) {
        let scope = context.scope, tree = context.tree
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
                let hint = RuleText.unitHint(capped, budget)
                log.add(Finding(.PL002, Message(
                    zh: "\(level.chinese)级单位对项目 \(scope.describeProject(p)) 的分配合计 \(RuleText.wan(capped))，项目预算 \(RuleText.wan(budget))，超出 \(RuleText.wan(capped - budget))\(hint.zh)",
                    en: "\(level.english) units allocate \(RuleText.wan(capped)) of project \(scope.describeProject(p)), \(RuleText.wan(capped - budget)) over its budget of \(RuleText.wan(budget))\(hint.en)"),
                    at: SourceRef(file: file, line: scope.plan[primary].line),
                    related: [SourceRef(file: scope.path(.projects), line: scope.projects[p].line)]
                        + RuleText.sourceRefs(lineIndices.filter { $0 != primary }.map { scope.plan[$0].line }, file: file),
                    project: scope.projects[p].code, amount: capped - budget))
            }
        }
    }
}
