import CandorAudit
import CandorStore
import Foundation

/// The pages of the web UI, as HTML text in the locale's language (every value escaped).
enum Pages {
    typealias E = HTML

    static func fill(_ template: String, _ values: [String]) -> String { WebStrings.fill(template, values) }

    /// The sign-in page, with an error (a failed sign-in) or a notice (a sign-in that ended).
    static func login(error: String?, notice: String? = nil, _ l: WebLocale) -> String {
        let t = l.t
        var err = error.map { "<p class=\"error\" id=\"error\">\(E.escape($0))</p>" } ?? ""
        if let notice { err += "<p class=\"error\" id=\"notice\">\(E.escape(notice))</p>" }
        return HTML.page(
            title: t.signInTitle, user: nil,
            body: """
                \(err)<form method="post" action="/ui/login">
                <label>\(E.escape(t.userName)) <input id="user" name="user" autocomplete="username" required maxlength="128"></label>
                <label>\(E.escape(t.password)) <input id="password" name="password" type="password" autocomplete="current-password" required></label>
                <button id="signin" type="submit">\(E.escape(t.signInButton))</button></form>
                """, locale: l)
    }

    /// The sign-in page's message for a failed sign-in (by status, with Retry-After for 429).
    static func loginError(_ e: ServerError, _ l: WebLocale) -> String {
        switch e.status.code {
        case 429:
            let wait = e.headers.first { $0.name == .retryAfter }?.value ?? "60"
            return fill(l.t.loginThrottled, [wait])
        case 401 where e.code == .signInFailed: return l.t.loginFailed
        default: return message(e, l)
        }
    }

    /// What the user reads for an error, in the page's language: the text of its code filled
    /// with its args (ids, counts, limits). When the args do not fill the text, the general
    /// text of its status (else of any refused request, or of a server error); never the
    /// English message, which may name internals.
    static func message(_ e: ServerError, _ l: WebLocale) -> String {
        let t = l.t
        func filled(_ code: ServerErrorCode, _ args: [String]) -> String? {
            guard let template = t.errorMessages[code.rawValue] else { return nil }
            let text = fill(template, args)
            return text.contains(/\{\d\}/) ? nil : text
        }
        let last: ServerErrorCode = e.status.code < 500 ? .invalidRequest : .internalError
        return filled(e.code, e.args) ?? filled(.general(e.status.code), []) ?? filled(last, []) ?? t.errorOther
    }

    static func cases(_ p: Principal, _ list: [CaseSummary], _ l: WebLocale) -> String {
        let t = l.t
        var body = ""
        if list.isEmpty {
            body +=
                p.role == .investigator || p.role == .supervisor
                ? "<p>\(E.escape(t.noCaseYet))</p>" : "<p>\(E.escape(fill(t.noCaseAccess, [l.role(p.role)])))</p>"
        } else {
            body +=
                "<table id=\"cases\"><tr><th>\(E.escape(t.columnCase))</th><th>\(E.escape(t.columnSessions))</th><th>\(E.escape(t.columnInvestigators))</th></tr>"
            for c in list {
                let sessions = c.sessions.map { s in
                    "<a class=\"session\" href=\"/ui/cases/\(E.escape(c.caseID))/sessions/\(E.escape(s))\">\(E.escape(s))</a>"
                }.joined(separator: ", ")
                body +=
                    "<tr><td class=\"case\">\(E.escape(c.caseID))</td><td>\(sessions.isEmpty ? E.escape(t.noSessionYet) : sessions)</td>"
                    + "<td>\(E.escape(c.investigators.joined(separator: ", ")))</td></tr>"
            }
            body += "</table>"
        }
        return HTML.page(title: t.casesTitle, user: p, body: body, locale: l)
    }

    static func session(_ p: Principal, _ s: SessionRef, _ audit: SessionAudit, reviewed: String?, _ l: WebLocale) -> String {
        let t = l.t
        let base = "/ui/cases/\(E.escape(s.caseID))/sessions/\(E.escape(s.sessionID))"
        var body = reviewed.map { "<p class=\"ok\" id=\"notice\">\(E.escape(fill(t.reviewRecorded, [$0, p.name])))</p>" } ?? ""
        body += "<p><a id=\"report-link\" href=\"\(base)/report\">\(E.escape(t.reportLink))</a> \(E.escape(t.reportNote))</p>"
        body += "<h2>\(E.escape(t.auditTimeline))</h2>"
        body +=
            audit.intact
            ? "<p class=\"ok\" id=\"verification\">\(E.escape(fill(t.logIntact, [String(audit.size), String(audit.root.prefix(16))])))</p>"
            : "<p class=\"error\" id=\"verification\">\(E.escape(fill(t.verificationFailed, [failedAt(audit)])))</p>"
                + "<details><summary>\(E.escape(t.errorTechnicalDetail))</summary><p>\(E.escape(audit.failure ?? "?"))</p></details>"
        let headings = ["#", t.columnTime, t.columnType, t.columnSignedBy, t.columnUser, t.columnDetails, t.columnSignature]
        body += "<table id=\"timeline\"><tr>" + headings.map { "<th>\(E.escape($0))</th>" }.joined() + "</tr>"
        for r in audit.records {
            let f = r.fields
            let keys = [
                "action", "what", "kind", "note", "concerns_seq", "sha256", "format", "pitch_method", "pitch_range", "output_sha256",
            ]
            let details = keys.compactMap {
                k -> String? in
                guard let v = f[k] else { return nil }
                let text: String
                switch v {
                case .string(let x): text = x
                case .int(let i): text = String(i)
                default: return nil
                }
                return "\(k): \(String(text.prefix(80)))"
            }.joined(separator: "; ")
            let status = t.signatureStatus[r.status.rawValue] ?? r.status.rawValue
            body +=
                "<tr class=\"record\"><td>\(r.seq)</td><td>\(E.escape(f["time"]?.stringValue ?? ""))</td><td>\(E.escape(f["type"]?.stringValue ?? "?"))</td>"
                + "<td>\(E.escape(f["operator"]?.stringValue ?? ""))</td><td class=\"user\">\(E.escape(f["user"]?.stringValue ?? ""))</td>"
                + "<td>\(E.escape(details))</td><td class=\"\(r.status.rawValue)\">\(E.escape(status))</td></tr>"
        }
        body += "</table><h2>\(E.escape(t.witnesses))</h2>"
        if audit.witnesses.isEmpty {
            body += "<p id=\"witnesses\">\(E.escape(t.noWitness))</p>"
        } else {
            body += "<ul id=\"witnesses\">"
            for w in audit.witnesses {
                let line =
                    w.cosignedAt.map {
                        fill(t.witnessCosigned, [w.name, w.url, AuditRecord.timestamp(Date(timeIntervalSince1970: Double($0)))])
                    } ?? fill(t.witnessNotCosigned, [w.name, w.url])
                body += "<li>\(E.escape(line))</li>"
            }
            body += "</ul>"
        }
        if p.role == .supervisor {
            let kinds = ["note", "override", "disregard"].map { "<option value=\"\($0)\">\(E.escape(t.reviewKinds[$0] ?? $0))</option>" }
            body += """
                <h2>\(E.escape(t.reviewTitle))</h2>
                <form id="review" method="post" action="\(base)/reviews">\(HTML.csrfField(p))
                <label>\(E.escape(t.reviewRecord)) <input id="concerns_seq" name="concerns_seq" type="number" min="0" max="\(max(0, audit.records.count - 1))" required></label>
                <label>\(E.escape(t.reviewKind)) <select id="kind" name="kind">\(kinds.joined())</select></label>
                <label>\(E.escape(t.reviewValue)) <input id="override" name="override" maxlength="200"></label>
                <label>\(E.escape(t.reviewNote)) <textarea id="note" name="note" rows="3" cols="60" maxlength="4000" required></textarea></label>
                <button id="submit-review" type="submit">\(E.escape(t.reviewButton))</button></form>
                """
        }
        return HTML.page(title: fill(t.sessionTitle, [s.caseID, s.sessionID]), user: p, body: body, locale: l)
    }

    /// The number of the record where verification failed ("?" when none is marked).
    static func failedAt(_ audit: SessionAudit) -> String { audit.records.first { $0.status == .failed }.map { String($0.seq) } ?? "?" }

    static func upload(_ p: Principal, cases: [String], _ l: WebLocale) -> String {
        let t = l.t
        let options = cases.map { "<option>\(E.escape($0))</option>" }.joined()
        return HTML.page(
            title: t.uploadTitle, user: p,
            body: """
                <form id="upload" method="post" action="/ui/upload" enctype="multipart/form-data">\(HTML.csrfField(p))
                <label>\(E.escape(t.uploadCase)) <select name="case" required>\(options)</select></label>
                <label>\(E.escape(t.uploadSession)) <input name="session" required maxlength="128" pattern="[A-Za-z0-9_][A-Za-z0-9._-]*"></label>
                <label>\(E.escape(t.uploadRoles)) <input name="roles" maxlength="200"></label>
                <label>\(E.escape(t.uploadRecording)) <input name="recording" type="file" accept="audio/*" required></label>
                <label>\(E.escape(t.uploadSegments)) <input name="segments" type="file" accept=".csv,.textgrid,.TextGrid,.srt,.vtt"></label>
                <label>\(E.escape(t.uploadMethod)) <select id="method" name="method">\(choices(UploadAnalysisOptions.methods, t.uploadMethods))</select></label>
                <label>\(E.escape(t.uploadPitchRange)) <select id="pitch_range" name="pitch_range">\(choices(UploadAnalysisOptions.pitchRanges, t.uploadPitchRanges))</select></label>
                <button type="submit">\(E.escape(t.uploadButton))</button></form>
                <p>\(E.escape(t.uploadProgress))</p>
                """, locale: l)
    }

    /// `<option>`s for `values` (the first selected), labelled in the page's language.
    static func choices(_ values: [String], _ labels: [String: String]) -> String {
        values.enumerated().map { k, v in
            "<option value=\"\(E.escape(v))\"\(k == 0 ? " selected" : "")>\(E.escape(labels[v] ?? v))</option>"
        }.joined()
    }

    static func job(_ p: Principal, _ job: JobInfo, _ l: WebLocale) -> String {
        let t = l.t
        let done = job.state == .done || job.state == .failed
        let state = t.jobStates[job.state.rawValue] ?? job.state.rawValue
        let line = fill(t.jobState, [String(job.id), "<strong>\(E.escape(state))</strong>", String(job.attempts), String(job.maxAttempts)])
        var body = "<p id=\"job-state\" data-state=\"\(job.state.rawValue)\">\(line)</p>"
        // The worker's own message may name server paths: the page says what happened, in its language.
        if job.state == .failed {
            body += "<p class=\"error\" id=\"job-error\">\(E.escape(fill(t.jobFailed, [String(job.attempts), String(job.id)])))</p>"
        }
        if job.state == .done, let c = job.caseID, let s = job.sessionID {
            body += "<p><a id=\"open-session\" href=\"/ui/cases/\(E.escape(c))/sessions/\(E.escape(s))\">\(E.escape(t.openSession))</a></p>"
        } else if !done {
            body += "<p>\(E.escape(t.jobRefreshing))</p>"
        }
        return HTML.page(title: fill(t.jobTitle, [String(job.id)]), user: p, body: body, locale: l, refreshSeconds: done ? nil : 2)
    }

    /// An error page: the status's title and the error's text in the page's language. Only a
    /// segments reader's message (line and problem, no server path) is offered as a detail.
    static func error(_ p: Principal?, _ e: ServerError, _ l: WebLocale) -> String {
        let t = l.t
        let title = "\(e.status.code) " + (t.errorTitles[e.status.code] ?? t.errorOther)
        var body = "<p class=\"error\" id=\"error\" data-code=\"\(e.code.rawValue)\">\(E.escape(message(e, l)))</p>"
        if e.code.detailIsForTheUser {
            body += "<details id=\"detail\"><summary>\(E.escape(t.errorTechnicalDetail))</summary><p>\(E.escape(e.message))</p></details>"
        }
        body += "<p><a href=\"/ui/cases\">\(E.escape(t.backToCases))</a></p>"
        return HTML.page(title: title, user: p, body: body, locale: l)
    }
}
