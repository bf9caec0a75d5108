import CandorTestSupport
import Foundation
import Testing

/// Each person's key stays theirs; every logging command says who it signed as.
@Suite(.serialized) struct OperatorKeyTests {
    @Test func keysStayTheirOwnersAndSignersAreNamed() throws {
        let (root, ws, _, _) = try AuditCLITests.workspaceWithAnalysis()  // operator olga
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try candor("keys", "init", "--operator", "bob", "--workspace", ws).status == 0)
        // bob's keys init did not make him the default: olga's commands still sign as olga.
        let r = try candor("review", "--workspace", ws, "--case", "C1", "--session", "S1", "--seq", "1", "--note", "x")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("signed as olga"), "\(r.stderr)")
        let b = try candor(
            "review", "--workspace", ws, "--case", "C1", "--session", "S1", "--seq", "1", "--note", "y",
            env: ["CANDOR_OPERATOR": "bob"])
        #expect(b.status == 0 && b.stderr.contains("signed as bob"), "\(b.stderr)")
        // $CANDOR_OPERATOR is validated like --operator.
        for bad in ["../olga", "a b", "-x"] {
            let e = try candor(
                "review", "--workspace", ws, "--case", "C1", "--session", "S1", "--seq", "1", "--note", "z",
                env: ["CANDOR_OPERATOR": bad])
            #expect(e.status == 1 && e.stderr.contains("not a valid operator name"), "\(bad): \(e.stderr)")
        }
        let o = try candor(
            "review", "--workspace", ws, "--case", "C1", "--session", "S1", "--seq", "1", "--note", "z", "--operator", "../olga")
        #expect(o.status == 1, "\(o.stderr)")
        // A key whose public key verification would not trust is never used to sign.
        let pubs = try FileManager.default.contentsOfDirectory(atPath: ws + "/keys/operators").filter {
            $0.hasPrefix("bob.") && $0.hasSuffix(".pub")
        }
        for p in pubs { try FileManager.default.removeItem(atPath: ws + "/keys/operators/" + p) }
        let u = try candor("review", "--workspace", ws, "--case", "C1", "--session", "S1", "--seq", "1", "--note", "w", "--operator", "bob")
        #expect(u.status == 1 && u.stderr.contains("refusing to sign"), "\(u.stderr)")
    }
}
