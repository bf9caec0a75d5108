import CandorAudit
import CandorWitness
import Foundation
import Testing

/// The witness's C2SP tlog-witness rules, in process (no HTTP).
@Suite struct WitnessServiceTests {
    let dir = tempDir("candor-witness-unit")
    let log = try! NoteSigner.generate(name: "candor-log-unit")
    let origin = "candor-log-unit/C/S"
    let leaves = (0..<9).map { Merkle.leafHash(Array("record \($0)".utf8)) }

    func note(_ size: Int, signer: NoteSigner? = nil, origin: String? = nil) throws -> String {
        try Checkpoint(origin: origin ?? self.origin, size: size, root: Merkle.root(Array(leaves[0..<size]))).signed(by: signer ?? log)
    }

    func request(old: Int, size: Int, proof: [Merkle.Hash]? = nil, note n: String? = nil) throws -> [UInt8] {
        let p = proof ?? Merkle.consistencyProof(oldSize: old, leaves: Array(leaves[0..<size])) ?? []
        return AddCheckpointRequest(oldSize: old, proof: old == 0 ? [] : p, checkpoint: try n ?? note(size)).encoded
    }

    @Test func cosignsOnlyConsistentGrowthAndKeepsItsStateAcrossRestarts() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let key = try WitnessService.create(directory: dir, name: "witness.unit/w1")
        #expect(throws: AuditError.self) { try WitnessService.create(directory: dir, name: "witness.unit/w1") }
        let w = try WitnessService(directory: dir)
        // Unknown log: 404 (the origin's key name is not configured).
        #expect(w.addCheckpoint(try request(old: 0, size: 3)).status == 404)
        try w.allow(log.verifierKey)
        // First checkpoint: 200 with a cosignature/v1 line that verifies, time included.
        let first = w.addCheckpoint(try request(old: 0, size: 3), now: 1_700_000_000)
        #expect(first.status == 200, "\(first.body)")
        #expect(first.contentType == "text/x.tlog.cosignature")
        let cosigned = try note(3) + first.body
        #expect(try SignedNote.cosignatureTime(cosigned, key: key) == 1_700_000_000)
        // The same cosignature line fails on another checkpoint body.
        #expect(throws: AuditError.self) { try SignedNote.cosignatureTime(try note(4) + first.body, key: key) }
        // Wrong old size: 409 with the known size as text/x.tlog.size.
        let conflict = w.addCheckpoint(try request(old: 0, size: 5))
        #expect(conflict.status == 409 && conflict.body == "3\n" && conflict.contentType == "text/x.tlog.size")
        // Growth with a valid proof: 200; with a wrong proof: 422.
        var bad = Merkle.consistencyProof(oldSize: 3, leaves: Array(leaves[0..<5]))!
        bad[0][0] ^= 1
        #expect(w.addCheckpoint(try request(old: 3, size: 5, proof: bad)).status == 422)
        #expect(w.addCheckpoint(try request(old: 3, size: 5)).status == 200)
        // old > size: 400. A checkpoint signed by another key with the log's name: 403.
        #expect(w.addCheckpoint(try request(old: 6, size: 5)).status == 400)
        let impostor = try NoteSigner.generate(name: "candor-log-unit")
        #expect(w.addCheckpoint(try request(old: 5, size: 6, note: try note(6, signer: impostor))).status == 403)
        // A different tree of the same size: 409.
        let other = try Checkpoint(origin: origin, size: 5, root: Merkle.sha256([1])).signed(by: log)
        #expect(w.addCheckpoint(try request(old: 5, size: 5, proof: [], note: other)).status == 409)
        // Restart: a new service on the folder knows size 5 and refuses a rollback to 4.
        let restarted = try WitnessService(directory: dir)
        let latest = try #require(restarted.latest(origin: origin))
        #expect(try Checkpoint(parsingBody: SignedNote.split(latest).body).size == 5)
        #expect(try SignedNote.cosignatureTime(latest, key: key) != nil)
        #expect(restarted.addCheckpoint(try request(old: 4, size: 4, proof: [], note: try note(4))).status == 409)
        #expect(restarted.addCheckpoint(try request(old: 5, size: 9)).status == 200)
        // Malformed bodies: 400, never a crash.
        for body in ["", "old x\n\n", "old 1\nnot base64\n\n" + (try note(2)), "old 0\n\nno checkpoint"] {
            #expect(restarted.addCheckpoint(Array(body.utf8)).status == 400, "\(body)")
        }
    }

    @Test func cosignerKeysFollowTheSpec() throws {
        // key id = SHA-256(name ‖ 0x0A ‖ 0x04 ‖ pubkey)[:4]; vkey = name+hex(id)+base64(0x04 ‖ pubkey)
        let s = try CosignerSigner.generate(name: "w.example/1")
        let k = s.verifierKey
        #expect(k.keyID == Array(Merkle.sha256(Array("w.example/1".utf8) + [0x0A, 0x04] + k.publicKey).prefix(4)))
        #expect(try CosignerKey(parsing: k.encoded) == k)
        #expect(try CosignerSigner(parsingPrivate: s.encodedPrivate).verifierKey == k)
        // A signed-note (type 0x01) key is not a cosigner key, and the reverse.
        #expect(throws: AuditError.self) { try CosignerKey(parsing: log.verifierKey.encoded) }
        #expect(throws: AuditError.self) { try NoteVerifierKey(parsing: k.encoded) }
        // The line's blob is keyid(4) ‖ big-endian time(8) ‖ Ed25519 signature(64).
        let line = try s.cosign(body: "o\n1\n\(Base64.encode(Merkle.sha256([])))\n", time: 258)
        let blob = try #require(SignedNote.parseSignatureLine(line)).blob
        #expect(blob.count == 76 && Array(blob[4..<12]) == [0, 0, 0, 0, 0, 0, 1, 2])
    }
}
