/// BL004: a failed payment (支付失败) that no later paid row re-paid: same unit, project,
/// payee and amount, on its day or later. The money stays at the unit and is carried over.
/// Whether each was re-paid is answered as spending.csv ends (`repaid(_:_:)`, called by the
/// ledger), so that the paid rows need not be kept for the rules.
struct FailedPaymentsNotRepaid: FindingRule {
    let name = "BL004"
    func codes(in kind: RunKind) -> [RuleCode] { kind == .reconcile ? [.BL004] : [] }
    let needs: [InputFile] = [.entities, .projects, .spending]

    func check(_ context: RuleContext, into log: inout FindingLog) {
        let scope = context.scope, ledger = context.ledger
        let spendingFile = scope.path(.spending)
        let repaid = ledger.repaid
        for (i, p) in ledger.failedPayments.enumerated() where Day(daysSinceEpoch: p.key.day) <= context.period.asOf {
            guard i < repaid.count, !repaid[i] else { continue }
            var f = Finding(.BL004, Message(
                zh: "\(scope.describeEntity(p.entity)) \(Day(daysSinceEpoch: p.key.day)) 向“\(p.payee ?? "")”支付 \(RuleText.wan(p.key.amount)) 失败，之后未重新支付，结转下年",
                en: "\(scope.describeEntity(p.entity))'s payment of \(RuleText.wan(p.key.amount)) to \"\(p.payee ?? "")\" on \(Day(daysSinceEpoch: p.key.day)) failed and was not paid again: carried over"),
                at: SourceRef(file: spendingFile, line: p.line), amount: p.key.amount)
            f.entity = scope.entities[p.entity].id
            f.project = scope.projects[p.project].code
            log.add(f)
        }
    }

    /// Whether each failed payment was paid again (same unit, project, payee and amount, on
    /// its day or later). One pass over the paid rows against the few failed keys.
    static func repaid(_ failed: [PaidRow], _ paid: [PaidRow]) -> [Bool] {
        var latestPaid: [PaidRow.Key: Int32] = [:]
        // A bit per mix of a failed payment's key, 8 KB: most paid rows share no key with a
        // failed one and are passed over without hashing their key for the dictionary
        // (which costs a tenth of a second a million rows).
        var filter = [UInt64](repeating: 0, count: 1024)
        for p in failed {
            latestPaid[p.key] = .min
            let bit = p.filterBit
            filter[bit >> 6] |= 1 << UInt64(bit & 63)
        }
        guard !latestPaid.isEmpty else { return [] }
        for row in paid {
            let bit = row.filterBit
            guard filter[bit >> 6] & (1 << UInt64(bit & 63)) != 0 else { continue }
            let key = row.key
            if let day = latestPaid[key], row.day > day { latestPaid[key] = row.day }
        }
        return failed.map { (latestPaid[$0.key] ?? .min) >= $0.day }
    }
}
