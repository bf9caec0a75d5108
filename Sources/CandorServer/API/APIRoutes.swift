#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import CandorAudit
import CandorStore
import Foundation
import Hummingbird

/// The `/api/v1` routes (documented in `OpenAPIDocument`, docs/openapi.json). Every route but
/// login needs `Authorization: Bearer TOKEN`: 401 without a live token, 403 when the role or
/// the case assignment does not allow the request (the refusal is logged).
enum APIRoutes {
    static func add(to router: Router<ServerContext>, state: ServerState) {
        let api = router.group("api/v1")
        api.post("login") { request, context -> Response in
            let body = try await request.decode(as: LoginRequest.self, context: context)
            let (token, session) = try await state.auth.login(
                user: body.user, password: body.password, client: context.clientAddress, kind: .bearer)
            return Reply.json(
                .object([
                    "token": .string(token), "user": .string(session.user),
                    "expires": .string(AuditRecord.timestamp(Date(timeIntervalSince1970: session.expires))),
                ]))
        }
        api.post("logout") { request, _ -> Response in
            _ = try state.auth.apiPrincipal(request)
            if let token = Authenticator.bearerToken(request) { state.auth.sessions.revoke(token: token) }
            return Response(status: .noContent)
        }
        api.get("cases") { request, _ -> Response in
            let p = try state.auth.apiPrincipal(request)
            let list = try await state.cases.cases(for: p)
            return Reply.json(
                .object([
                    "user": .string(p.name), "role": .string(p.role.rawValue),
                    "cases": .array(
                        list.map { c in
                            .object([
                                "case": .string(c.caseID), "sessions": .array(c.sessions.map { .string($0) }),
                                "investigators": .array(c.investigators.map { .string($0) }),
                            ])
                        }),
                ]))
        }
        api.get("jobs/{id}") { request, context -> Response in
            let p = try state.auth.apiPrincipal(request)
            guard let id = context.parameters.get("id", as: Int64.self) else {
                throw ServerError.badRequest("job ids are integers", code: .invalidID)
            }
            guard let job = try await state.jobs.jobs().first(where: { $0.id == id }) else {
                throw ServerError.notFound("no job \(id)", code: .jobNotFound, args: [String(id)])
            }
            guard let caseID = job.caseID else { throw ServerError.forbidden("job \(id) belongs to no case") }
            try await state.cases.authorize(p, .read, caseID: caseID, client: context.clientAddress)
            var fields: [String: JSONText] = [
                "job": .int(job.id), "state": .string(job.state.rawValue), "case": .string(caseID),
                "attempts": .int(Int64(job.attempts)), "input_sha256": .string(job.inputSHA256),
            ]
            if let s = job.sessionID { fields["session"] = .string(s) }
            // The worker's message, with the server's upload folder left out of any path it names.
            if let e = job.lastError { fields["error"] = .string(e.replacingOccurrences(of: state.uploads.directory + "/", with: "")) }
            return Reply.json(.object(fields))
        }
        api.get("features") { request, context -> Response in
            let p = try state.auth.apiPrincipal(request)
            return Reply.text(try await state.cases.features(p, client: context.clientAddress), contentType: "text/csv; charset=utf-8")
        }
        let session = api.group("cases/{case}/sessions/{session}")
        session.post("recordings") { request, context -> Response in
            let (p, s) = try await permitted(state, .upload, request, context)
            let format = try declared(
                UploadStore.format(query: request.uri.queryParameters.get("format"), contentType: request.headers[.contentType]),
                "give the recording's type: Content-Type audio/wav, audio/flac, … or ?format=wav|flac|…")
            let roles = (request.uri.queryParameters.get("roles") ?? "").split(separator: ",").map {
                String($0).trimmingCharacters(in: .whitespaces)
            }
            let q = request.uri.queryParameters
            let options = try UploadAnalysisOptions(method: q.get("method"), pitchRange: q.get("pitch_range"))
            let segments = try q.get("segments").map { try state.uploads.segments(s, sha256: String($0)) }
            let job = try await ingest(
                state, p, s, body: request.body, format: format, roles: roles, segments: segments, options: options,
                client: context.clientAddress)
            return Reply.json(.object(["job": .int(job)]), status: .accepted)
        }
        session.post("segments") { request, context -> Response in
            let (p, s) = try await permitted(state, .upload, request, context)
            let format = try declared(
                UploadStore.segmentsFormat(query: request.uri.queryParameters.get("format"), contentType: request.headers[.contentType]),
                "give the segments file's type: ?format=csv|textgrid|srt|vtt (or Content-Type text/csv, text/vtt, application/x-subrip)")
            let received = try await state.uploads.receiveSegments(request.body)
            let (stored, count) = try await acceptSegments(
                state, p, s, path: received.path, sha256: received.sha256, bytes: received.bytes, format: format,
                client: context.clientAddress)
            return Reply.json(
                .object([
                    "segments": .string(stored.sha256), "count": .int(Int64(count)), "format": .string(stored.format),
                    "bytes": .int(Int64(stored.bytes)),
                ]), status: .created)
        }
        session.get("analysis") { request, context -> Response in
            let (p, s) = try await readable(state, request, context)
            return Reply.bytes(try await state.cases.analysis(p, s, client: context.clientAddress), contentType: "application/json")
        }
        session.get("report") { request, context -> Response in
            let (p, s) = try await readable(state, request, context)
            // The report's language: ?lang=en|zh-TW, else Accept-Language, else English.
            let html = try await state.cases.report(p, s, client: context.clientAddress, language: WebLocale(request).language)
            var r = Reply.text(html, contentType: "text/html; charset=utf-8")
            r.headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
            return r
        }
        session.get("audit") { request, context -> Response in
            let (p, s) = try await readable(state, request, context)
            return Reply.json(auditJSON(try await state.cases.audit(p, s, client: context.clientAddress)))
        }
        session.post("reviews") { request, context -> Response in
            let (p, s) = try await permitted(state, .review, request, context)
            let body = try await request.decode(as: ReviewRequest.self, context: context)
            let seq = try await state.cases.review(
                p, s, concernsSeq: body.concernsSeq, kind: body.kind, note: body.note, override: body.override)
            return Reply.json(.object(["seq": .int(Int64(seq))]), status: .created)
        }
    }

    static func ref(_ context: ServerContext) throws -> SessionRef {
        try CaseService.sessionRef(context.parameters.get("case") ?? "", context.parameters.get("session") ?? "")
    }

    /// An upload's format, or 415 with `help`.
    static func declared(_ format: String?, _ help: String) throws -> String {
        guard let format else { throw ServerError(.unsupportedMediaType, help) }
        return format
    }

    static func readable(_ state: ServerState, _ request: Request, _ context: ServerContext) async throws -> (Principal, SessionRef) {
        try await permitted(state, .read, request, context)
    }

    /// The signed-in user and the session of the path, once `action` is allowed (401, 400, 403 otherwise).
    static func permitted(
        _ state: ServerState, _ action: CaseAction, _ request: Request, _ context: ServerContext
    ) async throws -> (Principal, SessionRef) {
        let p = try state.auth.apiPrincipal(request)
        let s = try ref(context)
        try await state.cases.authorize(p, action, caseID: s.caseID, session: s, client: context.clientAddress)
        return (p, s)
    }

    /// Keeps an uploaded recording, records its ingestion by `p`, and queues its analysis.
    static func ingest(
        _ state: ServerState, _ p: Principal, _ s: SessionRef, body: RequestBody, format: String, roles: [String],
        segments: StoredUpload?, options: UploadAnalysisOptions, client: String
    ) async throws -> Int64 {
        let received = try await state.uploads.receiveRecording(body)
        return try await queue(
            state, p, s, received: received.path, sha256: received.sha256, bytes: received.bytes, format: format, roles: roles,
            segments: segments, options: options, client: client)
    }

    /// Checks a received segments file (at `path`, a temporary file) with the analysis's own
    /// readers (422 with the reader's one-line message, the file removed), keeps it, and records
    /// its ingestion by `p`. Returns the kept file and its number of segments.
    static func acceptSegments(
        _ state: ServerState, _ p: Principal, _ s: SessionRef, path: String, sha256: String, bytes: Int, format: String,
        client: String
    ) async throws -> (StoredUpload, Int) {
        let count: Int
        do { count = try state.hooks.checkSegments(path, format) } catch {
            unlink(path)
            throw ServerError(.unprocessableContent, "not a usable segments file: \(error)", code: .segmentsUnusable)
        }
        let stored = try state.uploads.keepSegments(path, s, sha256: sha256, bytes: bytes, format: format)
        try await state.cases.recordUpload(p, s, stored, what: "segments", extra: ["segments": .int(Int64(count))], client: client)
        return (stored, count)
    }

    /// Builds the job from the received recording, still in its private temporary file `tmp`
    /// (422 when the recording is unreadable, or the segments do not fit it: the temporary file
    /// is removed, and no kept file is touched, so a concurrent upload of the same content is
    /// safe); then keeps the file, records the upload by `p`, and queues the job. Takes
    /// ownership of `tmp`.
    static func queue(
        _ state: ServerState, _ p: Principal, _ s: SessionRef, received tmp: String, sha256: String, bytes: Int, format: String,
        roles: [String], segments: StoredUpload?, options: UploadAnalysisOptions = .init(), client: String
    ) async throws -> Int64 {
        var spec: JobSpec
        do { spec = try state.hooks.makeJob(tmp, sha256, bytes, roles, s.caseID, s.sessionID, segments, options) } catch {
            unlink(tmp)
            // A ServerError is the segments not fitting the recording; anything else, the recording
            // (named so, not by the server's temporary path).
            let problem = "\(error)".replacingOccurrences(of: tmp, with: "recording")
            throw error as? ServerError
                ?? ServerError(.unprocessableContent, "not a readable recording: \(problem)", code: .recordingUnreadable)
        }
        let stored = try state.uploads.keep(tmp, s, sha256: sha256, bytes: bytes, format: format)
        spec.inputPath = stored.path
        var extra: [String: AuditJSON] = [:]
        if let segments { extra["segments_sha256"] = .string(segments.sha256) }
        extra["pitch_method"] = .string(options.method)
        extra["pitch_range"] = .string(options.pitchRange)
        try await state.cases.recordUpload(p, s, stored, extra: extra, client: client)
        let outcome = try await state.jobs.submit([spec], retryFailed: true)
        return outcome.first?.id ?? -1
    }

    static func auditJSON(_ a: SessionAudit) -> JSONText {
        var fields: [String: JSONText] = [
            "intact": .bool(a.intact), "size": .int(Int64(a.size)), "root": .string(a.root),
            "records": .array(
                a.records.map { r in .object(["seq": .int(Int64(r.seq)), "status": .string(r.status.rawValue), "record": json(r.fields)]) }),
            "witnesses": .array(
                a.witnesses.map { w in
                    .object(["name": .string(w.name), "url": .string(w.url), "cosigned_at": w.cosignedAt.map { .int(Int64($0)) } ?? .null])
                }),
        ]
        fields["failure"] = a.failure.map { .string($0) } ?? .null
        fields["checkpoint"] = a.checkpoint.map { .string($0) } ?? .null
        return .object(fields)
    }

    static func json(_ v: AuditJSON) -> JSONText {
        switch v {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .string(let s): return .string(s)
        case .array(let a): return .array(a.map(json))
        case .object(let o): return .object(o.mapValues(json))
        }
    }
}
