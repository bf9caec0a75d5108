import CandorAudit
import Foundation
import Hummingbird

/// The upload page (multipart form, no JavaScript) and the job page that follows the analysis.
enum WebUploadRoutes {
    static func add(to ui: RouterGroup<ServerContext>, state: ServerState) {
        ui.get("upload") { request, _ -> Response in
            try await WebRoutes.page(state, request) { p, l in
                guard p.role == .investigator else { throw ServerError.forbidden("only investigators upload recordings") }
                let mine = try state.cases.accounts.assignedCases(p.name).sorted()
                return WebRoutes.html(Pages.upload(p, cases: mine, l))
            }
        }
        ui.post("upload") { request, context -> Response in
            try await WebRoutes.page(state, request) { p, _ in
                let form = try await MultipartUpload.read(request, uploads: state.uploads)
                var pending = Set(form.files.values.map(\.path))
                defer { for path in pending { unlink(path) } }
                guard let file = form.files["recording"] else {
                    throw ServerError.badRequest("choose a recording to upload", code: .missingRecording)
                }
                try state.auth.checkCSRF(p, form: form.fields, request: request)
                let s = try CaseService.sessionRef(form.fields["case"] ?? "", form.fields["session"] ?? "")
                try await state.cases.authorize(p, .upload, caseID: s.caseID, session: s, client: context.clientAddress)
                let options = try UploadAnalysisOptions(method: form.fields["method"], pitchRange: form.fields["pitch_range"])
                var segments: StoredUpload?
                if let seg = form.files["segments"] {
                    pending.remove(seg.path)
                    segments = try await APIRoutes.acceptSegments(
                        state, p, s, path: seg.path, sha256: seg.sha256, bytes: seg.bytes, format: seg.format,
                        client: context.clientAddress
                    ).0
                }
                pending.remove(file.path)  // `queue` keeps or removes it
                let roles = (form.fields["roles"] ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }
                let job = try await APIRoutes.queue(
                    state, p, s, received: file.path, sha256: file.sha256, bytes: file.bytes, format: file.format, roles: roles,
                    segments: segments, options: options, client: context.clientAddress)
                return WebRoutes.redirect("/ui/jobs/\(job)")
            }
        }
        ui.get("jobs/{id}") { request, context -> Response in
            try await WebRoutes.page(state, request) { p, l in
                guard let id = context.parameters.get("id", as: Int64.self),
                    let job = try await state.jobs.jobs().first(where: { $0.id == id }), let caseID = job.caseID
                else { throw ServerError.notFound("no such job", code: .jobNotFound, args: [context.parameters.get("id") ?? "?"]) }
                try await state.cases.authorize(p, .read, caseID: caseID, client: context.clientAddress)
                return WebRoutes.html(Pages.job(p, job, l))
            }
        }
    }
}
