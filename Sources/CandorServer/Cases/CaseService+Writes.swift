import CandorAudit
import Foundation

extension CaseService {
    /// Records a supervisor's review of record `concernsSeq`, signed with the supervisor's own
    /// operator key (created on first use, so the review carries the supervisor's identity).
    public func review(_ p: Principal, _ s: SessionRef, concernsSeq: Int, kind: String, note: String, override: String?) async throws -> Int
    {
        guard ["note", "override", "disregard"].contains(kind) else {
            throw ServerError.badRequest("review kind must be note, override or disregard")
        }
        guard !note.isEmpty, note.utf8.count <= 4000 else { throw ServerError.badRequest("the review note must have 1-4000 bytes") }
        if kind == "override" && (override ?? "").isEmpty { throw ServerError.badRequest("an override review needs a value") }
        return try await AuditIO.run {
            let ws = try self.openWorkspace()
            let recs = try ws.store.records(s)
            guard !recs.isEmpty else { throw ServerError.notFound("no audit log for \(s)") }
            guard concernsSeq >= 0, concernsSeq < recs.count else {
                throw ServerError.badRequest("\(s) has no record with seq \(concernsSeq)")
            }
            if !ws.keys.hasOperator(p.name) { try ws.keys.initOperator(p.name) }
            do {
                return try ws.review(s, operator: p.name, concernsSeq: concernsSeq, kind: kind, note: note, override: override)
            } catch let e as AuditError {
                throw ServerError(.internalServerError, e.message)
            }
        }
    }

    /// Records that `p` ingested a recording (before its job is queued): `evidence_ingested`
    /// with the uploader's name, signed by the server's key.
    public func recordUpload(
        _ p: Principal, _ s: SessionRef, path: String, sha256: String, bytes: Int, format: String, client: String
    ) async throws {
        let op = serverOperator
        try await AuditIO.run {
            let ws = try self.openWorkspace()
            try ws.append(
                s, operator: op,
                [
                    RecordDraft(
                        .evidenceIngested,
                        [
                            "path": .string(path), "bytes": .int(Int64(bytes)), "sha256": .string(sha256), "format": .string(format),
                            "user": .string(p.name), "role": .string(p.role.rawValue), "via": "upload (candor serve)",
                            "client": .string(client),
                        ])
                ])
        }
    }
}
