import CandorAudit
import CandorCore
@testable import CandorStore
import Foundation
import Testing

@testable import CandorServer

/// Errors in the web UI's two languages: every error code has its text in both catalogues, an
/// error page shows that text in the page's language (never the API's English message, never a
/// server path), and the API's codes are the ones the OpenAPI document lists.
@Suite struct WebErrorLanguageTests {
    static let zh = WebLocale(language: .traditionalChinese)
    static let en = WebLocale(language: .english)
    static let carol = Principal(
        account: Account(name: "carol", role: .supervisor, passwordHash: "", created: ""),
        session: SignInSession(id: "x", user: "carol", kind: .cookie, csrf: "c", expires: 0))

    static func hasCJK(_ s: String) -> Bool { s.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } }
    static func placeholders(_ s: String) -> Set<String> { Set(s.matches(of: /\{\d\}/).map { String(s[$0.range]) }) }

    @Test func everyCodeHasAChineseAndAnEnglishText() {
        for code in ServerErrorCode.allCases {
            let zh = WebStrings.traditionalChinese.errorMessages[code.rawValue]
            let en = WebStrings.english.errorMessages[code.rawValue]
            #expect(zh != nil && en != nil, "\(code)")
            guard let zh, let en else { continue }
            #expect(Self.hasCJK(zh), "\(code): \(zh)")
            #expect(!Self.hasCJK(en), "\(code): \(en)")
            #expect(Self.placeholders(zh) == Self.placeholders(en), "\(code)")
            #expect(WebLanguageTests.verdictWords(zh + " " + en).isEmpty, "\(code)")
        }
        // No text for a code that does not exist.
        let known = Set(ServerErrorCode.allCases.map(\.rawValue))
        #expect(Set(WebStrings.english.errorMessages.keys) == known)
        #expect(Set(WebStrings.traditionalChinese.errorMessages.keys) == known)
        for (a, b) in [
            (WebStrings.english.jobFailed, WebStrings.traditionalChinese.jobFailed),
            (WebStrings.english.sessionEnded, WebStrings.traditionalChinese.sessionEnded),
        ] {
            #expect(Self.placeholders(a) == Self.placeholders(b))
        }
        for labels in [WebStrings.traditionalChinese.uploadMethods, WebStrings.traditionalChinese.uploadPitchRanges] {
            #expect(labels.values.allSatisfy(Self.hasCJK))
        }
        #expect(Set(WebStrings.traditionalChinese.uploadMethods.keys) == Set(UploadAnalysisOptions.methods))
        #expect(Set(WebStrings.english.uploadPitchRanges.keys) == Set(UploadAnalysisOptions.pitchRanges))
    }

    /// The errors a user meets, as the server raises them, with the Chinese text each must show.
    static let cases: [(ServerError, String)] = [
        (
            ServerError(.unsupportedMediaType, "unsupported recording file type .txt (use flac, wav)", args: ["flac, wav"]),
            "不接受此檔案類型。可接受的類型：flac, wav。"
        ),
        (ServerError(.contentTooLarge, "the upload is larger than the limit of 1048576 bytes", args: ["1"]), "檔案超過 1 MiB 的上限"),
        (
            ServerError(
                .unprocessableContent, "not a usable segments file: segments.csv line 3: ends before it starts", code: .segmentsUnusable),
            "無法讀取段落檔"
        ),
        (ServerError(.unprocessableContent, "the segments do not fit this recording: …", code: .segmentsMismatch), "段落檔與此錄音不符"),
        (
            ServerError(
                .unprocessableContent, "not a readable recording: /srv/ws/server/uploads/.incoming-x: not audio", code: .recordingUnreadable
            ), "無法將此檔案讀取為錄音"
        ),
        (ServerError(.unprocessableContent, "2 role(s) given for 1 channel(s)", code: .invalidRoles, args: ["2", "1"]), "說話者角色與錄音不符"),
        (ServerError.unauthenticated("wrong user name or password", code: .signInFailed), "使用者名稱或密碼錯誤"),
        (ServerError(.tooManyRequests, "too many failed sign-ins; try again in 42 s", code: .throttled, args: ["42"]), "請於 42 秒後再試"),
        (ServerError.unauthenticated("the account bob is disabled", code: .accountDisabled), "此帳號已停用"),
        (ServerError.unauthenticated("the token is unknown, expired or revoked", code: .sessionExpired), "您的登入已逾時或已結束"),
        (ServerError.forbidden("alice (investigator) may not read case C2", args: ["C2"]), "您的帳號無權執行此操作"),
        (ServerError.forbidden("the form's CSRF token is missing or wrong", code: .csrfRefused), "表單已失效"),
        (ServerError.forbidden("cross-origin form submission refused (Origin https://evil.example)", code: .crossOrigin), "已拒絕來自其他網站的表單"),
        (ServerError.notFound("no such job", code: .jobNotFound, args: ["77"]), "找不到您可查看的分析工作 77"),
        (ServerError.notFound("no audit log for C1/S9", code: .sessionNotFound, args: ["C1", "S9"]), "案件 C1 沒有場次 S9"),
        (ServerError.notFound("C1/S1 has no analysis yet", code: .analysisNotReady, args: ["C1", "S1"]), "案件 C1 場次 S1 尚無完成的分析"),
        (
            ServerError.badRequest("method must be ac, cc or robust (got fast)", code: .invalidOption, args: ["method", "ac, cc, robust"]),
            "method 的值不在可選項目內（可選：ac, cc, robust）"
        ),
        (ServerError.badRequest("choose a recording to upload", code: .missingRecording), "請選擇要上傳的錄音檔"),
        (ServerError.badRequest("an override review needs a value", code: .invalidReview), "覆核內容不完整"),
        (ServerError.badRequest("case and session ids are 1-128 of …", code: .invalidID), "案件與場次代號須為"),
        (ServerError(.internalServerError, "cannot keep the upload (disk full?)"), "伺服器發生錯誤"),
        (ServerError(.internalServerError, "the access could not be recorded", code: .accessNotRecorded), "您的存取無法寫入稽核紀錄"),
    ]

    @Test func errorPagesShowTheirTextInThePageLanguage() {
        for (e, chinese) in Self.cases {
            let zh = Pages.error(Self.carol, e, Self.zh)
            #expect(zh.contains(HTML.escape(chinese)), "\(e.code): \(zh)")
            #expect(zh.contains("data-code=\"\(e.code.rawValue)\""))
            #expect(zh.contains("<html lang=\"zh-Hant-TW\">"))
            let en = Pages.error(Self.carol, e, Self.en)
            #expect(en.contains(HTML.escape(Pages.message(e, Self.en))) && !Self.hasCJK(Pages.message(e, Self.en)))
            for page in [zh, en] {
                #expect(!page.contains("/srv/") && !page.contains(".incoming-") && !page.contains("{0}"), "\(e.code)")
                // The English line is not the message (only a segments reader's line is offered, as a detail).
                #expect(page.contains(HTML.escape(e.message)) == e.code.detailIsForTheUser, "\(e.code)")
                #expect(WebLanguageTests.verdictWords(page).isEmpty)
            }
        }
        // The sign-in page's messages follow the same texts.
        #expect(Pages.loginError(ServerError.unauthenticated("x", code: .signInFailed), Self.zh) == "使用者名稱或密碼錯誤。")
        #expect(
            Pages.loginError(ServerError(.tooManyRequests, "x", code: .throttled, args: ["9"], headers: [.retryAfter: "9"]), Self.zh)
                .contains("9 秒"))
        #expect(Pages.loginError(ServerError(.contentTooLarge, "the form is too large", args: ["0.1"]), Self.zh).contains("檔案超過"))
    }

    @Test func missingArgumentsFallBackToTheStatusText() {
        // A code whose text needs values it was not given: the status's general text, no "{0}".
        let e = ServerError(.unsupportedMediaType, "give the recording's type")
        #expect(Pages.message(e, Self.zh) == WebStrings.traditionalChinese.errorMessages["invalid_request"])
        let j = ServerError.notFound("no job", code: .jobNotFound)
        #expect(Pages.message(j, Self.zh) == "找不到此頁面或項目。")
    }

    @Test func aFailedJobPageSaysSoWithoutTheWorkersMessage() {
        let job = JobInfo(
            id: 12, inputPath: "/srv/ws/server/uploads/C1/S1/ab.wav", inputSHA256: "ab", inputBytes: 10, state: .failed, attempts: 3,
            maxAttempts: 3, resultSHA256: nil, resultBytes: nil,
            lastError: "/srv/ws/server/uploads/C1/S1/ab.wav: changed since it was submitted", leaseOwner: nil, caseID: "C1",
            sessionID: "S1", submittedAt: 0, updatedAt: 0, history: [])
        let alice = Principal(
            account: Account(name: "alice", role: .investigator, passwordHash: "", created: ""), session: Self.carol.session)
        let zh = Pages.job(alice, job, Self.zh)
        #expect(zh.contains("分析失敗（已嘗試 3 次）") && zh.contains("工作 12"), "\(zh)")
        #expect(!zh.contains("/srv/") && !zh.contains("changed since"))
        #expect(Pages.job(alice, job, Self.en).contains("The analysis failed after 3 attempt(s)"))
    }

    @Test func aFailedVerificationIsExplainedInThePageLanguage() throws {
        let s = try SessionRef(caseID: "C1", sessionID: "S1")
        let audit = SessionAudit(
            intact: false, size: 3, root: "", failure: "record 1: signature by candor-server does not verify", checkpoint: nil,
            records: [
                .init(seq: 0, status: .verified, fields: .object(["type": "evidence_ingested"])),
                .init(seq: 1, status: .failed, fields: .object(["type": "accessed"])),
                .init(seq: 2, status: .unchecked, fields: .object(["type": "accessed"])),
            ], witnesses: [])
        let zh = Pages.session(Self.carol, s, audit, reviewed: nil, Self.zh)
        #expect(zh.contains("驗證失敗：自第 1 筆紀錄起無法確認其完整性"), "\(zh)")
        // The verifier's English line is only the technical detail, below.
        #expect(zh.contains("<summary>技術細節（英文）</summary><p>record 1: signature"))
        #expect(Pages.session(Self.carol, s, audit, reviewed: nil, Self.en).contains("Verification failed at record #1"))
    }

    @Test func uploadFormOffersMethodAndRangeInBothLanguages() {
        let alice = Principal(
            account: Account(name: "alice", role: .investigator, passwordHash: "", created: ""), session: Self.carol.session)
        let zh = Pages.upload(alice, cases: ["C1"], Self.zh)
        #expect(zh.contains("name=\"method\"") && zh.contains("name=\"pitch_range\""))
        #expect(zh.contains("<option value=\"ac\" selected>") && zh.contains("<option value=\"robust\">"))
        #expect(zh.contains("音高分析方法") && zh.contains("頻譜樣板法") && zh.contains("說話者本身的音高範圍"))
        let en = Pages.upload(alice, cases: ["C1"], Self.en)
        #expect(
            en.contains("Pitch method") && en.contains("robust: spectral templates") && en.contains("<option value=\"fixed\" selected>"))
    }

    @Test func uploadOptionsAreValidated() throws {
        #expect(try UploadAnalysisOptions(method: nil, pitchRange: nil) == UploadAnalysisOptions())
        #expect(try UploadAnalysisOptions(method: "", pitchRange: "") == UploadAnalysisOptions())
        let robust = try UploadAnalysisOptions(method: "Robust", pitchRange: "auto")
        #expect(robust.method == "robust" && robust.pitchRange == "auto")
        for (m, r) in [("fast", "fixed"), ("ac", "wide"), ("robust;rm", nil)] {
            do {
                _ = try UploadAnalysisOptions(method: m, pitchRange: r)
                Issue.record("accepted \(m) \(r ?? "-")")
            } catch let e as ServerError {
                #expect(e.status == .badRequest && e.code == .invalidOption)
                #expect(!Pages.message(e, Self.zh).contains("{"))
            }
        }
    }

    @Test func theOpenAPIDocumentListsExactlyTheCodes() throws {
        let doc = try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any]
        let schemas = (doc?["components"] as? [String: Any])?["schemas"] as? [String: Any]
        let error = schemas?["Error"] as? [String: Any]
        let code = (error?["properties"] as? [String: Any])?["code"] as? [String: Any]
        #expect((code?["enum"] as? [String]) == ServerErrorCode.allCases.map(\.rawValue))
        #expect(Set(error?["required"] as? [String] ?? []) == ["error", "code"])
        // Codes are identifiers, not prose.
        for c in ServerErrorCode.allCases { #expect(c.rawValue.allSatisfy { $0.isLowercase || $0 == "_" }, "\(c)") }
    }
}
