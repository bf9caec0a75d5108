import CandorReport

/// HTML text for the server-rendered pages: escaping and the common layout (inline CSS, no
/// scripts, no external assets).
enum HTML {
    /// The report's escaper (CandorReport): `& < > " '` become entities, control characters are dropped.
    static func escape(_ s: String) -> String { htmlEscape(s) }

    /// The page around `body`, in the locale's language (`<html lang>` set to match). `user`
    /// shows the sign-out form (with its CSRF token).
    static func page(title: String, user: Principal?, body: String, locale l: WebLocale, refreshSeconds: Int? = nil) -> String {
        let t = l.t
        var head = "<meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        if let r = refreshSeconds { head += "<meta http-equiv=\"refresh\" content=\"\(r)\">" }
        var nav = "<nav><a href=\"/ui/cases\">\(escape(t.navCases))</a>"
        if let user {
            if user.role == .investigator { nav += " · <a href=\"/ui/upload\">\(escape(t.navUpload))</a>" }
            nav += " · <span id=\"who\">\(escape(user.name)) (\(escape(l.role(user.role))))</span>"
            nav +=
                " <form class=\"inline\" method=\"post\" action=\"/ui/logout\">\(csrfField(user))<button type=\"submit\">\(escape(t.signOut))</button></form>"
        }
        nav += " · \(l.switchLink)</nav>"
        return """
            <!doctype html>
            <html lang="\(l.language.htmlLang)"><head>\(head)<title>\(escape(title)) · Candor</title><style>\(css)</style></head>
            <body>\(nav)<main><h1>\(escape(title))</h1>\(body)</main>
            <footer>\(escape(t.footer))</footer>
            </body></html>
            """
    }

    static func csrfField(_ p: Principal) -> String {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(escape(p.session.csrf))\">"
    }

    static let css = """
        body{font-family:system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
        nav{background:#23395d;color:#fff;padding:.6em 1em}nav a{color:#fff}nav form.inline{display:inline}
        main{max-width:70em;margin:1em auto;padding:0 1em}footer{color:#555;font-size:.85em;max-width:70em;margin:2em auto;padding:0 1em}
        table{border-collapse:collapse;width:100%;font-size:.9em}td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
        .verified{color:#1a6b1a}.failed{color:#b00020;font-weight:bold}.unchecked{color:#777}
        .error{background:#fde7ea;border:1px solid #b00020;padding:.6em}.ok{background:#e7f6e7;border:1px solid #1a6b1a;padding:.6em}
        label{display:block;margin:.5em 0}input,select,textarea{font:inherit}
        """
}
