import CandorAudit
import Foundation

extension CaseService {
    /// Records a supervisor's review of record `concernsSeq`, signed with the supervisor's own
    /// operator key (created on first use, so the review carries the supervisor's identity).
    public func review(_ p: Principal, _ s: SessionRef, concernsSeq: Int, kind: String, note: String, override: String?) async throws -> Int
    {
        guard ["note", "override", "disregard"].contains(kind) else {
            throw ServerError.badRequest("review kind must be note, override or disregard", code: .invalidReview)
        }
        guard !note.isEmpty, note.utf8.count <= 4000 else {
            throw ServerError.badRequest("the review note must have 1-4000 bytes", code: .invalidReview)
        }
        if kind == "override" && (override ?? "").isEmpty {
            throw ServerError.badRequest("an override review needs a value", code: .invalidReview)
        }
        return try await AuditIO.run {
            let ws = try self.openWorkspace()
            let recs = try ws.store.records(s)
            guard !recs.isEmpty else {
                throw ServerError.notFound("no audit log for \(s)", code: .sessionNotFound, args: [s.caseID, s.sessionID])
            }
            guard concernsSeq >= 0, concernsSeq < recs.count else {
                throw ServerError.badRequest("\(s) has no record with seq \(concernsSeq)", code: .invalidReview)
            }
            if !ws.keys.hasOperator(p.name) { try ws.keys.initOperator(p.name) }
            do {
                return try ws.review(s, operator: p.name, concernsSeq: concernsSeq, kind: kind, note: note, override: override)
            } catch let e as AuditError {
                throw ServerError(.internalServerError, e.message)
            }
        }
    }

    /// Records that `p` ingested an uploaded file (a recording before its job is queued, or a
    /// segments file): `evidence_ingested` with the uploader's name, signed by the server's key.
    /// `what` is `recording` or `segments`; `extra` adds fields (e.g. the segments count).
    public func recordUpload(
        _ p: Principal, _ s: SessionRef, _ stored: StoredUpload, what: String = "recording", extra: [String: AuditJSON] = [:],
        client: String
    ) async throws {
        let op = serverOperator
        var fields: [String: AuditJSON] = [
            "path": .string(stored.path), "bytes": .int(Int64(stored.bytes)), "sha256": .string(stored.sha256),
            "format": .string(stored.format), "what": .string(what), "user": .string(p.name), "role": .string(p.role.rawValue),
            "via": "upload (candor serve)", "client": .string(client),
        ]
        fields.merge(extra) { _, new in new }
        let draft = RecordDraft(.evidenceIngested, fields)
        try await AuditIO.run {
            let ws = try self.openWorkspace()
            try ws.append(s, operator: op, [draft])
        }
    }
}
