import CandorAudit
import CandorStore
import Foundation

/// The pages of the web UI, as HTML text (every value escaped).
enum Pages {
    typealias E = HTML

    static func login(error: String?) -> String {
        let err = error.map { "<p class=\"error\" id=\"error\">\(E.escape($0))</p>" } ?? ""
        return HTML.page(
            title: "Sign in", user: nil,
            body: """
                \(err)<form method="post" action="/ui/login">
                <label>User name <input id="user" name="user" autocomplete="username" required maxlength="128"></label>
                <label>Password <input id="password" name="password" type="password" autocomplete="current-password" required></label>
                <button id="signin" type="submit">Sign in</button></form>
                """)
    }

    static func cases(_ p: Principal, _ list: [CaseSummary]) -> String {
        var body = ""
        if list.isEmpty {
            body +=
                p.role == .investigator || p.role == .supervisor
                ? "<p>No case yet.</p>" : "<p>Your role (\(p.role.rawValue)) has no access to case data.</p>"
        } else {
            body += "<table id=\"cases\"><tr><th>Case</th><th>Sessions</th><th>Investigators</th></tr>"
            for c in list {
                let sessions = c.sessions.map { s in
                    "<a class=\"session\" href=\"/ui/cases/\(E.escape(c.caseID))/sessions/\(E.escape(s))\">\(E.escape(s))</a>"
                }.joined(separator: ", ")
                body +=
                    "<tr><td class=\"case\">\(E.escape(c.caseID))</td><td>\(sessions.isEmpty ? "none yet" : sessions)</td>"
                    + "<td>\(E.escape(c.investigators.joined(separator: ", ")))</td></tr>"
            }
            body += "</table>"
        }
        return HTML.page(title: "Cases", user: p, body: body)
    }

    static func session(_ p: Principal, _ s: SessionRef, _ audit: SessionAudit, notice: String?) -> String {
        let base = "/ui/cases/\(E.escape(s.caseID))/sessions/\(E.escape(s.sessionID))"
        var body = notice.map { "<p class=\"ok\" id=\"notice\">\(E.escape($0))</p>" } ?? ""
        body += "<p><a id=\"report-link\" href=\"\(base)/report\">Session report</a> (opening it is recorded in the audit log)</p>"
        body += "<h2>Audit timeline</h2>"
        body +=
            audit.intact
            ? "<p class=\"ok\" id=\"verification\">Log intact: \(audit.size) records, root \(E.escape(String(audit.root.prefix(16))))…</p>"
            : "<p class=\"error\" id=\"verification\">Verification failed: \(E.escape(audit.failure ?? "unknown"))</p>"
        body +=
            "<table id=\"timeline\"><tr><th>#</th><th>Time (UTC)</th><th>Type</th><th>Signed by</th><th>User</th><th>Details</th><th>Signature</th></tr>"
        for r in audit.records {
            let f = r.fields
            let details = ["action", "what", "kind", "note", "concerns_seq", "sha256", "format", "output_sha256"].compactMap {
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
            body +=
                "<tr class=\"record\"><td>\(r.seq)</td><td>\(E.escape(f["time"]?.stringValue ?? ""))</td><td>\(E.escape(f["type"]?.stringValue ?? "?"))</td>"
                + "<td>\(E.escape(f["operator"]?.stringValue ?? ""))</td><td class=\"user\">\(E.escape(f["user"]?.stringValue ?? ""))</td>"
                + "<td>\(E.escape(details))</td><td class=\"\(r.status.rawValue)\">\(r.status.rawValue)</td></tr>"
        }
        body += "</table><h2>Witnesses</h2>"
        if audit.witnesses.isEmpty {
            body +=
                "<p id=\"witnesses\">No witness is configured for this workspace (candor witness add): the log is not yet independently cosigned.</p>"
        } else {
            body += "<ul id=\"witnesses\">"
            for w in audit.witnesses {
                let state =
                    w.cosignedAt.map {
                        "cosigned the latest checkpoint at \(AuditRecord.timestamp(Date(timeIntervalSince1970: Double($0))))"
                    }
                    ?? "has not cosigned the latest checkpoint"
                body += "<li>\(E.escape(w.name)) (\(E.escape(w.url))): \(state)</li>"
            }
            body += "</ul>"
        }
        if p.role == .supervisor {
            body += """
                <h2>Record a review</h2>
                <form id="review" method="post" action="\(base)/reviews">\(HTML.csrfField(p))
                <label>Record reviewed (#) <input id="concerns_seq" name="concerns_seq" type="number" min="0" max="\(max(0, audit.records.count - 1))" required></label>
                <label>Kind <select id="kind" name="kind"><option>note</option><option>override</option><option>disregard</option></select></label>
                <label>Value (override only) <input id="override" name="override" maxlength="200"></label>
                <label>Note <textarea id="note" name="note" rows="3" cols="60" maxlength="4000" required></textarea></label>
                <button id="submit-review" type="submit">Sign and record the review</button></form>
                """
        }
        return HTML.page(title: "Case \(s.caseID), session \(s.sessionID)", user: p, body: body)
    }

    static func upload(_ p: Principal, cases: [String], error: String?) -> String {
        let err = error.map { "<p class=\"error\" id=\"error\">\(E.escape($0))</p>" } ?? ""
        let options = cases.map { "<option>\(E.escape($0))</option>" }.joined()
        return HTML.page(
            title: "Upload a recording", user: p,
            body: """
                \(err)<form id="upload" method="post" action="/ui/upload" enctype="multipart/form-data">\(HTML.csrfField(p))
                <label>Case <select name="case" required>\(options)</select></label>
                <label>Session id <input name="session" required maxlength="128" pattern="[A-Za-z0-9_][A-Za-z0-9._-]*"></label>
                <label>Speaker role per channel, comma-separated (e.g. interviewer,interviewee) <input name="roles" maxlength="200"></label>
                <label>Recording (WAV, FLAC, …) <input name="recording" type="file" accept="audio/*" required></label>
                <button type="submit">Upload</button></form>
                <p>Your browser shows the upload's progress; the next page follows the analysis until it is done.</p>
                """)
    }

    static func job(_ p: Principal, _ job: JobInfo) -> String {
        let done = job.state == .done || job.state == .failed
        var body =
            "<p id=\"job-state\">Job \(job.id): <strong>\(job.state.rawValue)</strong> (attempt \(job.attempts) of \(job.maxAttempts))</p>"
        if let e = job.lastError { body += "<p class=\"error\">\(E.escape(e))</p>" }
        if job.state == .done, let c = job.caseID, let s = job.sessionID {
            body += "<p><a href=\"/ui/cases/\(E.escape(c))/sessions/\(E.escape(s))\">Open the session</a></p>"
        } else if !done {
            body += "<p>This page refreshes every 2 seconds until the analysis is done.</p>"
        }
        return HTML.page(title: "Analysis job \(job.id)", user: p, body: body, refreshSeconds: done ? nil : 2)
    }

    static func error(_ p: Principal?, _ e: ServerError) -> String {
        HTML.page(
            title: "\(e.status.code) \(e.status.reasonPhrase)", user: p,
            body: "<p class=\"error\" id=\"error\">\(E.escape(e.message))</p><p><a href=\"/ui/cases\">Back to the cases</a></p>")
    }
}
