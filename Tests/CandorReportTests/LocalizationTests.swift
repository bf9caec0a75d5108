import CandorCore
import CandorModels
import Foundation
import Testing
@testable import CandorReport

/// The report in Traditional Chinese and English: language, script, the claims policy in both,
/// and the status banners before anything else.
@Suite struct LocalizationTests {
    /// Characters that exist only in Simplified Chinese (their Traditional forms differ), common
    /// in report prose: none may appear in the zh-TW report.
    static let simplifiedOnly = Array(
        "说话这们时间录报检验证审记数据频长语声变对个为与后开关区确认读请问题应迟顿转换计础准标误页显无实际单点线图条强谐扰动静态测试结论档网络软设备资讯帐号码内际讯")

    /// Visible text: the document without its style sheet and tags (SVG tooltips included).
    func visibleText(_ html: String) -> String {
        var s = html
        if let a = s.range(of: "<style>"), let b = s.range(of: "</style>") { s.removeSubrange(a.lowerBound..<b.upperBound) }
        var out = ""
        var inTag = false
        for ch in s {
            if ch == "<" { inTag = true } else if ch == ">" { inTag = false } else if !inTag { out.append(ch) }
        }
        return out
    }

    func render(_ lang: ReportLanguage, audit: AuditStatus? = nil) throws -> String {
        var o = ReportOptions(caseID: "C1", sessionID: "S1", generatedAt: "2026-11-25T12:00:00Z", audit: audit)
        o.language = lang
        return HTMLReport.render(try loadFixture(), options: o)
    }

    @Test func chineseReportIsTraditionalChineseAndDeclaresIt() throws {
        let html = try render(.traditionalChinese)
        #expect(html.contains("<html lang=\"zh-Hant-TW\">"))
        let text = visibleText(html)
        let cjk = text.unicodeScalars.filter { (0x4E00...0x9FFF).contains($0.value) }.count
        let latin = text.unicodeScalars.filter { ($0.value >= 0x41 && $0.value <= 0x5A) || ($0.value >= 0x61 && $0.value <= 0x7A) }.count
        // Recorded data (file names, labels, hashes, model ids) stay as recorded; the rest is Chinese.
        #expect(cjk > latin, "CJK \(cjk) vs Latin letters \(latin)")
        let found = Self.simplifiedOnly.filter { text.contains($0) }
        #expect(found.isEmpty, "Simplified-only characters: \(String(found))")
        for needle in ["基準偏離與建議追問", "說話者", "稽核狀態", "平均基頻", "段落"] { #expect(html.contains(needle), "missing \(needle)") }
    }

    @Test func englishReportDeclaresEnglish() throws {
        let html = try render(.english)
        #expect(html.contains("<html lang=\"en\">"))
        #expect(html.contains("Baseline deviation and follow-up flags"))
    }

    @Test func noVerdictWordsInEitherLanguage() throws {
        let chinese = ["說謊", "謊言", "欺騙", "誠實", "撒謊", "可信度判斷"]
        for lang in ReportLanguage.allCases {
            let text = visibleText(try render(lang))
            #expect(ClaimsPolicy.firstVerdictWord(in: [text]) == nil, "\(lang): \(ClaimsPolicy.firstVerdictWord(in: [text]) ?? "")")
            for w in chinese { #expect(!text.contains(w), "\(lang) contains \(w)") }
            // Every catalogue text too, rendered or not.
            for child in Mirror(reflecting: lang.strings).children {
                let texts: [String] = (child.value as? String).map { [$0] } ?? (child.value as? [String]) ?? []
                #expect(ClaimsPolicy.firstVerdictWord(in: texts) == nil, "\(lang).\(child.label ?? "")")
                for w in chinese { #expect(!texts.joined().contains(w), "\(lang).\(child.label ?? "") contains \(w)") }
            }
        }
    }

    /// The same placeholders in every language, so no value is lost in translation.
    @Test func catalogueTemplatesAgree() throws {
        let en = Dictionary(uniqueKeysWithValues: Mirror(reflecting: ReportStrings.english).children.map { ($0.label ?? "", $0.value) })
        for child in Mirror(reflecting: ReportStrings.traditionalChinese).children {
            let label = child.label ?? ""
            if let zh = child.value as? String, let e = en[label] as? String {
                func holes(_ s: String) -> Set<String> {
                    Set((0..<6).map { "{\($0)}" }.filter { s.contains($0) })
                }
                #expect(holes(zh) == holes(e), "\(label): \(holes(zh)) vs \(holes(e))")
            }
            if let zh = child.value as? [String], let e = en[label] as? [String] { #expect(zh.count == e.count, "\(label)") }
        }
        #expect(Set(ReportStrings.traditionalChinese.cues.keys) == Set(ReportStrings.english.cues.keys))
    }

    @Test func languageComesFromTheLocale() {
        #expect(ReportLanguage.fromEnvironment(["LANG": "zh_TW.UTF-8"]) == .traditionalChinese)
        #expect(ReportLanguage.fromEnvironment(["LANG": "en_US.UTF-8", "LC_ALL": "zh_TW.UTF-8"]) == .traditionalChinese)
        #expect(ReportLanguage.fromEnvironment(["LC_ALL": "C", "LANG": "zh_TW.UTF-8"]) == .english)
        #expect(ReportLanguage.fromEnvironment(["LANG": "zh_CN.UTF-8"]) == .english)
        #expect(ReportLanguage.fromEnvironment([:]) == .english)
        #expect(ReportLanguage(option: "zh_TW") == .traditionalChinese && ReportLanguage(option: "fr") == nil)
    }

    func reviewLog(kind: String) -> AuditStatus {
        let lines = [
            #"{"case":"C1","operator":"alice","seq":0,"session":"S1","time":"2026-11-25T10:00:00.000Z","type":"session_opened"}"#,
            #"{"case":"C1","concerns_seq":0,"kind":"\#(kind)","note":"microphone failed in the second half","operator":"sup. Lin","seq":1,"session":"S1","time":"2026-11-25T12:00:00.000Z","type":"review"}"#,
        ].map { Array($0.utf8) }
        return AuditStatus.parse(recordLines: lines, checkpoint: nil, verification: .intact(size: 2, root: "ab"), source: "workspace ws")
    }

    @Test func disregardBannerComesBeforeAnyFlag() throws {
        for lang in ReportLanguage.allCases {
            let html = try render(lang, audit: reviewLog(kind: "disregard"))
            let banner = try #require(html.range(of: "microphone failed in the second half"))
            let flag = try #require(html.range(of: "class=\"flag on\""), "the fixture has a flagged segment")
            #expect(banner.lowerBound < flag.lowerBound)
            #expect(html.contains("sup. Lin"))
            #expect(html.contains("class=\"flags void\""), "flags are struck through")
            let overridden = try render(lang, audit: reviewLog(kind: "override"))
            #expect(!overridden.contains("class=\"flags void\""))
            #expect(overridden.range(of: "class=\"banner review\"")!.lowerBound < overridden.range(of: "class=\"flag on\"")!.lowerBound)
        }
    }

    @Test func failedVerificationBannerComesFirst() throws {
        let bad = AuditStatus(source: "bundle b", checkpoint: nil, verification: .failed("seq 3: signature: bad"), entries: [])
        let html = try render(.traditionalChinese, audit: bad)
        let h1 = try #require(html.range(of: "</h1>"))
        let banner = try #require(html.range(of: "class=\"banner bad\""))
        #expect(banner.lowerBound > h1.lowerBound)
        // Nothing of the body comes between the title and the red banner.
        #expect(!html[h1.upperBound..<banner.lowerBound].contains("<table"))
        #expect(html.contains("稽核驗證失敗：seq 3: signature: bad"))
    }

    @Test func timesAreClockTimesAndCuesHaveNames() throws {
        let html = try render(.english)
        #expect(html.contains("Mean pitch (semitones)"))
        #expect(!html.contains("<td>f0_mean_st"))
        #expect(formatClock(45.84, fine: true) == "0:45.8")
        #expect(HTMLReport.localTime("2026-11-25T12:00:00Z", .traditionalChinese) == "2026年11月25日 12:00:00（UTC）")
        #expect(HTMLReport.localTime("2026-11-25T12:00:00Z", .english) == "2026-11-25 12:00:00 UTC")
        #expect(formatClock(3725.04, fine: true) == "1:02:05.0")
    }

    @Test func longRecordingsGetTimelineRowsOfFiveMinutes() throws {
        var a = try loadFixture()
        a.duration = 1200
        // The same turns again 6.5 minutes later: the second row has content.
        if var c = a.conversation {
            c.turns += c.turns.map { t in
                var u = t
                u.start += 390
                u.end += 390
                return u
            }
            a.conversation = c
        }
        var o = ReportOptions(generatedAt: "2026-11-25T12:00:00Z")
        o.language = .english
        let html = HTMLReport.render(a, options: o)
        #expect(html.contains("id=\"timeline\"") && html.contains("id=\"timeline-2\""))
        #expect(html.contains("5:00–10:00"))
    }

    @Test func templatesFillEachPlaceholderOnce() {
        // A value that looks like a placeholder is not filled again.
        #expect(fillTemplate("{0} / {1}", ["{1}", "x"]) == "{1} / x")
        #expect(fillTemplate("{2} {0}", ["a"]) == "{2} a")
    }

    /// `candor analyze --lang zh-TW` prints its summary in Traditional Chinese.
    @Test func analyzeSummaryInChinese() throws {
        let sample = TestPaths.packageRoot.appendingPathComponent("samples/interview.flac").path
        let dir = tempDir("candor-summary")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try candor("analyze", sample, "--roles", "interviewer,interviewee", "--lang", "zh-TW", "--out", dir + "/a.json")
        #expect(r.status == 0, "\(r.stderr)")
        for needle in ["聲道 0［interviewer］", "平均基頻", "話輪", "分析結果已寫入"] { #expect(r.stdout.contains(needle), "missing \(needle)") }
        #expect(ClaimsPolicy.firstVerdictWord(in: [r.stdout]) == nil)
        let en = try candor("analyze", sample, "--roles", "interviewer,interviewee", "--lang", "en", "--out", dir + "/b.json")
        #expect(en.stdout.contains("analysis written to") && en.stdout.contains("1 overlap(s)"))
        #expect(try candor("analyze", sample, "--lang", "fr", "--out", dir + "/c.json").status == 2)
    }
}
