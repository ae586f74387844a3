import Testing
@testable import FundreconCore

@Suite struct AmountParsing {
    func fen(_ text: String, _ unit: AmountUnit = .wanYuan) -> Result<Fen, AmountParseError> {
        ValueParsers.parseAmount(text, unit: unit)
    }

    @Test func wanYuanIsTheDefaultAndHoldsSixDecimals() {
        #expect(fen("750") == .success(750_000_000))
        #expect(fen("749.8986") == .success(749_898_600))
        #expect(fen("0.1014") == .success(101_400))
        #expect(fen("0.000001") == .success(1))
    }

    @Test func aUnitWordInTheValueWinsOverTheColumnUnit() {
        // The seed's "150元" in a 万元 document is 150 元, i.e. 15,000 分.
        #expect(fen("150元") == .success(15_000))
        #expect(fen("40万元") == .success(40_000_000))
        #expect(fen("40 万") == .success(40_000_000))
        #expect(fen("1.5亿") == .success(15_000_000_000))
        #expect(fen("12.34", .yuan) == .success(1_234))
    }

    @Test func fullWidthDigitsSeparatorsAndSigns() {
        #expect(fen("１２３．５") == .success(123_500_000))
        #expect(fen("1,234.5") == .success(1_234_500_000))
        #expect(fen("１，２３４") == .success(1_234_000_000))
        #expect(fen("-40") == .success(-40_000_000))
        #expect(fen("－0.5") == .success(-500_000))
        #expect(fen("¥1,000.00", .yuan) == .success(100_000))
        #expect(fen("  40  ") == .success(40_000_000))
    }

    /// Found by fuzzing: ten decimals of 亿元 are whole 分, though the fraction times 分 a
    /// 亿元 passes Int64 on the way.
    @Test func tenDecimalsOfYiYuanAreWholeFen() {
        #expect(ValueParsers.parseAmount("8.8888743188亿元", unit: .wanYuan) == .success(88_888_743_188))
        #expect(ValueParsers.parseAmount("0.9999999999", unit: .yiYuan) == .success(9_999_999_999))
    }

    @Test func trailingZerosAreNotPrecision() {
        #expect(fen("1.50", .yuan) == .success(150))
        #expect(fen("2.1000000000", .yuan) == .success(210))
    }

    @Test func subFenPrecisionIsRefused() {
        #expect(fen("0.0000001") == .failure(.tooPrecise))
        #expect(fen("1.234", .yuan) == .failure(.tooPrecise))
    }

    @Test func textAndMisplacedSeparatorsAreNotNumbers() {
        #expect(fen("abc") == .failure(.notANumber))
        #expect(fen("1,5") == .failure(.notANumber))  // a European decimal comma must not become 15
        #expect(fen("12,34,567") == .failure(.notANumber))
        #expect(fen("40美元") == .failure(.notANumber))
        #expect(fen(".") == .failure(.notANumber))
        #expect(fen("") == .failure(.empty))
        #expect(fen("   ") == .failure(.empty))
    }

    @Test func hugeAmountsOverflowSafely() {
        #expect(fen("99999999999999999") == .failure(.tooLarge))
        #expect(fen("1234567890123456789012") == .failure(.tooLarge))
    }
}

@Suite struct DateParsing {
    func day(_ text: String) -> String? {
        if case .success(let d) = ValueParsers.parseDate(text) { return d.description }
        return nil
    }

    @Test func everyFormOfTheSpecReadsTheSameDay() {
        for text in ["2021-05-20", "2021/5/20", "2021.5.20", "2021年5月20日", "20210520", "２０２１－０５－２０", " 2021-5-20 "] {
            #expect(day(text) == "2021-05-20", "\(text)")
        }
    }

    @Test func ambiguousAndImpossibleDatesAreRefused() {
        for text in ["5/20/2021", "2021-02-30", "2021-13-01", "2021-05", "2021-05-20 10:00", "2021/05-20", "21-5-20", "yesterday"] {
            #expect(day(text) == nil, "\(text)")
        }
        #expect(day("2020-02-29") == "2020-02-29")
        #expect(day("2021-02-29") == nil)
    }

    @Test func dayArithmeticRoundTrips() throws {
        let a = try #require(Day(year: 2021, month: 12, day: 31))
        let b = try #require(Day(year: 2021, month: 1, day: 1))
        #expect(a - b == 364)
        #expect(b.adding(days: 364) == a)
        #expect(Day(year: 1970, month: 1, day: 1)?.daysSinceEpoch == 0)
        #expect(Day(unixTime: 1_640_908_800).description == "2021-12-31")
    }
}

@Suite struct OtherValues {
    @Test func blanksAreTrimmedFromBothEndsWhateverTheLineEnd() {
        #expect("T1\r\n".trimmingBlanks() == "T1")
        #expect("\r\nT1".trimmingBlanks() == "T1")
        #expect("\u{3000} 张三\t".trimmingBlanks() == "张三")
        #expect("\u{FEFF}A B".trimmingBlanks() == "A B")
        #expect(" \r\n\u{3000}".trimmingBlanks() == "")
        #expect("A\u{FEFF}".trimmingBlanks() == "A\u{FEFF}")  // a byte-order mark only opens a text
    }

    @Test func documentNumbersCompareAcrossBracketVariants() {
        let canonical = ValueParsers.normalizeDocument("粤财工〔2020〕228号")
        for variant in ["粤财工[2020]228号", "粤财工【2020】228号", "粤财工﹝2020﹞228号", "粤财工(2020)228号", "粤财工（2020）228号", "粤财工 〔2020〕 228号"] {
            #expect(ValueParsers.normalizeDocument(variant) == canonical, "\(variant)")
        }
        #expect(ValueParsers.normalizeDocument("粤财工〔2020〕229号") != canonical)
    }

    @Test func levelsReadInBothLanguages() {
        #expect(Level(text: "省级") == .province)
        #expect(Level(text: "地级市") == .city)
        #expect(Level(text: "县级市") == .county)
        #expect(Level(text: "区") == .county)
        #expect(Level(text: "项目承担单位") == .grantee)
        #expect(Level(text: " Grantee ") == .grantee)
        #expect(Level(text: "乡镇") == nil)
        #expect(Level.province < Level.city && Level.county < Level.grantee)
    }

    @Test func moneyFormatsAsWanYuanWithoutTrailingZeros() {
        #expect(MoneyFormat.wanYuan(749_898_600) == "749.8986")
        #expect(MoneyFormat.wanYuan(750_000_000) == "750")
        #expect(MoneyFormat.wanYuan(-101_400) == "-0.1014")
        #expect(MoneyFormat.yuan(15_000) == "150.00")
    }

    @Test func headerCellsCarryNamesAndUnits() {
        let a = HeaderCell("金额（万元）")
        #expect(a.names == ["金额"] && a.unit == .wanYuan)
        let b = HeaderCell(" Amount (yuan) ")
        #expect(b.names == ["amount"] && b.unit == .yuan)
        let c = HeaderCell("金额(元)/amount")
        #expect(c.names == ["金额", "amount"] && c.unit == .yuan)
        let d = HeaderCell("单位名称（全称）")
        #expect(d.names == ["单位名称"] && d.unit == nil)
    }
}
