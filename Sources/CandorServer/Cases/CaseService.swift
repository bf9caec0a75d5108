import CandorAudit
import CandorCore
import CandorReport
import Foundation
import Logging

/// Case data for authenticated users. Every read of case data appends an `accessed` record
/// naming the user to the session log, signed by the server's operator key, and only then
/// returns the data; if the record cannot be appended, nothing is returned. Refusals are
/// logged (and recorded in the session log when the session exists).
///
/// The audit workspace is opened per call on `AuditIO`'s queue (it is not Sendable and its
/// calls block).
public final class CaseService: Sendable {
    let openWorkspace: @Sendable () throws -> AuditWorkspace
    let accounts: AccountStore
    /// The operator whose key signs the server's records (the workspace's default operator).
    public let serverOperator: String
    let hooks: AnalysisHooks
    let logger: Logger

    public init(
        openWorkspace: @escaping @Sendable () throws -> AuditWorkspace, accounts: AccountStore, serverOperator: String,
        hooks: AnalysisHooks, logger: Logger
    ) {
        self.openWorkspace = openWorkspace
        self.accounts = accounts
        self.serverOperator = serverOperator
        self.hooks = hooks
        self.logger = logger
    }

    // MARK: - Access control

    /// A session reference from untrusted path parts: 400 unless both are identifiers
    /// (no "/", "..", NUL or other characters that could name another file or log).
    public static func sessionRef(_ caseID: String, _ sessionID: String) throws -> SessionRef {
        guard AuditRecord.isValidIdentifier(caseID), AuditRecord.isValidIdentifier(sessionID),
            let s = try? SessionRef(caseID: caseID, sessionID: sessionID)
        else {
            throw ServerError.badRequest("case and session ids are 1-128 of A-Z a-z 0-9 . _ - (not starting with . or -)", code: .invalidID)
        }
        return s
    }

    /// Throws 403 (after logging the refusal) unless `p` may do `action` in the case.
    public func authorize(_ p: Principal, _ action: CaseAction, caseID: String, session: SessionRef? = nil, client: String) async throws {
        let assigned = p.role == .investigator ? try accounts.assignedCases(p.name).contains(caseID) : false
        if AccessPolicy.allows(p.role, action, assigned: assigned) { return }
        logger.warning(
            "refused",
            metadata: [
                "user": "\(p.name)", "role": "\(p.role.rawValue)", "action": "\(action.rawValue)",
                "case": "\(caseID)", "session": "\(session?.sessionID ?? "-")", "client": "\(client)",
            ])
        if let session {
            let op = serverOperator
            // Recorded in the session's own log when it exists; a refusal never creates a log.
            _ = try? await AuditIO.run {
                let ws = try self.openWorkspace()
                guard try !ws.store.records(session).isEmpty else { return false }
                try ws.append(
                    session, operator: op,
                    [
                        RecordDraft(
                            .accessed,
                            [
                                "action": "refused", "what": .string(action.rawValue), "user": .string(p.name),
                                "role": .string(p.role.rawValue),
                                "client": .string(client),
                            ])
                    ])
                return true
            }
        }
        throw ServerError.forbidden("\(p.name) (\(p.role.rawValue)) may not \(action.rawValue) case \(caseID)", args: [caseID])
    }

    // MARK: - Listing

    /// The cases `p` may see, with their sessions.
    public func cases(for p: Principal) async throws -> [CaseSummary] {
        guard p.role == .investigator || p.role == .supervisor else { return [] }
        let assignments = try accounts.assignments()
        let sessions = try await AuditIO.run { try self.openWorkspace().store.sessions() }
        var byCase: [String: [String]] = [:]
        for s in sessions { byCase[s.caseID, default: []].append(s.sessionID) }
        for c in assignments.keys where byCase[c] == nil { byCase[c] = [] }
        let mine = p.role == .investigator ? try accounts.assignedCases(p.name) : nil
        return byCase.keys.sorted().compactMap { c in
            if let mine, !mine.contains(c) { return nil }
            return CaseSummary(caseID: c, sessions: byCase[c]!.sorted(), investigators: assignments[c] ?? [])
        }
    }

    // MARK: - Reads (each logged first)

    /// Appends the `accessed` record; the caller sends the data only if this returns.
    func recordAccess(_ ws: AuditWorkspace, _ s: SessionRef, _ p: Principal, what: String, client: String) throws {
        do {
            try ws.append(
                s, operator: serverOperator,
                [
                    RecordDraft(
                        .accessed,
                        [
                            "action": "viewed", "what": .string(what), "user": .string(p.name), "role": .string(p.role.rawValue),
                            "client": .string(client),
                        ])
                ])
        } catch {
            logger.error("access not recorded; nothing sent", metadata: ["user": "\(p.name)", "session": "\(s)", "error": "\(error)"])
            throw ServerError(
                .internalServerError, "the access could not be recorded in the audit log, so nothing is sent", code: .accessNotRecorded)
        }
    }

    /// The latest stored analysis of a session (its JSON, byte for byte), after logging the access.
    public func analysis(_ p: Principal, _ s: SessionRef, client: String) async throws -> [UInt8] {
        try await AuditIO.run {
            let ws = try self.openWorkspace()
            let bytes = try self.latestAnalysis(ws, s)
            try self.recordAccess(ws, s, p, what: "analysis (candor serve)", client: client)
            return bytes
        }
    }

    /// The HTML report of the session's latest analysis in `language`, with the audit status
    /// (which includes this access).
    public func report(_ p: Principal, _ s: SessionRef, client: String, language: InterfaceLanguage = .english) async throws -> String {
        let (bytes, status) = try await AuditIO.run { () -> ([UInt8], AuditStatus) in
            let ws = try self.openWorkspace()
            let bytes = try self.latestAnalysis(ws, s)
            try self.recordAccess(ws, s, p, what: "report (candor serve)", client: client)
            let contents = try ws.contents(s)
            let v = LogVerifier.verify(contents, expected: s)
            let verification: AuditStatus.Verification =
                v.failure.map { .failed("\($0)") } ?? .intact(size: v.size, root: Hex.encode(v.root))
            var status = AuditStatus.parse(
                recordLines: contents.lines, checkpoint: contents.checkpoint, verification: verification,
                source: "case \(s.caseID), session \(s.sessionID) (candor serve)")
            status.quarantined =
                AuditStatus.parse(
                    recordLines: try ws.store.quarantined(s).map(\.bytes), checkpoint: nil,
                    verification: .notPerformed(""), source: ""
                ).entries
            return (bytes, status)
        }
        let analysis: AnalysisData
        do { analysis = try AnalysisData.parse(bytes) } catch {
            throw ServerError(.internalServerError, "the stored analysis of \(s) cannot be read (\(error))")
        }
        var options = ReportOptions(
            caseID: s.caseID, sessionID: s.sessionID, generatedAt: AuditRecord.timestamp(),
            modelCards: hooks.modelCards(Set(analysis.allScores.map(\.model))), audit: status)
        options.language = language
        return HTMLReport.render(analysis, options: options)
    }

    /// The session log verified, with its records (including this access).
    public func audit(_ p: Principal, _ s: SessionRef, client: String) async throws -> SessionAudit {
        try await AuditIO.run {
            let ws = try self.openWorkspace()
            guard try !ws.store.records(s).isEmpty else {
                throw ServerError.notFound("no audit log for \(s)", code: .sessionNotFound, args: [s.caseID, s.sessionID])
            }
            try self.recordAccess(ws, s, p, what: "audit log (candor serve)", client: client)
            return try Self.sessionAudit(ws, s)
        }
    }

    static func sessionAudit(_ ws: AuditWorkspace, _ s: SessionRef) throws -> SessionAudit {
        let contents = try ws.contents(s)
        let v = LogVerifier.verify(contents, expected: s)
        let failedSeq = v.failure.map { $0.seq ?? 0 }
        let records = contents.lines.enumerated().map { k, line -> SessionAudit.Record in
            let status: SessionAudit.RecordStatus
            if let f = failedSeq { status = k < f ? .verified : (k == f ? .failed : .unchecked) } else { status = .verified }
            return SessionAudit.Record(seq: k, status: status, fields: (try? CanonicalJSON.parse(line)) ?? .null)
        }
        let witnesses = try ws.keys.witnesses().map { w in
            SessionAudit.Witness(
                name: w.key.name, url: w.url,
                cosignedAt: contents.checkpoint.flatMap { try? SignedNote.cosignatureTime($0, key: w.key) })
        }
        return SessionAudit(
            intact: v.isIntact, size: v.size, root: Hex.encode(v.root), failure: v.failure.map { "\($0)" },
            checkpoint: contents.checkpoint, records: records, witnesses: witnesses)
    }

    /// The result named by the last `analysis_completed` record that has a stored result.
    func latestAnalysis(_ ws: AuditWorkspace, _ s: SessionRef) throws -> [UInt8] {
        let records = try ws.store.records(s)
        guard !records.isEmpty else {
            throw ServerError.notFound("no audit log for \(s)", code: .sessionNotFound, args: [s.caseID, s.sessionID])
        }
        var results: [String: [UInt8]] = [:]
        for r in try ws.store.results(s) { results[r.name] = r.bytes }
        for rec in records.reversed() {
            guard let obj = try? CanonicalJSON.parse(rec.bytes), obj["type"]?.stringValue == "analysis_completed" else { continue }
            let names = [obj["result_file"]?.stringValue, obj["output_sha256"]?.stringValue.map { "results/\($0).json" }].compactMap { $0 }
            if let name = names.first(where: { results[$0] != nil }) { return results[name]! }
        }
        throw ServerError.notFound(
            "\(s) has no analysis yet (is its job still queued or running? GET /api/v1/jobs/ID)", code: .analysisNotReady,
            args: [s.caseID, s.sessionID])
    }
}
