import Foundation
import Testing
@testable import CandorAudit

@Suite("appendOnce: idempotent, fenced appends")
struct AppendOnceTests {
    struct Refused: Error {}

    static func drafts(_ key: String) -> [RecordDraft] {
        [
            RecordDraft(
                .evidenceIngested, ["path": "a.wav", "bytes": 1, "sha256": .string(String(repeating: "a", count: 64)), "format": "wav"]),
            RecordDraft(.analysisCompleted, ["job": .string(key), "output_sha256": .string(String(repeating: "b", count: 64))]),
        ]
    }

    @Test("appends once per key; the second call returns the logged record and appends nothing")
    func once() throws {
        let sample = try Sample()
        defer { sample.cleanup() }
        let before = try sample.ws.store.records(sample.session).count
        guard case .appended(let seqs) = try sample.ws.appendOnce(sample.session, keyField: "job", key: "k1", Self.drafts("k1"), fence: {})
        else {
            Issue.record("first call did not append")
            return
        }
        #expect(seqs == [before, before + 1])
        var fenced = false
        let again = try sample.ws.appendOnce(sample.session, keyField: "job", key: "k1", Self.drafts("k1"), fence: { fenced = true })
        guard case .alreadyLogged(let record) = again else {
            Issue.record("second call appended again")
            return
        }
        #expect(record["job"] == .string("k1") && record["type"] == .string("analysis_completed"))
        #expect(!fenced, "the fence is not consulted when nothing is appended")
        #expect(try sample.ws.store.records(sample.session).count == before + 2)
        // Another key appends.
        _ = try sample.ws.appendOnce(sample.session, keyField: "job", key: "k2", Self.drafts("k2"), fence: {})
        #expect(try sample.ws.store.records(sample.session).count == before + 4)
        #expect(try sample.ws.verify(sample.session).failure == nil)
    }

    @Test("a fence that refuses leaves the log and the stored results unchanged")
    func fenceRefuses() throws {
        let sample = try Sample()
        defer { sample.cleanup() }
        let before = try sample.ws.store.records(sample.session).count
        let results = try sample.ws.results(sample.session).count
        #expect(throws: Refused.self) {
            try sample.ws.appendOnce(
                sample.session, keyField: "job", key: "k1", result: Array("{}".utf8), Self.drafts("k1"),
                fence: { throw Refused() })
        }
        #expect(try sample.ws.store.records(sample.session).count == before)
        #expect(try sample.ws.results(sample.session).count == results)
        #expect(try sample.ws.verify(sample.session).failure == nil)
    }

    @Test("drafts without the key are refused")
    func keyRequired() throws {
        let sample = try Sample()
        defer { sample.cleanup() }
        #expect(throws: AuditError.self) {
            try sample.ws.appendOnce(sample.session, keyField: "job", key: "k9", Self.drafts("other"), fence: {})
        }
    }
}
