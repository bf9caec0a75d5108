import CandorTestSupport
import Foundation
import Testing

@testable import CandorServer

/// Sign-ins and the sign-in throttle survive a restart (WORKSPACE/server/signin.sqlite), with
/// token digests only; revocations and expiry survive too.
@Suite(.serialized) struct SignInPersistenceTests {
    @Test func sessionsAndFailuresAreReloadedAndTokensAreNeverStored() throws {
        let dir = tempDir("candor-signin")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/server/signin.sqlite"
        var store: SignInStore? = try SignInStore(path: path)
        let table = SessionTable(lifetime: 100, store: store, now: 0)
        let (alice, aliceSession) = table.open(user: "alice", kind: .cookie, now: 0)
        let (bob, _) = table.open(user: "bob", kind: .bearer, now: 1)
        let (bob2, _) = table.open(user: "bob", kind: .bearer, now: 2)
        let throttle = LoginThrottle(limit: 3, addressLimit: 5, window: 100, store: store, now: 0)
        for k in 0..<3 { throttle.recordFailure(user: "carol", address: "10.0.0.1", now: Double(k)) }
        // A password typed into the name field is counted by its digest, never kept as typed.
        throttle.recordFailure(user: "Pa55word-typed-as-name", address: "10.0.0.9", now: 3)
        #expect(store?.lastError == nil)

        // "Restart": new tables over a reopened database.
        store = nil
        store = try SignInStore(path: path)
        var reopened = SessionTable(lifetime: 100, store: store, now: 10)
        let back = try #require(reopened.session(token: alice, now: 10))
        #expect(back.user == "alice" && back.kind == .cookie && back.csrf == aliceSession.csrf && back.expires == 100)
        #expect(reopened.session(token: bob, now: 10)?.user == "bob")
        #expect(reopened.session(token: String(repeating: "a", count: 64), now: 10) == nil)
        let throttled = LoginThrottle(limit: 3, addressLimit: 5, window: 100, store: store, now: 10)
        #expect(throttled.retryAfter(user: "carol", address: "10.0.0.2", now: 10) == 90)
        #expect(throttled.retryAfter(user: "dave", address: "10.0.0.1", now: 10) == nil)  // 3 of the address's 5

        // Revocations, a success and expiry are kept too.
        reopened.revoke(token: alice)
        #expect(reopened.revokeAll(user: "bob") == 2)
        throttled.recordSuccess(user: "carol")
        let (late, _) = reopened.open(user: "erin", kind: .cookie, now: 50)
        store = nil
        store = try SignInStore(path: path)
        reopened = SessionTable(lifetime: 100, store: store, now: 60)
        #expect(reopened.session(token: alice, now: 60) == nil)
        #expect(reopened.session(token: bob, now: 60) == nil && reopened.session(token: bob2, now: 60) == nil)
        #expect(reopened.session(token: late, now: 60)?.user == "erin")
        #expect(
            LoginThrottle(limit: 3, addressLimit: 5, window: 100, store: store, now: 60).retryAfter(user: "carol", address: "x", now: 60)
                == nil)
        #expect(SessionTable(lifetime: 100, store: store, now: 151).session(token: late, now: 151) == nil)
        #expect(LoginThrottle(limit: 1, window: 100, store: store, now: 200).retryAfter(user: "y", address: "10.0.0.1", now: 200) == nil)

        // Only digests on disk: no token in the database or its write-ahead log; the file is private.
        var bytes = Data()
        for f in [path, path + "-wal"] { bytes += (try? Data(contentsOf: URL(fileURLWithPath: f))) ?? Data() }
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(Tokens.sha256Hex(late)))
        for token in [alice, bob, bob2, late] { #expect(!text.contains(token)) }
        #expect(!text.contains("Pa55word-typed-as-name") && !text.contains("carol"))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func aSignedInUserStaysSignedInAcrossAServerRestart() async throws {
        let ws = tempDir("candor-serve-restart")
        defer { try? FileManager.default.removeItem(atPath: ws) }
        let first = try ServeProcess(
            workspace: ws,
            users: [.init("alice", "investigator", "alice-password-1"), .init("bob", "investigator", "bob-password-22")],
            assignments: [("C1", "alice")])
        var http = HTTPClient(base: first.url)
        let token = try await http.login("alice", "alice-password-1")
        for _ in 0..<5 { _ = try await http.postJSON("/api/v1/login", ["user": "bob", "password": "guess"]) }
        #expect(try await http.postJSON("/api/v1/login", ["user": "bob", "password": "bob-password-22"]).status == 429)
        #expect(first.stop() == 0)

        func restart() throws -> Process {
            let addr = ws + "/server/serve.addr"
            try? FileManager.default.removeItem(atPath: addr)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: PackagePaths.candor)
            p.arguments = ["serve", "--workspace", ws, "--listen", "127.0.0.1:0"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            http = HTTPClient(base: try #require(waitForAddressFile(addr, while: p)))
            return p
        }
        var second = try restart()
        defer { if second.isRunning { second.terminate() } }
        #expect(try await http.get("/api/v1/cases", token: token).status == 200)
        #expect(try await http.postJSON("/api/v1/login", ["user": "bob", "password": "bob-password-22"]).status == 429)
        // Signed out before a restart: still signed out after it.
        #expect(try await http.send("POST", "/api/v1/logout", token: token).status == 204)
        second.terminate()
        second.waitUntilExit()
        second = try restart()
        #expect(try await http.get("/api/v1/cases", token: token).status == 401)
        second.terminate()
        second.waitUntilExit()
    }
}
