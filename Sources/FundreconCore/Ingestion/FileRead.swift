/// One file's share of a load: its accounting, findings, voucher table and what it adds to the
/// scope, kept apart until the file is done so that files can be read at once.
struct FileRead: Sendable {
    var stats: FileStats
    var log = FindingLog()
    var vouchers = VoucherRegistry()
    /// The second part's vouchers of a split file, kept when receipts name vouchers.
    var tailVouchers: VoucherRegistry?
    /// Document numbers of the plan, normalised once per spelling and then shared: a province's
    /// plan repeats a few hundred of them (a plan of all-different numbers keeps them anyway).
    var documents = WordCache(limit: .max) { text -> String? in
        let trimmed = text.trimmingBlanks()
        return trimmed.isEmpty ? nil : ValueParsers.normalizeDocument(trimmed)
    }
    var methods = WordCache { text -> MethodCell? in
        let trimmed = text.trimmingBlanks()
        if trimmed.isEmpty { return .empty }
        return AllocationMethod(text: trimmed).map(MethodCell.known) ?? .unknown(trimmed)
    }
    var plan: [PlanLine] = []
    /// The sizes of the accepted amounts added up (`admit`).
    var amountTotal: Fen = 0
    /// What packs the sender's vouchers of receipts.csv's rows (`ReceiptRow.ref`), carried from
    /// one part of the file to the next.
    var refPacking = WrittenVouchers.Packing()
    var entities: [Entity] = []
    var entityRefs = RefIndex()
    var projects: [Project] = []
    var projectRefs = RefIndex()
    var indicators: [IndicatorRow] = []
    var transferStatuses = WordCache { TransferStatus(text: $0) }
    var spendingStatuses = WordCache { SpendingStatus(text: $0) }
    var levels = WordCache { Level(text: $0) }
    // The second part of a split file only: what the first part decides.
    var deferred: [DeferredDuplicate] = []
    var rejectedLines: [Int32] = []
    /// The first part of a split file ran on to the end (see `CSVReader.splitAbandoned`).
    var splitAbandoned = false
}

/// A plan line's allocation method as written: nothing, a method, or words that name none.
enum MethodCell: Sendable {
    case empty
    case known(AllocationMethod)
    case unknown(String)
}
