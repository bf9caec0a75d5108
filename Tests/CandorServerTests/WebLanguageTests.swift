import CandorAudit
import CandorCore
import Foundation
import Testing

@testable import CandorServer

/// The web UI's two languages: the choice (query, cookie, Accept-Language), every page in
/// Traditional Chinese and English with `<html lang>` to match, and no verdict word in either
/// catalogue or on any page.
@Suite struct WebLanguageTests {
    @Test func acceptLanguageChoosesByQualityAndSkipsSimplifiedChinese() {
        #expect(WebLocale.fromAcceptLanguage("zh-TW,zh;q=0.9,en-US;q=0.8,en;q=0.7") == .traditionalChinese)
        #expect(WebLocale.fromAcceptLanguage("en-US,en;q=0.9,zh-TW;q=0.8") == .english)
        #expect(WebLocale.fromAcceptLanguage("en;q=0.5, zh-Hant;q=0.9") == .traditionalChinese)
        #expect(WebLocale.fromAcceptLanguage("zh-HK") == .traditionalChinese)
        #expect(WebLocale.fromAcceptLanguage("zh") == .traditionalChinese)
        #expect(WebLocale.fromAcceptLanguage("zh-CN,en;q=0.5") == .english)
        #expect(WebLocale.fromAcceptLanguage("zh-Hans-TW, fr") == nil)
        #expect(WebLocale.fromAcceptLanguage("fr-FR, de;q=0.8") == nil)
        #expect(WebLocale.fromAcceptLanguage("zh-TW;q=0, en") == .english)
        #expect(WebLocale.fromAcceptLanguage(nil) == nil)
        #expect(WebLocale.fromAcceptLanguage("") == nil)
    }

    static let forbiddenEnglish: Set<String> = ["lie", "deceptive", "truthful"]
    static let forbiddenChinese = ["說謊", "謊言", "欺騙", "誠實"]

    /// The verdict words in `text`: English ones as whole words (any case), Chinese ones anywhere.
    static func verdictWords(_ text: String) -> [String] {
        let words = text.lowercased().split { !$0.isLetter }.map(String.init)
        return words.filter { forbiddenEnglish.contains($0) } + forbiddenChinese.filter { text.contains($0) }
    }

    /// Every string in a catalogue (dictionaries' values included).
    static func strings(_ t: WebStrings) -> [String] {
        Mirror(reflecting: t).children.flatMap { child -> [String] in
            if let s = child.value as? String { return [s] }
            if let d = child.value as? [Role: String] { return Array(d.values) }
            if let d = child.value as? [String: String] { return Array(d.values) }
            if let d = child.value as? [Int: String] { return Array(d.values) }
            return []
        }
    }

    @Test func bothCataloguesAreCompleteAndFreeOfVerdictWords() {
        let en = Self.strings(.english), zh = Self.strings(.traditionalChinese)
        #expect(en.count == zh.count && en.count > 60)
        for s in en + zh {
            #expect(!s.isEmpty)
            #expect(Self.verdictWords(s).isEmpty, "\(s)")
        }
        // The Chinese catalogue is Chinese: most of its texts contain CJK characters.
        let cjk = zh.filter { $0.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } }
        #expect(cjk.count >= zh.count - 12, "\(zh.filter { s in !cjk.contains(s) })")
        // Placeholders agree between the languages.
        func placeholders(_ s: String) -> Set<String> { Set(s.matches(of: /\{\d\}/).map { String(s[$0.range]) }) }
        let pairs = zip(
            Mirror(reflecting: WebStrings.english).children.compactMap { $0.value as? String },
            Mirror(reflecting: WebStrings.traditionalChinese).children.compactMap { $0.value as? String })
        for (a, b) in pairs { #expect(placeholders(a) == placeholders(b), "\(a) / \(b)") }
    }

    @Test func everyPageRendersInBothLanguagesWithHTMLLang() throws {
        let s = try SessionRef(caseID: "C1", sessionID: "S1")
        let session = SignInSession(id: "x", user: "carol", kind: .cookie, csrf: "c", expires: 0)
        let carol = Principal(account: Account(name: "carol", role: .supervisor, passwordHash: "", created: ""), session: session)
        let alice = Principal(account: Account(name: "alice", role: .investigator, passwordHash: "", created: ""), session: session)
        let audit = SessionAudit(
            intact: true, size: 2, root: String(repeating: "ab", count: 32), failure: nil, checkpoint: nil,
            records: [
                .init(seq: 0, status: .verified, fields: .object(["type": "evidence_ingested", "user": "alice", "what": "segments"])),
                .init(seq: 1, status: .verified, fields: .object(["type": "accessed", "user": "carol", "action": "viewed"])),
            ],
            witnesses: [.init(name: "w1", url: "https://w1.example", cosignedAt: nil)])
        for language in InterfaceLanguage.allCases {
            let l = WebLocale(language: language, path: "/ui/cases")
            let t = l.t
            let pages = [
                ("login", Pages.login(error: t.loginFailed, l), [t.signInTitle, t.userName, t.password]),
                (
                    "cases", Pages.cases(carol, [CaseSummary(caseID: "C1", sessions: ["S1"], investigators: ["alice"])], l),
                    [t.columnSessions]
                ),
                ("no cases", Pages.cases(alice, [], l), [t.noCaseYet]),
                ("session", Pages.session(carol, s, audit, reviewed: "2", l), [t.auditTimeline, t.reviewButton, t.witnesses]),
                ("upload", Pages.upload(alice, cases: ["C1"], l), [t.uploadRecording, t.uploadSegments]),
                (
                    "error", Pages.error(alice, ServerError.forbidden("alice may not read case C2"), l),
                    [t.errorTitles[403]!, t.backToCases]
                ),
            ]
            for (name, html, expected) in pages {
                #expect(html.contains("<html lang=\"\(language.htmlLang)\">"), "\(name) \(language)")
                for e in expected { #expect(html.contains(HTML.escape(e)), "\(name) \(language): \(e)") }
                #expect(Self.verdictWords(html).isEmpty, "\(name) \(language): \(Self.verdictWords(html))")
                #expect(!html.contains("<script"))
                // The link to the other language.
                #expect(html.contains("?lang=\(language == .english ? "zh-TW" : "en")"))
            }
        }
        // Spot checks of the Chinese pages' wording.
        let zh = WebLocale(language: .traditionalChinese)
        #expect(Pages.session(carol, s, audit, reviewed: "2", zh).contains("覆核已記錄為第 2 筆紀錄"))
        #expect(Pages.cases(carol, [], zh).contains("(主管)"))
        #expect(Pages.upload(alice, cases: ["C1"], zh).contains("段落檔"))
    }
}
