/// A payment's identity for re-payment look-ups (BL004): unit, project, the payee's hash,
/// the amount and the day.
struct RowKey: Hashable, Sendable {
    let a: Int32
    let b: Int32
    let c: Int64
    let amount: Fen
    let day: Int32

    init(entity: Int, project: Int, payee: UInt64, amount: Fen, day: Day) {
        a = Int32(truncatingIfNeeded: entity)
        b = Int32(truncatingIfNeeded: project)
        c = Int64(bitPattern: payee)
        self.amount = amount
        self.day = day.daysSinceEpoch
    }
}
