/// PL001: a project's sub-project budgets add up to its budget (to no more than it when
/// some sub-projects have no budget).
struct BudgetsAddUp: FindingRule {
    let name = "PL001"
    func codes(in kind: RunKind) -> [RuleCode] { [.PL001] }
    let needs: [InputFile] = [.projects]

    func check(_ context: RuleContext, into log: inout FindingLog) {
        let scope = context.scope, tree = context.tree
        let file = scope.path(.projects)
        for (p, project) in scope.projects.enumerated() {
            guard let budget = project.budget, !tree.children[p].isEmpty else { continue }
            let kids = tree.children[p]
            let known = kids.compactMap { scope.projects[$0].budget }
            let sum = known.reduce(0, +)
            let allKnown = known.count == kids.count
            guard allKnown ? sum != budget : sum > budget else { continue }
            let hint = RuleText.unitHint(sum, budget)
            log.add(Finding(.PL001, Message(
                zh: "项目 \(scope.describeProject(p)) 预算 \(RuleText.wan(budget))，子项目预算合计 \(RuleText.wan(sum))\(allKnown ? "" : "（部分子项目无预算）")，差额 \(RuleText.wan(sum - budget))\(hint.zh)",
                en: "project \(scope.describeProject(p)) has a budget of \(RuleText.wan(budget)) but its sub-projects add up to \(RuleText.wan(sum))\(allKnown ? "" : " (some have no budget)"), a difference of \(RuleText.wan(sum - budget))\(hint.en)"),
                at: SourceRef(file: file, line: project.line),
                related: kids.map { SourceRef(file: file, line: scope.projects[$0].line) },
                project: project.code, amount: sum - budget))
        }
    }
}
