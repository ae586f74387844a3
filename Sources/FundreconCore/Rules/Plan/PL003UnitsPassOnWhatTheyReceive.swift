/// PL003: a unit is planned to pass on no more of a project than it is planned to receive.
struct UnitsPassOnWhatTheyReceive: FindingRule {
    let name = "PL003"
    func codes(in kind: RunKind) -> [RuleCode] { [.PL003] }
    let needs: [InputFile] = [.projects, .entities, .plan]

    /// A unit's outgoing lines are grouped under the outermost project it receives on that holds
    /// them (a city receiving the fund's root may pass it on under any sub-project).
    func check(_ context: RuleContext, into log: inout FindingLog) {
        let scope = context.scope, tree = context.tree
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
                    zh: "单位 \(scope.describeEntity(u)) 计划拨出项目 \(scope.describeProject(g)) \(RuleText.wan(passed))，但计划收到只有 \(RuleText.wan(received))，多出 \(RuleText.wan(passed - received))",
                    en: "unit \(scope.describeEntity(u)) is planned to pass on \(RuleText.wan(passed)) of project \(scope.describeProject(g)) but to receive only \(RuleText.wan(received)), \(RuleText.wan(passed - received)) more"),
                    at: SourceRef(file: file, line: scope.plan[primary].line),
                    related: RuleText.sourceRefs((inLines[g] ?? []) + lines.filter { $0 != primary }.map { scope.plan[$0].line }, file: file),
                    project: scope.projects[g].code, entity: scope.entities[u].id, amount: passed - received))
            }
        }
    }
}
