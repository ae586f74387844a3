/// PL004: a unit allocates only to units under it in the hierarchy.
struct AllocationsStayInSubtree: FindingRule {
    let name = "PL004"
    func codes(in kind: RunKind) -> [RuleCode] { [.PL004] }
    let needs: [InputFile] = [.projects, .entities, .plan]

    func check(_ context: RuleContext, into log: inout FindingLog) {
        let scope = context.scope
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
