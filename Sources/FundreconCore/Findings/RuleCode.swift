/// The stable rule codes of the spec's catalogue. Never reuse or renumber one.
public enum RuleCode: String, Sendable, CaseIterable, Comparable {
    case IN001, IN002, IN003, IN004, IN005, IN006, IN007, IN008, IN009, IN010
    case PL001, PL002, PL003, PL004
    case FL001, FL002, FL003, FL004, FL005, FL006, FL007, FL008, FL009
    case BL001, BL002, BL003, BL004, BL005
    case PI001, PI002, PI003, PI004, PI005
    case RC001, RC002, RC003, RC004, RC005, RC006
    case EX001, EX002

    public static func < (a: RuleCode, b: RuleCode) -> Bool { a.rawValue < b.rawValue }

    public var severity: Severity { RuleCatalogue.entry(self).severity }
}

/// What `fundrecon explain CODE` prints: what the rule checks, why it matters, how to fix the data.
public struct RuleExplanation: Sendable {
    public let severity: Severity
    public let title: Message
    public let why: Message
    public let fix: Message
}

public enum RuleCatalogue {
    public static func entry(_ code: RuleCode) -> RuleExplanation {
        switch code {
        case .IN001: return e(.error,
            "缺少必需的文件，或文件缺少必需的列", "A required file is missing, or a required column is missing in a file",
            "没有这个文件或这一列，依赖它的核对规则无法运行，汇总会标明哪些规则被跳过。", "Without the file or column the rules that need it cannot run; the summary lists the rules skipped.",
            "按 `fundrecon init` 生成的模板补上文件或列；列名可用英文名或中文别名，顺序不限。", "Add the file or column as in the templates of `fundrecon init`; columns may use the English name or a Chinese alias, in any order.")
        case .IN002: return e(.error,
            "文件既不是 UTF-8 也不是 GB18030 编码", "A file is neither UTF-8 nor GB18030",
            "按错误编码读出的单位名称和金额是乱码，会被当成另一个单位或另一个数字。", "Text read in the wrong encoding is garbage: names would match the wrong unit and numbers the wrong value.",
            "在 Excel 中另存为“CSV UTF-8（逗号分隔）”，或另存为 GB18030/GBK 编码的 CSV；如果只有个别行报错，修正这些行中的乱码字符。", "Save the sheet from Excel as \"CSV UTF-8 (comma delimited)\", or as CSV in GB18030/GBK; if only some rows are reported, fix the garbled characters on those rows.")
        case .IN003: return e(.error,
            "重复的键（单位编码、项目编码、凭证号）", "A duplicate key (entity id, project code, voucher)",
            "同一编码指向两条记录时无法确定用哪一条；重复的凭证号往往是同一笔款项录入了两次。", "Two records under one key cannot be told apart; a repeated voucher is usually one payment entered twice.",
            "删除重复行，或给不同的记录分配不同的编码 / 凭证号。第一次出现的行保留使用，后面的行被拒绝。", "Delete the repeated row, or give the records distinct ids or vouchers. The first occurrence is used; later ones are rejected.")
        case .IN004: return e(.error,
            "CSV 行格式错误（字段数不符、引号未闭合、必填值为空）", "Malformed CSV row (field count, unterminated quote, required value missing)",
            "字段错位时金额会落到错误的列中；未闭合的引号会吞掉后面的行。", "Shifted fields put amounts in the wrong column; an unclosed quote swallows the rows after it.",
            "检查该行的逗号和引号：含逗号或换行的值要用英文双引号括起来，值内的双引号写成两个。必填的编码和名称不能为空。", "Check the row's commas and quotes: a value holding a comma or line break is wrapped in double quotes, and a quote inside it is doubled. Required ids and names may not be empty.")
        case .IN005: return e(.error,
            "金额无法识别（不是数字、精度超过 1 分、不允许的负数）", "Bad amount (not a number, finer than 1 分, negative where not allowed)",
            "金额按整数“分”精确核对；无法识别的金额不能参与合计，否则合计就不准确。", "Amounts are reconciled exactly in 分; an amount that cannot be read cannot take part in any total.",
            "写成数字，可带千分位和单位，如 `40`、`1,234.5`、`40万元`、`150元`；万元最多 6 位小数，元最多 2 位。负数只用于 transfers.csv（红字冲销）和 spending.csv（退款）。", "Write a number, optionally with thousands separators and a unit: `40`, `1,234.5`, `40万元`, `150元`; at most 6 decimals in 万元, 2 in 元. Negative amounts belong only in transfers.csv (reversals) and spending.csv (refunds).")
        case .IN006: return e(.error,
            "日期无法识别", "Bad date",
            "到位期限、资金滞留和序时进度都按日期计算；日期不明的行无法判断是否逾期。", "Deadlines, holding periods and time-proportional progress are computed from dates; an unreadable date cannot be judged.",
            "写成 `2021-05-20`、`2021/5/20`、`2021.5.20`、`2021年5月20日` 或 `20210520`；不接受 `5/20/2021` 这类月日顺序不明的写法，也不接受不存在的日期。", "Write `2021-05-20`, `2021/5/20`, `2021.5.20`, `2021年5月20日` or `20210520`; `5/20/2021` (ambiguous order) and dates that do not exist are refused.")
        case .IN007: return e(.error,
            "引用了不存在的单位、项目、层级或状态", "A row names an unknown entity, project, level or status",
            "款项必须落到已登记的单位和项目上，否则无法汇总到任何一条拨付链路。", "Money must land on a registered unit and project, or it belongs to no flow.",
            "在 entities.csv / projects.csv 中登记该单位或项目，或改用已登记的编码或完整名称；层级用 省/市/县/单位，状态用 成功/失败/退回。", "Register the unit or project in entities.csv / projects.csv, or use a registered id or exact name; levels are province/city/county/grantee, statuses ok/failed/returned.")
        case .IN008: return e(.error,
            "资金流向不合理（向上级拨付、拨给自己、同级之间拨付）", "A flow goes up the hierarchy, from a unit to itself, or between unrelated units of one level",
            "专项资金只能逐级向下拨付；反向或同级拨付通常是拨出、接收单位填反了。", "Special funds flow downward; an upward or sideways flow usually means the payer and payee were swapped.",
            "核对拨出单位和接收单位是否填反；同级单位之间只允许上级单位拨给其下属单位。", "Check whether payer and payee are swapped; between units of one level only a parent may pass money to its own child.")
        case .IN009: return e(.error,
            "单位或项目的上下级关系有循环，或上级不存在", "The entity or project hierarchy has a cycle, or a parent that names nothing",
            "层级关系决定资金应如何逐级下达、下级预算如何汇总；循环或断开的层级无法汇总。", "The hierarchy decides how money should pass down and how sub-budgets add up; a cycle or a broken link cannot be summed.",
            "修正 parent（上级单位 / 上级项目）列，使其指向已登记的编码，且不形成循环。", "Fix the parent column so it names a registered id and forms no loop.")
        case .IN010: return e(.info,
            "未识别的列已忽略", "An unknown column was ignored",
            "列名写错时，本应读取的数据会被悄悄忽略；因此每个被忽略的列都会列出一次。", "A misspelt column name would silently drop data, so every ignored column is listed once.",
            "如果该列本应被读取，按模板改正列名；否则可以不理会。", "If the column was meant to be read, rename it as in the templates; otherwise nothing to do.")
        case .PL001: return e(.error,
            "子项目预算之和与上级项目预算不一致", "A project's sub-project budgets do not add up to its budget",
            "预算层层分解时必须闭合，否则有资金没有落实到具体项目，或者分配超出了总额。", "A budget split must close: otherwise money is left unassigned or more is assigned than exists.",
            "核对上级项目和各子项目的预算金额及单位（元 / 万元）。", "Check the budgets of the project and its sub-projects, and their unit (元 / 万元).")
        case .PL002: return e(.error,
            "同一层级单位对某项目的分配合计超过项目预算", "A level's plan lines for a project add up to more than its budget",
            "同一笔资金逐级下达，每一级分配的合计都不能超过预算；超出意味着分配方案本身不平。", "The same money passes each level; what one level allocates may not exceed the budget, or the plan itself does not balance.",
            "核对分配方案中该项目（含子项目）的各行金额，以及项目预算。", "Check the plan lines of the project (and its sub-projects) and its budget.")
        case .PL003: return e(.error,
            "单位计划拨出的资金多于其计划收到的资金", "A unit is planned to pass down more of a project than it is planned to receive",
            "一个单位不能分配它没有收到的钱。", "A unit cannot allocate money it does not receive.",
            "核对该单位收到和拨出的计划行，补上漏列的下达行或更正拨出金额。", "Check the unit's incoming and outgoing plan lines; add the missing incoming line or correct the outgoing amounts.")
        case .PL004: return e(.warning,
            "单位把资金分配给不属于其下级的单位", "A unit allocates to a unit outside its own subtree",
            "资金通常只下达给本地区、本系统的下级单位；跨地区分配需要有依据。", "Money normally goes to units under the allocator; a cross-region allocation needs a reason.",
            "核对 entities.csv 中接收单位的上级单位；如确属跨地区分配，在备注中说明依据。", "Check the receiving unit's parent in entities.csv; if the allocation is genuinely cross-region, note the basis.")
        case .FL001: return e(.error,
            "没有计划的拨付", "Money moved on an edge with no plan line (unplanned transfer)",
            "资金应按批准的分配方案下达；计划外拨付需要补充审批。", "Money must follow the approved plan; an unplanned transfer needs an approval.",
            "补列分配方案行，或更正拨付记录的项目 / 单位。", "Add the plan line, or correct the transfer's project or units.")
        case .FL002: return e(.error,
            "计划行到期仍未拨付", "A plan line with nothing transferred by its due date",
            "资金未按期下达会影响项目实施进度。", "Money not passed down in time delays the projects.",
            "尽快拨付，或登记已发生但漏录的拨付记录。", "Transfer the money, or record a transfer that happened but was not entered.")
        case .FL003: return e(.warning,
            "拨付不足", "Under-transferred: less than planned",
            "部分资金未下达。", "Part of the planned money has not been passed down.",
            "补拨差额，或核对计划金额。", "Transfer the difference, or check the planned amount.")
        case .FL004: return e(.error,
            "超额拨付", "Over-transferred: more than planned",
            "超出计划的资金没有分配依据，可能是重复拨付。", "Money beyond the plan has no basis; it is often a duplicate payment.",
            "核对是否重复拨付，必要时红字冲销。", "Check for a duplicate payment; reverse it if needed.")
        case .FL005: return e(.warning,
            "资金晚于到位期限到位", "The planned amount arrived after the line's due date",
            "资金下达时限是绩效评价的指标之一。", "Timeliness of allocation is a performance criterion.",
            "在备注中说明原因；今后按期限下达。", "Note the reason; pass money down on time in future.")
        case .FL006: return e(.warning,
            "资金滞留（收到后超过规定天数才拨出或支出）", "Money held longer than max_hold_days before being passed on or spent",
            "《预算法》要求转移支付资金按期下达，资金滞留是审计的常见问题。", "The Budget Law requires transfers to be passed down promptly; held funds are a common audit finding.",
            "尽快拨付或支出；如有正当原因，在备注中说明。", "Pass on or spend the money; note any valid reason.")
        case .FL007: return e(.warning,
            "可能重复的拨付", "A possible duplicate transfer",
            "同日同额同向的两笔拨付常常是重复录入或重复支付。", "Two transfers with the same units, amount and date are often one payment entered or made twice.",
            "核对凭证；确属重复时红字冲销。", "Check the vouchers; reverse the duplicate if it is one.")
        case .FL008: return e(.error,
            "计划与拨付金额相差一万倍（元 / 万元混用）", "Planned and transferred differ by a factor of 10,000 (元/万元 mix-up)",
            "把“万元”写成“元”是最常见的录入错误，会让核对结果完全失真。", "Writing 万元 as 元 is the commonest entry error and distorts every total.",
            "更正标出的那一行的金额或单位。", "Correct the amount or unit of the row named.")
        case .FL009: return e(.warning,
            "失败或退回的拨付没有补拨", "A failed or returned transfer that no later transfer replaced",
            "失败的款项实际上没有到账。", "A failed payment never arrived.",
            "补拨，或在备注中说明。", "Pay it again, or note why not.")
        case .BL001: return e(.error,
            "单位拨出和支出多于收到", "A unit passed on or spent more than it received",
            "单位不能花掉或拨出它没有收到的钱；通常是漏录了下达记录。", "A unit cannot spend money it has not received; usually an incoming transfer is missing.",
            "补录下达记录，或核对支出和拨出金额。", "Record the missing transfer in, or check the outgoing amounts.")
        case .BL002: return e(.info,
            "期末结转结余", "Money left at a unit at the period end",
            "结转结余需要在决算中说明。", "Carried-over balances must be explained in the final accounts.",
            "核对是否需要结转或收回。", "Decide whether to carry it over or recover it.")
        case .BL003: return e(.warning,
            "执行率偏低", "Execution rate below the minimum",
            "执行率是专项资金绩效评价的核心指标。", "The execution rate is a core performance criterion.",
            "加快支出进度。", "Speed up spending.")
        case .BL004: return e(.warning,
            "支付失败且未重新支付（结转下年）", "A failed spending payment that was not re-paid (carried over)",
            "例如收款单位银行账户异常导致支付失败，款项需要在下一年补发。", "E.g. a payment that failed on an abnormal bank account must be paid again next year.",
            "核实收款账户后重新支付，或登记结转。", "Verify the payee's account and pay again, or record the carry-over.")
        case .BL005: return e(.error,
            "工作经费超过上限", "Working expenses above the cap",
            "工作经费不得超过收到项目资金的规定比例（如 2%）。", "Working expenses may not exceed the set share (e.g. 2%) of the project money received.",
            "压减工作经费，或调整分配方案。", "Reduce the working expenses or amend the plan.")
        case .PI001: return e(.warning,
            "绩效目标未完成", "A performance target that is not met",
            "未完成的目标需要在自评报告中说明原因。", "An unmet target must be explained in the self-evaluation.",
            "说明原因并提出整改措施。", "Explain why and state the remedy.")
        case .PI002: return e(.warning,
            "缺少实际值，或实际值无法与目标比较", "No actual value, or one that cannot be read against its target",
            "没有可比较的实际值就无法评价目标是否完成。", "Without a comparable actual the target cannot be judged.",
            "填写与目标同口径的数字实际值，如“10个”“95%”。", "Enter a numeric actual in the target's terms, e.g. \"10个\", \"95%\".")
        case .PI003: return e(.error,
            "预算控制目标未实现：支出超过预算", "A budget-control target broken: spending above budget",
            "“不超预算”是成本指标的硬约束。", "\"Within budget\" is a hard cost constraint.",
            "核对支出记录和项目预算。", "Check the spending records and the project's budget.")
        case .PI004: return e(.info,
            "实际值按假设读取", "A value read with an assumption",
            "如目标是百分数、实际值写成 0.11，按 11% 理解；这一假设需要人工确认。", "E.g. 0.11 against a % target is read as 11%; the assumption needs a human check.",
            "把实际值写成与目标相同的形式（如 11%）。", "Write the actual in the target's form (e.g. 11%).")
        case .PI005: return e(.info,
            "定性目标，需人工评价", "A qualitative target left for manual review",
            "“有效提升”“不断加强”之类的目标没有可计算的数字。", "Targets such as 有效提升 or 不断加强 have no number to compute.",
            "人工评价，或改写为可量化的目标。", "Review by hand, or rewrite the target with a number.")
        case .RC001: return e(.error,
            "已拨出，接收单位超过在途期限仍未入账", "Sent, and not booked by the receiver within in_transit_days",
            "拨出的资金应及时到账入账；长期未入账可能是漏记、错记到其他单位，或资金并未实际到位。", "Money sent should be booked promptly; a transfer long unbooked was missed, booked to another unit, or never arrived.",
            "请接收单位核对银行流水并补记入账；如确未到账，与拨出单位核实拨付是否成功。", "Ask the receiver to check its bank statement and book the receipt; if the money never arrived, check with the sender whether the transfer went through.")
        case .RC002: return e(.error,
            "接收单位已入账，拨出单位没有对应的拨付记录", "Booked by a receiver, and sent by nobody",
            "入账的资金必须有来源；没有拨付记录的到账往往是拨出单位漏记，或接收单位记错了拨出单位或项目。", "Money booked must come from somewhere: usually the sender did not record the transfer, or the receiver booked the wrong sender or project.",
            "核对到账凭证上的付款单位和项目；拨出单位漏记的，补记拨付记录。", "Check the payer and project on the receipt's voucher; if the sender missed the transfer, record it.")
        case .RC003: return e(.error,
            "双方金额不一致", "The receipt's amount differs from the transfer's",
            "同一笔资金两边记账金额应相同；差异通常是单位（元/万元）、正负号、数字颠倒或四舍五入造成的录入错误。", "Both books should hold the same amount; a difference is usually an entry slip: 元/万元, the sign, two digits swapped, or rounding.",
            "按提示的可能原因核对两边的凭证，更正记错的一方。", "Check both vouchers against the likely cause given, and correct the wrong side.")
        case .RC004: return e(.warning,
            "金额、日期一致，但记在了另一个项目下", "Matched on units, amount and date, but booked under another project",
            "专项资金要按项目核算；记错项目会使两个项目的执行情况都不准确。", "Special funds are accounted per project; a receipt under the wrong project misstates both projects.",
            "核对拨款文件的项目，调整记错一方的项目。", "Check the project in the allocation document and move the wrong side's entry.")
        case .RC005: return e(.info,
            "在途：已拨出，尚未入账，未超过在途期限", "In transit: sent, not yet booked, within in_transit_days",
            "资金从拨出到入账需要几天时间；在途本身不是问题，超过期限才需要处理。", "Money takes a few days from sender to receiver's books; in transit is normal until it lasts too long.",
            "无需处理；超过期限后会变为 RC001。", "Nothing to do; past the limit it becomes RC001.")
        case .RC006: return e(.info,
            "合并或拆分入账（一笔入账对应多笔拨付，或反之）", "Matched as a batch: one receipt for several transfers, or the reverse",
            "合并或拆分入账本身没有错，但需要能对应到每一笔拨付。", "Booking in batches is not wrong, but each transfer must still be traceable.",
            "核对列出的各行；如需逐笔对应，在摘要中注明对方凭证号。", "Check the rows listed; to match one by one, write the sender's voucher in the receipt's ref column.")
        case .EX001: return e(.warning,
            "说明对应的问题本次没有出现", "An explanation whose finding this run did not find",
            "问题已解决时，说明应当保留备查；问题键写错时，说明就挂不到问题上。两种情况都需要有人看一眼。", "When a finding is resolved its explanation is kept for the record; when the key is mistyped the explanation reaches no finding. Either way someone should look.",
            "问题已解决的，可以把说明移到归档；键写错的，按报告中的 key 改正。", "If the finding is resolved, archive the explanation; if the key is wrong, copy the key from the report.")
        case .EX002: return e(.warning,
            "说明文件中无法使用的行（没有问题键、处理状态无法识别、问题键重复）", "An explanations row that cannot be used (no key, an unknown status, a key given twice)",
            "无法使用的说明不会起作用，相应的问题仍按未处理计。", "An explanation that cannot be used does nothing: its finding still counts as open.",
            "补上问题键，处理状态写 待处理/已说明/已更正/不适用，同一问题只写一行。", "Give the key, write the status as open, explained, corrected or not applicable, and one row per finding.")
        }
    }

    private static func e(_ s: Severity, _ tz: String, _ te: String, _ wz: String, _ we: String, _ fz: String, _ fe: String) -> RuleExplanation {
        RuleExplanation(severity: s, title: Message(zh: tz, en: te), why: Message(zh: wz, en: we), fix: Message(zh: fz, en: fe))
    }
}
