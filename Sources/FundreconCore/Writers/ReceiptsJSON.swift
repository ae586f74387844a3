/// The JSON report's `receipts` section (spec §4), present only when the scope has
/// receipts.csv: per hop the two books' totals, in transit by age, and the matches by status.
extension JSONReport {
    static func receipts(_ report: ReceiptReport, _ settings: Settings) -> String {
        var o = JSONObjectWriter()
        o.add("as_of", report.asOf.description)
        o.add("receipt_window_days", settings.receiptWindowDays)
        o.add("in_transit_days", settings.inTransitDays)
        o.addObjects("hops", report.hops) { h, x in
            x.add("hop", h.hop.name)
            amount(&x, "sent", h.sent)
            amount(&x, "received", h.received)
            var matched = h.status(.matched)
            matched.add(h.status(.batch))
            amount(&x, "matched", matched)
            x.addObjects("in_transit", AgingBand.allCases) { band, b in
                b.add("days", band.name)
                amount(&b, nil, h.inTransit[band.rawValue])
            }
            amount(&x, "not_sent", h.status(.notSent))
            amount(&x, "not_covered", h.notCovered)
            var byStatus = JSONObjectWriter()
            for status in ReceiptStatus.allCases { byStatus.add(status.name, h.status(status).count) }
            x.addRaw("matches_by_status", byStatus.finish())
            x.add("matches_not_listed", report.unlistedMatches[h.hop] ?? 0)
        }
        return o.finish()
    }

    /// `<name>_count`, `<name>_fen` and `<name>` in 万元 (or `count`, `fen`, `wan` without a name).
    private static func amount(_ x: inout JSONObjectWriter, _ name: String?, _ a: CountedAmount) {
        let prefix = name.map { $0 + "_" } ?? ""
        x.add(prefix + "count", a.count)
        x.add(prefix + "fen", a.amount)
        x.add(name ?? "wan", MoneyFormat.wanYuan(a.amount))
    }
}
