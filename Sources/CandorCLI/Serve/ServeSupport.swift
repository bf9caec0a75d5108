import Candor
import CandorAudio
import CandorModels
import CandorServer
import CandorStore
import Foundation

/// The audit database for a PostgreSQL queue (as `candor worker` chooses it).
func serveAuditURL(_ q: QueueOptions) throws -> String? {
    guard let url = q.queue ?? ProcessInfo.processInfo.environment["CANDOR_QUEUE"], !url.isEmpty,
        case .postgres = try QueueLocation.parse(url),
        (ProcessInfo.processInfo.environment["CANDOR_AUDIT_DB"] ?? "").isEmpty
    else { return nil }
    return url
}

/// The job for an uploaded recording: its header must read as audio (else the upload is
/// refused), default analysis settings, the channel roles given with the upload.
func serveJobSpec(path: String, sha256: String, bytes: Int, roles: [String], caseID: String, sessionID: String) throws -> JobSpec {
    guard roles.count <= 16,
        roles.allSatisfy({ !$0.isEmpty && $0.count <= 64 && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } })
    else {
        throw InputError(path: path, problem: "roles must be up to 16 comma-separated words of letters, digits, _ and -")
    }
    let reader = try AudioReader(path: path)
    reader.close()
    if !roles.isEmpty && roles.count != reader.info.channels {
        throw InputError(path: path, problem: "\(roles.count) role(s) given for \(reader.info.channels) channel(s)")
    }
    let settings = BatchAnalysisSettings(method: "ac", pitchFloorHz: 75, pitchCeilingHz: 600, timeStepS: 0, mix: false, roles: roles)
    // The session joins the job's identity (the worker ignores the extra key): the same recording
    // uploaded into two sessions is analysed, and recorded, in each.
    var object = (try JSONSerialization.jsonObject(with: Data(settings.json.utf8)) as? [String: Any]) ?? [:]
    object["uploadSession"] = caseID + "/" + sessionID
    let parameters = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    return JobSpec(
        inputPath: path, inputSHA256: sha256, inputBytes: bytes, parametersJSON: parameters,
        modelsHash: JobKeys.modelsHash(try batchModels()), caseID: caseID, sessionID: sessionID, maxAttempts: 3)
}

/// Model cards for the report, from the models folder `ModelRegistry.locate()` finds.
func serveModelCards(_ ids: Set<String>) -> [String: String] {
    guard !ids.isEmpty, let dir = ModelRegistry.locate() else { return [:] }
    var cards: [String: String] = [:]
    for id in ids where !id.contains("/") && !id.hasPrefix(".") {
        if let text = readText((dir as NSString).appendingPathComponent("\(id).md")) { cards[id] = text }
    }
    return cards
}
