#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import CandorAudio
import CandorFeatures

/// One analysis job: what `candor analyze` does for one file, callable from the batch worker.
public struct AnalysisRequest: Sendable {
    public var file: String
    public var pitch = PitchSettings()
    public var mix = false
    /// nil = all cores.
    public var threads: Int?
    public var roles: [String] = []
    /// Where the analysis JSON goes ("-" = stdout).
    public var outPath: String
    public var caseID: String?
    public var sessionID: String?
    public var workspace: String = "candor-workspace"
    /// Segments file (TextGrid, WebVTT, SRT or CSV).
    public var segmentsPath: String?
    /// `--speaker-map`: segment speaker name (lower-cased) → role.
    public var speakerMap: [String: String] = [:]
    /// Only the frame-level pitch and intensity (no voice quality, timing, segments or scores).
    public var pitchOnly = false

    public init(file: String, outPath: String? = nil) {
        self.file = file
        self.outPath = outPath ?? (String(file.split(separator: "/").last ?? Substring(file)) + ".analysis.json")
    }
}

/// What an analysis produced.
public struct AnalysisOutcome: Sendable {
    public var inputSHA256: String
    public var outputPath: String
    /// SHA-256 of the written JSON (nil when written to stdout).
    public var outputSHA256: String?
    /// Every setting that changes a number, as strings (for job keys and audit records).
    public var parameters: [String: String]
    public var summary: String
}

/// Validates, analyses and writes one file (atomically), then records it in the session's
/// audit log when a case and session are given. Throws `InputError` (exit 3) for bad input.
public func runAnalysis(_ request: AnalysisRequest, progress: ProgressHandler? = nil) async throws -> AnalysisOutcome {
    let file = request.file
    var options = AnalysisOptions()
    options.pitch = request.pitch
    options.mix = request.mix
    options.threads = request.threads ?? max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    let audited = request.caseID != nil && request.sessionID != nil
    if audited {
        // Fail fast (before a long analysis) when the log cannot take the records.
        try auditPreflight(workspace: request.workspace, caseID: request.caseID!, sessionID: request.sessionID!)
    }
    let scan = try scanAudio(path: file)
    if let problem = options.pitch.validate(sampleRate: Double(scan.info.sampleRate)) {
        throw InputError(path: file, problem: problem)
    }
    if scan.channels.allSatisfy({ $0.peakAboveMean == 0 }) {
        throw InputError(path: file, problem: "contains only silence (every sample is the same value); nothing to analyse")
    }
    let analysedChannels = request.mix ? 1 : scan.info.channels
    try checkRoles(request.roles, analysedChannels: analysedChannels, file: file)
    if let seg = request.segmentsPath {
        // Parse and check the segments before the long work, so a bad file fails fast.
        let segs = try Segments.validate(try SegmentReader.read(path: seg), duration: scan.duration, path: seg)
        try checkSegmentSpeakers(segs, roles: request.roles, analysedChannels: analysedChannels, map: request.speakerMap, path: seg)
    }
    options.speechFeatures = !request.pitchOnly
    let analysis = try await analyzeAudio(path: file, scan: scan, options: options) {
        progress?(request.pitchOnly ? $0 : 0.7 * $0)
    }
    let interview = request.pitchOnly ? nil : try await computeInterview(
        file: file, analysis: analysis, options: options, roles: request.roles,
        segmentsPath: request.segmentsPath, speakerMap: request.speakerMap) { progress?(0.7 + 0.3 * $0) }
    let doc = try AnalysisDocument(file: file, analysis: analysis, options: options, roles: request.roles, interview: interview)
    for w in doc.warnings { printErr("candor: warning: \(file): \(w)") }
    // With an audit log and stdout output, the JSON is rendered to a temporary file first so
    // the exact bytes can be hashed and kept in the workspace.
    let toStdout = request.outPath == "-"
    let target = toStdout && audited ? request.workspace + "/.stdout-\(getpid()).analysis.json" : request.outPath
    if target != request.outPath { mkdir(request.workspace, 0o755) }
    defer { if target != request.outPath { unlink(target) } }
    try writeAtomically(to: target) { sink in doc.json().write(to: sink) }
    let outSHA = target == "-" ? nil : try sha256(ofFile: target)
    if audited, let outSHA {
        if toStdout, let text = readText(target) { print(text, terminator: "") }
        let parameters = doc.parameterStrings
        try auditAnalysis(
            workspace: request.workspace, caseID: request.caseID!, sessionID: request.sessionID!,
            inputPath: file, inputBytes: scan.info.bytes, inputSHA256: scan.sha256, inputFormat: scan.info.format,
            outputPath: target, outputSHA256: outSHA,
            softwareVersion: CandorVersion.version, gitCommit: CandorVersion.gitCommit,
            parameters: parameters, models: doc.models.map { (id: $0.id, sha256: $0.sha256) })
    }
    return AnalysisOutcome(
        inputSHA256: scan.sha256, outputPath: request.outPath, outputSHA256: toStdout ? nil : outSHA,
        parameters: doc.parameterStrings, summary: doc.humanSummary(outPath: request.outPath))
}
