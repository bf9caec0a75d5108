#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import ArgumentParser
import Candor
import CandorAudio
import CandorAudit
import CandorFeatures
import CandorModels
import CandorStore
import Foundation

/// Audio file extensions picked up when a folder is submitted.
let audioExtensions: Set<String> = [
    "wav", "wave", "flac", "ogg", "oga", "opus", "mp3", "aif", "aiff", "aifc", "au", "snd", "caf", "w64", "rf64",
]

/// Expands folders (recursively, audio extensions only, sorted); files named explicitly are kept as given.
func expandInputs(_ paths: [String]) -> (files: [String], missing: [String]) {
    var files: [String] = [], missing: [String] = []
    let fm = FileManager.default
    for p in paths {
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: p, isDirectory: &isDir) else { missing.append(p); continue }
        if !isDir.boolValue { files.append(p); continue }
        let base = p.hasSuffix("/") ? String(p.dropLast()) : p
        let found = (fm.enumerator(atPath: p)?.compactMap { $0 as? String } ?? [])
            .filter { audioExtensions.contains(($0 as NSString).pathExtension.lowercased()) }
            .sorted()
            .map { base + "/" + $0 }
            .filter {
                var d: ObjCBool = false; return fm.fileExists(atPath: $0, isDirectory: &d) && !d.boolValue
            }
        files.append(contentsOf: found)
    }
    return (files, missing)
}

/// A case/session id part made from a file name: characters outside A-Z a-z 0-9 . _ - become "_".
func identifier(fromFileName path: String) -> String {
    let base = (path as NSString).lastPathComponent
    let stem = (base as NSString).deletingPathExtension
    let mapped = String(stem.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") ? $0 : "_" })
    return String((mapped.isEmpty ? "recording" : mapped).prefix(128))
}

public struct BatchSubmitCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Enqueue recordings (folders are searched recursively for audio files).",
        discussion: """
            Each file is hashed and its header checked now. A job is identified by (input SHA-256, \
            parameters hash, models hash): submitting the same recording again with the same settings \
            adds no job. Unreadable files are reported (exit 3) after the readable ones are enqueued. \
            A segment file next to a recording (x.segments.csv or x.TextGrid beside x.wav) is \
            checked and used: its SHA-256 joins the job key, the worker checks it again and logs it \
            as evidence (--no-segment-files ignores such files).
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var queueOptions: QueueOptions

    @Argument(help: "Audio files or folders.")
    var paths: [String]

    @Option(name: .customLong("case"), help: "Case id: record each analysis in this case's audit log.")
    var caseID: String?

    @Option(name: .customLong("session"), help: "Session id (default with --case: one session per file, named after the file).")
    var sessionID: String?

    @Option(name: .customLong("pitch-floor"), help: "Lowest F0 searched, Hz (default 75 for ac and cc, 60 for robust).")
    var pitchFloor: Double?

    @Option(name: .customLong("pitch-ceiling"), help: "Highest F0 searched, Hz.")
    var pitchCeiling: Double = 600

    @Option(name: .customLong("time-step"), help: "Seconds between pitch frames (0 = auto).")
    var timeStep: Double = 0

    @Option(name: .long, help: "Pitch method: ac, cc or robust.")
    var method: String = "ac"

    @Option(
        name: .customLong("pitch-range"),
        help: "Pitch range: fixed (the floor and ceiling given) or auto (a first pass finds the speaker's own range).")
    var pitchRange: String = "fixed"

    @Flag(name: .long, help: "Also measure formants per channel and segment (as `candor analyze --formants`).")
    var formants = false
    @Option(name: .long, help: "Jitter pulse placement: praat or precise (as in `candor analyze`).")
    var pulses: String?

    @Flag(name: .long, help: "Downmix all channels to one before analysis.")
    var mix = false

    @Option(name: .long, help: "Speaker role per channel, comma-separated.")
    var roles: String?

    @Option(name: .customLong("max-attempts"), help: "Attempts per job before it is marked failed.")
    var maxAttempts: Int = 3

    @Flag(name: .customLong("no-segment-files"), help: "Ignore segment files next to the recordings (x.segments.csv, x.TextGrid).")
    var noSegmentFiles = false

    @Flag(name: .customLong("retry-failed"), help: "Put jobs that already failed back in the queue.")
    var retryFailed = false

    public init() {}

    /// The floor given, else the method's default.
    var floor: Double { pitchFloor ?? PitchSettings(method: PitchMethod(rawValue: method) ?? .ac).floor }

    public func validate() throws {
        guard PitchMethod(rawValue: method) != nil else { throw ValidationError("--method must be ac, cc or robust") }
        guard floor > 0, pitchCeiling > floor else { throw ValidationError("need 0 < --pitch-floor < --pitch-ceiling") }
        guard timeStep >= 0 else { throw ValidationError("--time-step must be ≥ 0") }
        guard ["fixed", "auto"].contains(pitchRange) else {
            throw ValidationError("--pitch-range must be fixed or auto (got \(pitchRange))")
        }
        if let pulses, !["praat", "precise"].contains(pulses) {
            throw ValidationError("--pulses must be praat or precise (got \(pulses))")
        }
        guard (1...100).contains(maxAttempts) else { throw ValidationError("--max-attempts must be 1…100") }
        if sessionID != nil && caseID == nil { throw ValidationError("--session needs --case") }
        if let caseID {
            // The same rule as the audit log's: refuse invalid names before queueing jobs.
            do { _ = try SessionRef(caseID: caseID, sessionID: sessionID ?? "session") } catch { throw ValidationError("\(error)") }
        }
    }

    public func run() async throws {
        var settings = BatchAnalysisSettings(
            method: method, pitchFloorHz: floor, pitchCeilingHz: pitchCeiling, timeStepS: timeStep, mix: mix,
            roles: roles?.split(separator: ",").map { String($0).trimmingCharacters() } ?? [])
        if pitchRange == "auto" { settings.pitchRange = "auto" }
        if formants { settings.formants = true }
        settings.pulses = pulses
        let modelsHash = JobKeys.modelsHash(try batchModels())
        let (files, missing) = expandInputs(paths)
        var bad = missing.map { "\($0): no such file or folder" }
        var specs: [JobSpec] = []
        var withSegments = 0
        for file in files {
            do {
                let reader = try AudioReader(path: file)
                let sha = try reader.finishSHA256()
                let info = reader.info
                reader.close()
                let abs = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
                let path = (abs as NSString).standardizingPath
                var jobSettings = settings
                if !noSegmentFiles,
                    let sidecar = try SidecarSegments.find(
                        for: path, duration: info.duration, channels: info.channels, roles: settings.roles, mix: mix)
                {
                    jobSettings.segmentsFile = sidecar.path
                    jobSettings.segmentsSHA256 = sidecar.fileSHA256
                    jobSettings.segmentsSidecar = true
                    withSegments += 1
                }
                specs.append(
                    JobSpec(
                        inputPath: path, inputSHA256: sha, inputBytes: info.bytes,
                        parametersJSON: jobSettings.json, modelsHash: modelsHash, caseID: caseID,
                        sessionID: caseID == nil ? nil : (sessionID ?? identifier(fromFileName: file)),
                        maxAttempts: maxAttempts))
            } catch {
                bad.append("\(error)")
            }
        }
        let store = try await queueOptions.open(workspace: global.workspacePath)
        let outcomes: [SubmitOutcome]
        do { outcomes = try await store.submit(specs, retryFailed: retryFailed) } catch {
            await store.close()
            throw CLIError(code: ExitCodes.failure, "\(error)")
        }
        await store.close()
        var created = 0, existing = 0, requeued = 0, shared = 0
        for o in outcomes {
            switch o {
            case .created: created += 1
            case .existing: existing += 1
            case .requeued: requeued += 1
            case .targetAdded: shared += 1
            }
        }
        for line in bad { printErr("candor: error: \(line)") }
        if !global.quiet {
            var s = "\(store.location): \(created) new job(s), \(existing) already queued or done"
            if requeued > 0 { s += ", \(requeued) failed job(s) re-queued" }
            if withSegments > 0 { s += ", \(withSegments) with a segment file" }
            if shared > 0 { s += ", \(shared) existing job(s) also recorded for this case/session (analysed once)" }
            if !bad.isEmpty { s += ", \(bad.count) unreadable input(s) not queued" }
            print(s)
        }
        if !bad.isEmpty { throw CLIError(code: ExitCodes.invalidInput, "\(bad.count) input(s) could not be read and were not queued") }
    }
}
