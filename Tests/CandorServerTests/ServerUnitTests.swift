import CandorAudit
import Foundation
import Testing

@testable import CandorServer

/// The service's rules in process: throttling, sessions, access policy, ids, form parsing.
@Suite struct ServerUnitTests {
    @Test func throttleCountsPerUserAndPerAddressWithinTheWindow() {
        let t = LoginThrottle(limit: 3, addressLimit: 5, window: 100)
        for k in 0..<3 {
            #expect(t.retryAfter(user: "a", address: "1.1.1.1", now: Double(k)) == nil)
            t.recordFailure(user: "a", address: "1.1.1.1", now: Double(k))
        }
        // The fourth attempt within the window waits until the first failure leaves it.
        #expect(t.retryAfter(user: "a", address: "1.1.1.1", now: 10) == 90)
        // Another name from another address is not affected; after the window, "a" may try again.
        #expect(t.retryAfter(user: "b", address: "2.2.2.2", now: 10) == nil)
        #expect(t.retryAfter(user: "a", address: "2.2.2.2", now: 101) == nil)
        // Many names from one address: the address limit.
        for k in 0..<5 { t.recordFailure(user: "n\(k)", address: "3.3.3.3", now: 200) }
        #expect(t.retryAfter(user: "fresh", address: "3.3.3.3", now: 201) == 99)
        // Success clears the name, not the address.
        t.recordSuccess(user: "n4")
        #expect(t.retryAfter(user: "n4", address: "4.4.4.4", now: 201) == nil)
    }

    @Test func sessionsExpireAndAreRevoked() {
        let table = SessionTable(lifetime: 10)
        let (token, s) = table.open(user: "alice", kind: .bearer, now: 0)
        #expect(token.count == 64 && s.csrf.count == 64 && token != s.csrf)
        #expect(table.session(token: token, now: 5)?.user == "alice")
        #expect(table.session(token: token, now: 10) == nil)
        let (t2, _) = table.open(user: "alice", kind: .cookie, now: 20)
        let (t3, _) = table.open(user: "bob", kind: .cookie, now: 20)
        #expect(table.revokeAll(user: "alice") == 1)
        #expect(table.session(token: t2, now: 21) == nil && table.session(token: t3, now: 21)?.user == "bob")
        table.revoke(token: t3)
        #expect(table.session(token: t3, now: 21) == nil)
        #expect(table.session(token: "short", now: 21) == nil)
    }

    @Test func accessPolicyTable() {
        #expect(AccessPolicy.allows(.investigator, .read, assigned: true))
        #expect(AccessPolicy.allows(.investigator, .upload, assigned: true))
        #expect(!AccessPolicy.allows(.investigator, .read, assigned: false))
        #expect(!AccessPolicy.allows(.investigator, .review, assigned: true))
        #expect(AccessPolicy.allows(.supervisor, .read, assigned: false) && AccessPolicy.allows(.supervisor, .review, assigned: false))
        #expect(!AccessPolicy.allows(.supervisor, .upload, assigned: false))
        for role in [Role.researcher, .admin] {
            for action in [CaseAction.read, .upload, .review] { #expect(!AccessPolicy.allows(role, action, assigned: true)) }
        }
    }

    @Test func sessionIdsThatCouldNameOtherFilesAreRefused() {
        for bad in ["..", ".", "../x", "a/b", "a\0b", "", ".hidden", "-x", String(repeating: "a", count: 129), "é", "a b", "a%2Fb"] {
            #expect(throws: ServerError.self) { try CaseService.sessionRef(bad, "S1") }
            #expect(throws: ServerError.self) { try CaseService.sessionRef("C1", bad) }
        }
        #expect((try? CaseService.sessionRef("C-1.x_2", "S1")) != nil)
    }

    @Test func formsAndMultipartBoundaries() {
        let f = FormBody.parse("user=a%20b&password=p%26q+r&csrf=&x")
        #expect(f["user"] == "a b" && f["password"] == "p&q r" && f["csrf"] == "" && f["x"] == "")
        #expect(MultipartUpload.boundary("multipart/form-data; boundary=----abc") == "----abc")
        #expect(MultipartUpload.boundary("multipart/form-data; boundary=\"q\"") == "q")
        #expect(MultipartUpload.boundary("application/json") == nil)
        #expect(MultipartUpload.boundary("multipart/form-data; boundary=" + String(repeating: "x", count: 71)) == nil)
        #expect(UploadStore.format(query: nil, contentType: "audio/x-wav") == "wav")
        #expect(UploadStore.format(query: "flac", contentType: nil) == "flac")
        #expect(UploadStore.format(query: "../../etc", contentType: "audio/wav") == nil)
        #expect(UploadStore.format(query: nil, contentType: "text/html") == nil)
    }

    @Test func htmlAndJSONEscapeHostileText() {
        #expect(HTML.escape("<script>\"'&") == "&lt;script&gt;&quot;&#39;&amp;")
        #expect(JSONText.string("</script>\"\n").encoded == #""\u003c/script\u003e\"\n""#)
    }

    @Test func accountsRefuseBadNamesShortPasswordsAndDisabledUsers() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("candor-accounts-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = AccountStore(workspace: dir, cost: 4)
        #expect(throws: AccountError.self) { try store.add(name: "../x", role: .investigator, password: "long-enough") }
        #expect(throws: AccountError.self) { try store.add(name: "ann", role: .investigator, password: "short") }
        try store.add(name: "ann", role: .investigator, password: "long-enough")
        #expect(throws: AccountError.self) { try store.add(name: "ann", role: .admin, password: "long-enough") }
        #expect(try store.authenticate("ann", password: "long-enough")?.name == "ann")
        #expect(try store.authenticate("ann", password: "long-enougH") == nil)
        #expect(try store.authenticate("nobody", password: "long-enough") == nil)
        let text = try String(contentsOfFile: store.path, encoding: .utf8)
        #expect(!text.contains("long-enough") && text.contains("$2b$"))
        let mode = (try FileManager.default.attributesOfItem(atPath: store.path)[.posixPermissions] as? Int) ?? 0
        #expect(mode & 0o077 == 0)
        try store.setDisabled("ann", true)
        #expect(try store.authenticate("ann", password: "long-enough") == nil)
        try store.add(name: "sue", role: .supervisor, password: "long-enough")
        #expect(throws: AccountError.self) { try store.assign(caseID: "C1", to: "sue") }
        #expect(throws: AccountError.self) { try store.assign(caseID: "../C1", to: "ann") }
    }
}
