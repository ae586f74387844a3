/// One row of each input file: its values parsed and checked (IN003–IN008 through
/// `RowCheck`), and the accepted row kept or handed to its sink.
extension FileReading {
    func readEntity(_ row: inout RowCheck, _ read: inout FileRead) {
        // Every unit is new to the table, so its slot misses the cache: loaded while the
        // row's texts are made.
        let keyProbe = read.entityRefs.prefetch(row.value(.id))
        let id = row.requiredText(.id)
        let name = row.requiredText(.name)
        let level = read.levels.value(row.value(.level))
        let levelText = level == nil ? row.text(.level) ?? "" : ""
        if level == nil {
            row.fail(.IN007, .level, levelText.isEmpty
                     ? Message(zh: "层级为空（应为 省/市/县/单位）", en: "level is empty (province, city, county or grantee)")
                     : Message(zh: "无法识别的层级“\(levelText)”（应为 省/市/县/单位）", en: "unknown level \"\(levelText)\" (province, city, county or grantee)"))
        }
        let parent = row.text(.parent)
        guard let id, let name, let level, !row.rejected else { return }
        if row.value(.id).count != id.utf8.count { read.entityRefs.keysAreTexts = false }
        // The unit's level rides in its slot: the direction check of every row reads it there.
        if let earlier = registerKey(row, &read.entityRefs, probe: keyProbe, tag: UInt8(level.rawValue)) {
            reportDuplicateKey(&row, firstLine: read.entities[earlier].line)
            return
        }
        read.entityRefs.addName(name)
        read.entities.append(Entity(id: id, name: name, level: level, parentRef: parent, line: row.line, parent: nil))
    }

    func readProject(_ row: inout RowCheck, _ read: inout FileRead) {
        let keyProbe = read.projectRefs.prefetch(row.value(.code))
        let code = row.requiredText(.code)
        let name = row.requiredText(.name)
        let budget = row.amount(.budget, required: false, allowNegative: false)
        let kindText = row.text(.kind) ?? ""
        let kind = ProjectKind(text: kindText)
        if kind == nil {
            row.fail(.IN007, .kind, Message(zh: "无法识别的项目类别“\(kindText)”（可留空，或填 工作经费）",
                                            en: "unknown project kind \"\(kindText)\" (leave empty, or work-expense)"))
        }
        let parent = row.text(.parent)
        guard let code, let name, let kind, !row.rejected, budget.map({ admit($0, .budget, &row, &read) }) ?? true else { return }
        if row.value(.code).count != code.utf8.count { read.projectRefs.keysAreTexts = false }
        if let earlier = registerKey(row, &read.projectRefs, probe: keyProbe) {
            reportDuplicateKey(&row, firstLine: read.projects[earlier].line)
            return
        }
        read.projectRefs.addName(name)
        read.projects.append(Project(code: code, name: name, parentRef: parent, budget: budget, kind: kind, line: row.line, parent: nil))
    }

    /// IN003: the key column must be new in this file; the first occurrence is kept.
    /// Returns nil when the key is new, else the index of the item that already has it.
    func registerKey(_ row: RowCheck, _ refs: inout RefIndex, probe: IDTable.Probe, tag: UInt8 = 0) -> Int? {
        refs.register(row.value(row.keyColumn), probe: probe, tag: tag)
    }

    func reportDuplicateKey(_ row: inout RowCheck, firstLine: Int) {
        let key = row.text(row.keyColumn) ?? ""
        row.fail(.IN003, row.keyColumn, Message(
            zh: "编码“\(key)”重复（第 \(firstLine) 行已使用），本行未使用",
            en: "duplicate key \"\(key)\" (already used on line \(firstLine)); this row is not used"),
            related: [SourceRef(file: row.path, line: firstLine)])
    }

    /// The most the sizes of one file's amounts may add up to: 2^60 分, about 1.15 × 10^16 元.
    /// A sum of money of any rule (of at most seven such files, one of them read in two
    /// parts) then stays inside Int64, so no sum can overflow. No fund comes near it; a row
    /// that would pass it is rejected (IN005), which keeps a hostile file from stopping the run.
    static let amountLimit: Fen = 1 << 60

    /// Counts a row's amount into its file's total, or rejects the row (IN005) when the total
    /// would pass `amountLimit`.
    func admit(_ amount: Fen, _ column: Column, _ row: inout RowCheck, _ read: inout FileRead) -> Bool {
        guard amount.magnitude <= UInt64(Self.amountLimit - read.amountTotal) else {
            let limit = MoneyFormat.yuan(Self.amountLimit)
            row.fail(.IN005, column, Message(
                zh: "金额 \(RuleText.wan(amount)) 使本文件金额合计超出可核算的上限（\(limit) 元），本行未使用",
                en: "the amount \(RuleText.wan(amount)) takes this file's total past the most that can be reconciled (\(limit) 元); this row is not used"))
            return false
        }
        read.amountTotal += Fen(amount.magnitude)
        return true
    }

    func readPlanLine(_ row: inout RowCheck, _ read: inout FileRead) {
        let label = row.text(.line)
        let project = row.project(.project)
        let from = row.entity(.from)
        let to = row.entity(.to)
        let amount = row.amount(.amount, required: true, allowNegative: false)
        var method: AllocationMethod?
        switch read.methods.value(row.value(.method)) {
        case .known(let m): method = m
        case .unknown(let methodText):
            row.fail(.IN007, .method, Message(
                zh: "无法识别的分配方式“\(methodText)”（竞争性分配/因素分配/集体研究/后补助/戴帽）",
                en: "unknown allocation method \"\(methodText)\" (competitive, factor, collective, post-subsidy, earmarked)"))
        case .empty, nil: break
        }
        let document = read.documents.value(row.value(.document))
        let due = row.date(.due, required: false)
        if let from, let to { row.checkDirection(from: from, to: to) }
        guard !row.rejected, let project, let from, let to, let amount, admit(amount, .amount, &row, &read) else { return }
        read.plan.append(PlanLine(label: label, project: project, from: from, to: to, amount: amount,
                                   method: method, document: document, due: due, line: row.line))
    }

    func readTransfer(_ row: inout RowCheck, _ read: inout FileRead, _ sink: ((TransferRow) -> Void)?) {
        // The voucher table is the one big random access of the row: start loading its slot,
        // parse the rest, then look.
        let voucherProbe = row.prefetchVoucher(in: &read.vouchers)
        row.prefetchUnit(.from)
        row.prefetchUnit(.to)
        // A unit's look-up misses the cache twice for a long id (its slot, then its key), once
        // for one of up to 8 bytes, whose slot also holds its level: each load is started a
        // stretch of parsing before it is needed. A finding's place in the report is its
        // column's, so the order of the checks is free.
        let date = row.date(.date, required: true)
        let project = row.project(.project)
        row.prefetchUnitKeys()
        let amount = row.amount(.amount, required: true, allowNegative: true)
        let status = row.status(&read.transferStatuses) {
            Message(zh: "无法识别的状态“\($0)”（成功/失败/退回）", en: "unknown status \"\($0)\" (ok, failed, returned)")
        }
        let from = row.entity(.from)
        let to = row.entity(.to)
        let voucherIsNew = row.voucher(into: &read.vouchers, probe: voucherProbe)
        if let from, let to { row.checkDirection(from: from, to: to) }
        guard !row.rejected, voucherIsNew, let date, let project, let from, let to, let amount, let status,
              admit(amount, .amount, &row, &read), sink != nil else { return }
        // Called through the optional: bound to a name first, the closure is retained a row.
        sink?(TransferRow(date: date, project: project, from: from, to: to, amount: amount, status: status, line: row.line))
    }

    func readSpending(_ row: inout RowCheck, _ read: inout FileRead, _ sink: ((SpendingRow) -> Void)?) {
        let voucherProbe = row.prefetchVoucher(in: &read.vouchers)
        row.prefetchUnit(.entity)
        let date = row.date(.date, required: true)
        let project = row.project(.project)
        row.prefetchUnitKeys()
        let amount = row.amount(.amount, required: true, allowNegative: true)
        let status = row.status(&read.spendingStatuses) {
            Message(zh: "无法识别的支付状态“\($0)”（已支付/支付失败）", en: "unknown payment status \"\($0)\" (paid, failed)")
        }
        let entity = row.entity(.entity)
        let voucherIsNew = row.voucher(into: &read.vouchers, probe: voucherProbe)
        guard !row.rejected, voucherIsNew, let date, let entity, let project, let amount, let status,
              admit(amount, .amount, &row, &read), sink != nil else { return }
        sink?(SpendingRow(date: date, entity: entity, project: project, amount: amount, status: status,
                         payeeHash: row.withValue(.payee) { ByteInterner.hash($0) },
                         payee: status == .failed ? row.text(.payee) : nil, line: row.line))
    }

    func readReceipt(_ row: inout RowCheck, _ read: inout FileRead, _ sink: ((ReceiptRow) -> Void)?) {
        let voucherProbe = row.prefetchVoucher(in: &read.vouchers)
        row.prefetchUnit(.from)
        row.prefetchUnit(.to)
        let date = row.date(.date, required: true)
        let project = row.project(.project)
        row.prefetchUnitKeys()
        let amount = row.amount(.amount, required: true, allowNegative: true)
        let from = row.entity(.from)
        let to = row.entity(.to)
        let voucherIsNew = row.voucher(into: &read.vouchers, probe: voucherProbe)
        if let from, let to { row.checkDirection(from: from, to: to) }
        guard !row.rejected, voucherIsNew, let date, let project, let from, let to, let amount,
              admit(amount, .amount, &row, &read), sink != nil else { return }
        sink?(ReceiptRow(date: date, project: project, from: from, to: to, amount: amount, ref: row.packed(.ref, into: &read.refPacking), line: row.line,
                         part: receiptPart))
    }

    func readIndicator(_ row: inout RowCheck, _ read: inout FileRead) {
        let project = row.project(.project)
        let name = row.requiredText(.name)
        let target = row.requiredText(.target)
        guard !row.rejected, let project, let name, let target else { return }
        read.indicators.append(IndicatorRow(project: project, level1: row.text(.level1), level2: row.text(.level2),
                                             name: name, target: target, actual: row.text(.actual), line: row.line))
    }
}
