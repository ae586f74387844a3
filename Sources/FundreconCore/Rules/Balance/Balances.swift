/// Money through each unit (BL001–BL003, BL005, and FL006 for how long it stayed). Balances
/// are kept per unit and the outermost project it received that holds the movement: a city
/// that received the fund's root and paid grantees on sub-projects balances under the root.
/// Units are cut into two runs of about as much work each, which run at once.
struct Balances: Rule {
    let name = "balances"
    func codes(in kind: RunKind) -> [RuleCode] { kind == .reconcile ? [.FL006, .BL001, .BL002, .BL003, .BL005] : [] }
    let needs: [InputFile] = [.entities, .projects, .transfers]
    let parts = 2
    let runsAlone = true

    func run(part: Int, of parts: Int, _ context: RuleContext) -> RuleOutput {
        var out = RuleOutput()
        let pass = BalancePass(context: context, scope: context.scope, ledger: context.ledger)
        out.balances = pass.run(part: part, of: parts, into: &out.log)
        return out
    }
}

/// The balances of a run of units, and their findings.
struct BalancePass {
    let context: RuleContext
    // Read for every unit: held here rather than fetched through the context each time.
    let scope: LoadedScope
    let ledger: Ledger

    private var transfersFile: String { scope.path(.transfers) }
    private var spendingFile: String { scope.path(.spending) }

    private func ref(_ e: FlowEvent) -> SourceRef {
        SourceRef(file: e.file == 0 ? transfersFile : spendingFile, line: Int(e.line))
    }

    func run(into log: inout FindingLog) -> [BalanceResult] {
        run(part: 0, of: 1, into: &log)
    }

    /// The balances of one of `parts` runs of units (in id order), so that parts can be worked
    /// out at once. The parts' results and findings, put one after another, are those of one
    /// run.
    func run(part: Int, of parts: Int, into log: inout FindingLog) -> [BalanceResult] {
        var results: [BalanceResult] = []
        let asOf = context.period.asOf.daysSinceEpoch
        let workExpenseProjects = scope.projects.indices.filter { scope.projects[$0].kind == .workExpense }
        let runs = ledger.flowUnitRuns(parts)
        precondition(runs.indices.contains(part), "balance part \(part) of \(parts)")
        for unit in runs[part] {
            // The root unit is where the money comes from: no balance, no BL rules. A unit of
            // the ledger is one of the scope's (else a trap, never a balance left out).
            guard scope.entities[unit].parent != nil else { continue }
            let byProject = ledger.flows(ofUnit: unit)
            // Most units have one project and nothing after the as-of date: no copies then.
            let counted = byProject.map { p in
                p.events.allSatisfy { $0.day <= asOf } ? p : (project: p.project, events: p.events.filter { $0.day <= asOf })
            }
            var groups: [(project: Int, events: [FlowEvent])] = []
            if counted.count == 1 {
                // Most units have one project: it is its own group, whatever it received.
                if let only = counted.first, !only.events.isEmpty { groups = [only] }
            } else {
                let received = counted.filter { $0.events.contains { $0.kind == .received } }.map(\.project)
                for (project, events) in counted where !events.isEmpty {
                    var outermost = project
                    if received.count > 1 || received.first != project {
                        for a in context.tree.ancestorsAndSelf(project) where received.contains(a) { outermost = a }
                    }
                    if let i = groups.firstIndex(where: { $0.project == outermost }) {
                        groups[i].events.append(contentsOf: events)
                    } else {
                        groups.append((outermost, events))
                    }
                }
            }
            for (project, grouped) in groups.sorted(by: { $0.project < $1.project }) {
                let events = BalancePass.inOrder(grouped)
                let balance = BalanceResult(unit: unit, project: project,
                                            received: sum(events, .received), passedOn: sum(events, .passedOn),
                                            spent: sum(events, .spent), failed: sum(events, .failedSpending))
                results.append(balance)
                check(balance, events, &log)
                if scope.entities[unit].level < .grantee { holding(unit, project, events, &log) }
            }
            if !workExpenseProjects.isEmpty { workExpenses(unit, counted, &log) }
        }
        return results
    }

    /// Movements by day, kind and line. The three are packed into one integer to sort on:
    /// a closure comparing tuples costs a fifth of the balance rules.
    static func inOrder(_ events: [FlowEvent]) -> [FlowEvent] {
        guard events.count > 1 else { return events }
        // Day (32 bits, sign flipped so that order holds), kind (2 bits), line (30 bits).
        guard events.allSatisfy({ $0.line >= 0 && $0.line < 1 << 30 && $0.kind.rawValue < 4 }) else {
            return events.sorted { ($0.day, $0.kind.rawValue, $0.line) < ($1.day, $1.kind.rawValue, $1.line) }
        }
        // The key is worked out in the comparison, not stored beside each movement: no list
        // to build and none to map back. Keys are unique (a line holds one movement of a kind).
        @inline(__always) func key(_ e: FlowEvent) -> UInt64 {
            UInt64(UInt32(bitPattern: e.day) ^ 0x8000_0000) << 32 | UInt64(e.kind.rawValue) << 30 | UInt64(e.line)
        }
        var sorted = events
        sorted.sort { key($0) < key($1) }
        return sorted
    }

    private func sum(_ events: [FlowEvent], _ kind: FlowEvent.Kind) -> Fen {
        events.reduce(0) { $0 + ($1.kind == kind ? $1.amount : 0) }
    }

    private func tag(_ f: inout Finding, unit: Int, project: Int) {
        f.entity = scope.entities[unit].id
        f.project = scope.projects[project].code
    }

    private func check(_ b: BalanceResult, _ events: [FlowEvent], _ log: inout FindingLog) {
        let who = "\(scope.describeEntity(b.unit))（项目 \(scope.describeProject(b.project))）"
        let whoEn = "\(scope.describeEntity(b.unit)) (project \(scope.describeProject(b.project)))"
        let out = b.passedOn + b.spent
        if out > b.received {
            // The row that broke it: the outgoing one that took the total out past what came in.
            var running: Fen = 0
            var breaking = events.last { $0.kind == .passedOn || $0.kind == .spent }
            for e in events where e.kind == .passedOn || e.kind == .spent {
                running += e.amount
                if running > b.received { breaking = e; break }
            }
            let inflow = events.first { $0.kind == .received }
            var f = Finding(.BL001, Message(
                zh: "\(who) 收到 \(RuleText.wan(b.received))，拨出和支出合计 \(RuleText.wan(out))，多出 \(RuleText.wan(out - b.received))",
                en: "\(whoEn) received \(RuleText.wan(b.received)) but passed on and spent \(RuleText.wan(out)), \(RuleText.wan(out - b.received)) more"),
                at: breaking.map(ref) ?? SourceRef(file: transfersFile),
                related: inflow.map { [ref($0)] } ?? [], amount: out - b.received)
            tag(&f, unit: b.unit, project: b.project)
            log.add(f)
            return
        }
        guard b.received > 0 else { return }
        let lastIn = events.last { $0.kind == .received }.map(ref) ?? SourceRef(file: transfersFile)
        if b.balance > 0 && context.period.asOf >= context.period.end {
            var f = Finding(.BL002, Message(
                zh: "\(who) 期末结转结余 \(RuleText.wan(b.balance))（收到 \(RuleText.wan(b.received))，拨出 \(RuleText.wan(b.passedOn))，支出 \(RuleText.wan(b.spent))）",
                en: "\(whoEn) carries \(RuleText.wan(b.balance)) over at the period end (received \(RuleText.wan(b.received)), passed on \(RuleText.wan(b.passedOn)), spent \(RuleText.wan(b.spent)))"),
                at: lastIn, amount: b.balance)
            tag(&f, unit: b.unit, project: b.project)
            log.add(f)
        }
        // Execution against min_execution_rate, or before the period end against the
        // time-proportional benchmark (序时进度): elapsed share × min_execution_rate.
        let (elapsed, total) = context.period.elapsed
        let benchmarkPpm = Int128(context.settings.minExecutionRate.ppm) * Int128(elapsed) / Int128(total)
        if Int128(out) * 1_000_000 < Int128(b.received) * benchmarkPpm, let rate = b.executionRate {
            let benchmark = Ratio(ppm: Int64(benchmarkPpm))
            let early = context.period.asOf < context.period.end
            var f = Finding(.BL003, Message(
                zh: "\(who) 执行率 \(RuleText.percent(rate))，低于\(early ? "序时进度 " : "")\(RuleText.percent(benchmark))（收到 \(RuleText.wan(b.received))，拨出和支出 \(RuleText.wan(out))）",
                en: "\(whoEn) has executed \(RuleText.percent(rate)), below the \(early ? "time-proportional benchmark of " : "minimum of ")\(RuleText.percent(benchmark)) (received \(RuleText.wan(b.received)), passed on and spent \(RuleText.wan(out)))"),
                at: lastIn, amount: b.balance)
            tag(&f, unit: b.unit, project: b.project)
            log.add(f)
        }
    }

    /// FL006: money matched first-in first-out from arrival to leaving; one finding per unit
    /// and project, for the longest hold beyond the limit.
    private func holding(_ unit: Int, _ project: Int, _ events: [FlowEvent], _ log: inout FindingLog) {
        let level = scope.entities[unit].level
        let limit = context.settings.maxHoldDaysByLevel[level] ?? context.settings.maxHoldDays
        var queue: [(event: FlowEvent, left: Fen)] = []
        var head = 0
        var worst: (days: Int, amount: Fen, inflow: FlowEvent, outflow: FlowEvent)?
        for e in events {
            switch e.kind {
            case .received:
                if e.amount > 0 { queue.append((e, e.amount)) } else {
                    var back = -e.amount  // a reversal takes back the latest money first
                    while back > 0, queue.count > head, let last = queue.last {
                        let take = min(back, last.left)
                        back -= take
                        if take == last.left { queue.removeLast() } else { queue[queue.count - 1].left -= take }
                    }
                }
            case .passedOn, .spent:
                var need = e.amount
                while need > 0 && head < queue.count {
                    let take = min(need, queue[head].left)
                    let days = Int(e.day - queue[head].event.day)
                    if days > limit && days > (worst?.days ?? -1) { worst = (days, take, queue[head].event, e) }
                    need -= take
                    queue[head].left -= take
                    if queue[head].left == 0 { head += 1 }
                }
            case .failedSpending:
                continue
            }
        }
        guard let w = worst else { return }
        var f = Finding(.FL006, Message(
            zh: "\(scope.describeEntity(unit)) 于 \(Day(daysSinceEpoch: w.inflow.day)) 收到的资金，\(Day(daysSinceEpoch: w.outflow.day)) 才拨出或支出（\(RuleText.wan(w.amount))），滞留 \(w.days) 天，超过 \(limit) 天",
            en: "\(scope.describeEntity(unit)) held \(RuleText.wan(w.amount)) received on \(Day(daysSinceEpoch: w.inflow.day)) until \(Day(daysSinceEpoch: w.outflow.day)): \(w.days) days, over the \(limit)-day limit"),
            at: ref(w.outflow), related: [ref(w.inflow)], amount: w.amount)
        tag(&f, unit: unit, project: project)
        log.add(f)
    }

    /// BL005: what a unit received under a working-expense project against what it received
    /// under that project's siblings.
    private func workExpenses(_ unit: Int, _ counted: [(project: Int, events: [FlowEvent])], _ log: inout FindingLog) {
        var receivedOn: [Int: Fen] = [:]
        for (project, events) in counted { receivedOn[project, default: 0] += sum(events, .received) }
        func subtreeReceived(_ p: Int) -> Fen { context.tree.subtree(of: p).reduce(0) { $0 + (receivedOn[$1] ?? 0) } }
        for (w, project) in scope.projects.enumerated() where project.kind == .workExpense {
            let got = subtreeReceived(w)
            guard got > 0, let parent = project.parent else { continue }
            let siblings = context.tree.children[parent].filter { $0 != w }
            let base = siblings.reduce(0) { $0 + subtreeReceived($1) }
            guard Int128(got) * 1_000_000 > Int128(base) * Int128(context.settings.workExpenseCap.ppm) else { continue }
            let cap = Fen(Int128(base) * Int128(context.settings.workExpenseCap.ppm) / 1_000_000)
            let line = counted.first { $0.project == w }?.events.first { $0.kind == .received }
            var f = Finding(.BL005, Message(
                zh: "\(scope.describeEntity(unit)) 收到工作经费 \(RuleText.wan(got))（\(scope.describeProject(w))），超过同级项目收款 \(RuleText.wan(base)) 的 \(RuleText.percent(context.settings.workExpenseCap))（\(RuleText.wan(cap))）",
                en: "\(scope.describeEntity(unit)) received \(RuleText.wan(got)) of working expenses (\(scope.describeProject(w))), over \(RuleText.percent(context.settings.workExpenseCap)) (\(RuleText.wan(cap))) of the \(RuleText.wan(base)) received under the sibling projects"),
                at: line.map(ref) ?? SourceRef(file: transfersFile), amount: got - cap)
            tag(&f, unit: unit, project: w)
            log.add(f)
        }
    }
}
