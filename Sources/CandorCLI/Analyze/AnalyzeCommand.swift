#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import ArgumentParser
import Candor
import Foundation
import CandorCore
import CandorAudio
import CandorFeatures

public struct AnalyzeCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Measure pitch, intensity and voice features of recordings; write the analysis JSON.",
        discussion: """
            Each channel is analysed on its own (--mix downmixes). The analysis JSON (schema \
            candor.analysis/1) goes to --out (default: <name>.analysis.json in the current folder; \
            '-' writes it to stdout). A short human summary goes to stdout (stderr when the JSON does).
            """)

    @OptionGroup public var global: GlobalOptions

    @Argument(help: "Audio files (WAV, FLAC, OGG/Vorbis, Opus, MP3, … whatever libsndfile reads).")
    public var files: [String]

    @Option(name: .long, help: "Output file, '-' for stdout, or a folder when several files are given.")
    public var out: String?

    @Option(name: .customLong("pitch-floor"), help: "Lowest F0 searched, Hz (default 75 for ac and cc, 60 for robust).")
    public var pitchFloor: Double?

    @Option(name: .customLong("pitch-ceiling"), help: "Highest F0 searched, Hz.")
    public var pitchCeiling: Double = 600

    @Option(
        name: .customLong("pitch-range"),
        help:
            "fixed (--pitch-floor/--pitch-ceiling) or auto: a 60–700 Hz first pass, then floor 0.75 × q25 and ceiling 1.5 × q75 of the voiced F0."
    )
    public var pitchRange: String = "fixed"

    @Option(name: .customLong("time-step"), help: "Seconds between pitch frames (0 = auto: 0.75/floor for ac, 0.25/floor for cc).")
    public var timeStep: Double = 0

    @Option(
        name: .long,
        help: "Pitch method: ac (autocorrelation, Praat), cc (cross-correlation, Praat) or robust (spectral templates, for noisy rooms).")
    public var method: String = "ac"

    @Option(
        name: .long,
        help:
            "Jitter pulse placement: praat (parabolic peak, Praat-compatible; default for ac and cc) or precise (band-limited sub-sample interpolation; default for robust)."
    )
    public var pulses: String?

    @Flag(name: .long, help: "Downmix all channels to one before analysis.")
    public var mix = false

    @Option(name: .long, help: "Speaker role per channel, comma-separated (e.g. interviewer,interviewee).")
    public var roles: String?

    @Option(name: .long, help: "Segments file: Praat TextGrid, WebVTT, SRT or CSV (start,end,label,speaker,role).")
    public var segments: String?

    @Option(
        name: .customLong("speaker-map"),
        help: "Map segment speaker names to roles, e.g. 'Det. Lin=interviewer,Mr. Wu=interviewee' (see docs/user-guide.md).")
    public var speakerMap: String?

    @Flag(name: .customLong("pitch-only"), help: "Only pitch and intensity: skip voice quality, timing, conversation, segments and scores.")
    public var pitchOnly = false

    @Flag(
        name: .long,
        help:
            "Also measure formants (F1–F3, bandwidths; Burg, Praat's defaults) per channel and segment. Costs about 1.5× the analysis's CPU time."
    )
    public var formants = false

    @Option(name: .long, help: "Blocks analysed in parallel (default: all cores). Results do not depend on it.")
    public var threads: Int?

    @Option(name: .customLong("case"), help: "Case id: record the analysis in this case's session audit log.")
    public var caseID: String?

    @Option(name: .customLong("session"), help: "Session id within the case.")
    public var sessionID: String?

    @Flag(name: .long, help: "Overwrite an output that is an input or a recording logged in the workspace.")
    public var force = false

    @Option(name: .long, help: "Language of the summary: zh-TW or en (default: from LC_ALL / LC_MESSAGES / LANG, else en).")
    public var lang: String?

    public init() {}

    public func validate() throws {
        guard PitchMethod(rawValue: method) != nil else { throw ValidationError("--method must be ac, cc or robust") }
        guard settings.floor > 0, pitchCeiling > settings.floor else { throw ValidationError("need 0 < --pitch-floor < --pitch-ceiling") }
        guard timeStep >= 0 else { throw ValidationError("--time-step must be ≥ 0") }
        guard ["fixed", "auto"].contains(pitchRange) else {
            throw ValidationError("--pitch-range must be fixed or auto (got \(pitchRange))")
        }
        if let pulses, pulseInterpolation(pulses) == nil {
            throw ValidationError("--pulses must be praat or precise (got \(pulses))")
        }
        if pitchOnly, pulses != nil { throw ValidationError("--pitch-only measures no jitter; drop --pulses") }
        if let t = threads, t < 1 { throw ValidationError("--threads must be ≥ 1") }
        if (caseID == nil) != (sessionID == nil) { throw ValidationError("--case and --session go together") }
        if files.count > 1, out == "-" { throw ValidationError("--out - takes a single input file") }
        if pitchOnly, formants { throw ValidationError("--pitch-only measures no formants; drop --formants") }
        if pitchOnly, segments != nil { throw ValidationError("--pitch-only computes no segment features; drop --segments") }
        if let lang, InterfaceLanguage(option: lang) == nil { throw ValidationError("--lang must be zh-TW or en (got \(lang))") }
        do { _ = try parseSpeakerMap(speakerMap) } catch let e as CLIError { throw ValidationError(e.message) }
    }

    var settings: PitchSettings {
        var s = PitchSettings(method: PitchMethod(rawValue: method) ?? .ac)
        if let pitchFloor { s.floor = pitchFloor }
        s.ceiling = pitchCeiling
        s.timeStep = timeStep
        return s
    }

    /// `--pulses` values: praat → `.parabolic`, precise → `.sinc`.
    func pulseInterpolation(_ name: String) -> PulseInterpolation? {
        switch name {
        case "praat": return .parabolic
        case "precise": return .sinc
        default: return nil
        }
    }

    func outputPath(for file: String) -> String {
        let base = String(file.split(separator: "/").last ?? Substring(file))
        let stem = base.contains(".") ? String(base[..<base.lastIndex(of: ".")!]) : base
        let name = stem + ".analysis.json"
        guard let out else { return name }
        if files.count > 1 || out.hasSuffix("/") {
            mkdir(out, 0o755)
            return out.hasSuffix("/") ? out + name : out + "/" + name
        }
        return out
    }

    public func run() async throws {
        for file in files {
            try await analyzeOne(file)
        }
    }

    func analyzeOne(_ file: String) async throws {
        var request = AnalysisRequest(file: file, outPath: outputPath(for: file))
        request.options.pitch = settings
        request.options.pitchRangeAuto = pitchRange == "auto"
        request.options.pulses = pulses.flatMap(pulseInterpolation)
        request.options.mix = mix
        request.options.threads = threads
        request.options.roles = roles?.split(separator: ",").map { String($0).trimmingCharacters() } ?? []
        request.options.segmentsFile = segments
        request.options.speakerMap = try parseSpeakerMap(speakerMap)
        request.options.pitchOnly = pitchOnly
        request.options.formants = formants
        request.force = force
        request.language = lang.flatMap(InterfaceLanguage.init(option:)) ?? .fromEnvironment(ProcessInfo.processInfo.environment)
        if let caseID, let sessionID {
            request.session = AuditTarget(workspace: global.workspacePath, caseID: caseID, sessionID: sessionID)
        }
        let progress = ProgressLine(label: "analysing \(file)", quiet: global.quiet)
        let outcome = try await runAnalysis(request) { progress.update($0) }
        progress.finish()
        if !global.quiet {
            if request.outPath == "-" { writeStderr(outcome.summary) } else { print(outcome.summary, terminator: "") }
        }
    }
}
