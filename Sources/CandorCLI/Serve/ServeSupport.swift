import Candor
import CandorAudio
import CandorCore
import CandorFeatures
import CandorInterchange
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

/// An uploaded segments file read with `candor analyze --segments`'s readers and limits and
/// checked for times that cannot be right in any recording (ends before starts, overlaps of one
/// speaker). Errors name the file as `segments.FORMAT` and the line.
func serveCheckSegments(path: String, format: String) throws -> [Segment] {
    let name = "segments.\(format)"
    var st = stat()
    guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { throw InputError(path: name, problem: "not a regular file") }
    guard Int(st.st_size) <= 64 << 20 else { throw InputError(path: name, problem: "segment file larger than 64 MB") }
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
        throw InputError(path: name, problem: "empty segment file (no segments)")
    }
    let segments = try SegmentReader.parse(bytes: bytes, path: name)
    guard !segments.isEmpty else { throw InputError(path: name, problem: "no segments in the file") }
    return try Segments.validate(segments, duration: .greatestFiniteMagnitude, path: name)
}

/// The job for an uploaded recording: its header must read as audio (else the upload is
/// refused), default analysis settings but for the upload's pitch method and range (the
/// method's own floor, as `candor analyze --method`), the channel roles given with the upload, and the
/// uploaded segments file if one is named (checked against the recording's length and
/// channels here, so a mismatch is refused at upload, with status 422, not in the worker).
func serveJobSpec(
    path: String, sha256: String, bytes: Int, roles: [String], caseID: String, sessionID: String, segments: StoredUpload? = nil,
    options: UploadAnalysisOptions = .init()
) throws -> JobSpec {
    guard roles.count <= 16,
        roles.allSatisfy({ !$0.isEmpty && $0.count <= 64 && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } })
    else {
        throw ServerError(
            .unprocessableContent, "roles must be up to 16 comma-separated words of letters, digits, _ and -", code: .invalidRoles)
    }
    let reader = try AudioReader(path: path)
    reader.close()
    if !roles.isEmpty && roles.count != reader.info.channels {
        throw ServerError(
            .unprocessableContent, "\(roles.count) role(s) given for \(reader.info.channels) channel(s)", code: .invalidRoles,
            args: [String(roles.count), String(reader.info.channels)])
    }
    let method = PitchMethod(rawValue: options.method) ?? .ac
    var settings = BatchAnalysisSettings(
        method: method.rawValue, pitchFloorHz: PitchSettings(method: method).floor, pitchCeilingHz: 600, timeStepS: 0, mix: false,
        roles: roles)
    // Absent from the parameters (and so from job keys) unless asked for.
    if options.pitchRange == "auto" { settings.pitchRange = "auto" }
    if let segments {
        do {
            // Header length with a second's slack (compressed formats' headers estimate it); the
            // worker checks against the decoded length.
            let parsed = try Segments.validate(
                try serveCheckSegments(path: segments.path, format: segments.format), duration: reader.info.duration + 1,
                path: "segments.\(segments.format)")
            try checkSegmentSpeakers(
                parsed, roles: roles, analysedChannels: reader.info.channels, map: [:], path: "segments.\(segments.format)")
        } catch {
            throw ServerError(.unprocessableContent, "the segments do not fit this recording: \(error)", code: .segmentsMismatch)
        }
        settings.segmentsFile = segments.path
        settings.segmentsSHA256 = segments.sha256
    }
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
