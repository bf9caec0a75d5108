import CandorAudio
import CandorCore
import CandorFeatures
import CandorInterchange
import CandorModels

/// What to measure and how (the settings of `candor analyze`).
public struct AnalyzeOptions: Sendable {
    /// Pitch search: method, floor, ceiling, time step and Praat's path costs.
    public var pitch = PitchSettings()
    /// Downmix all channels to one before analysis.
    public var mix = false
    /// Blocks analysed in parallel (nil: every core). Results do not depend on it.
    public var threads: Int?
    /// Speaker role per channel (e.g. `["interviewer", "interviewee"]`); with one channel and
    /// two roles, the two speakers are estimated by clustering.
    public var roles: [String] = []
    /// A segments file (Praat TextGrid, WebVTT, SRT or CSV) to measure and score segment by
    /// segment. It is read and checked before the audio is analysed.
    public var segmentsFile: String?
    /// Segments given directly (used when `segmentsFile` is nil).
    public var segments: [Segment] = []
    /// `--speaker-map`: segment speaker name (lower-cased) → role. Segments are routed to
    /// channels by their mapped speaker; the document keeps the file's names.
    public var speakerMap: [String: String] = [:]
    /// Only pitch and intensity: no voice quality, timing, conversation, segments or scores.
    public var pitchOnly = false
    /// `--pitch-range auto`: a first pass over 60–700 Hz sets the floor and ceiling from the
    /// speaker's quartiles (`PitchRangeEstimate`); `pitch.floor` and `pitch.ceiling` are kept
    /// when fewer than 50 frames are voiced.
    public var pitchRangeAuto = false
    /// `--formants`: F1–F3 and bandwidth medians per channel and segment (Burg, Praat's
    /// defaults), in a pass of their own over the file. Off by default: the pass costs more CPU
    /// than all the other measurements together (about 1.5× on a 10-minute recording).
    public var formants = false
    /// `--pulses`: how the jitter intervals are placed between samples. nil: `.sinc`
    /// (`precise`) with `--method robust`, else `.parabolic` (the Praat-compatible default,
    /// left out of the analysis JSON). See `PulseInterpolation`.
    public var pulses: PulseInterpolation?

    /// The defaults of `candor analyze`.
    public init() {}
}

/// The Candor analysis library.
///
/// ```swift
/// import Candor
///
/// var options = AnalyzeOptions()
/// options.roles = ["interviewer", "interviewee"]
/// let analysis = try await Candor.analyze(file: "interview.flac", options: options)
/// print(analysis.channels[1].pitchSummary.meanHz ?? 0)
/// try analysis.write(toFile: "interview.analysis.json")
/// ```
public enum Candor {
    /// Analyses a recording (WAV, FLAC, OGG/Vorbis, Opus, MP3: whatever libsndfile reads).
    ///
    /// Each channel is analysed on its own (`options.mix` downmixes): pitch (Praat's
    /// autocorrelation or cross-correlation method with its path finder), intensity, and
    /// unless `options.pitchOnly`, voice quality (jitter, shimmer, HNR), voice activity,
    /// pauses and rates, the conversation between channels (or a two-speaker estimate for
    /// one channel and two roles), per-segment features and the shipped models' scores
    /// (models from `$CANDOR_MODELS`, `./models`, or beside the executable).
    ///
    /// - Parameters:
    ///   - file: Path of the recording.
    ///   - options: What to measure and how.
    ///   - progress: Called with the fraction done, from any thread.
    /// - Returns: The typed analysis; its frame tracks are paged from a temporary file
    ///   that lives as long as the value.
    /// - Throws: `InputError` (exit status 3) for an unreadable or unusable recording or
    ///   segments file, `ModelInputError` (3) for an unusable model, `SpillError` (1) when
    ///   temporary storage fails.
    public static func analyze(
        file: String, options: AnalyzeOptions = AnalyzeOptions(),
        progress: ProgressHandler? = nil
    ) async throws -> Analysis {
        var frameOptions = AnalysisOptions()
        frameOptions.pitch = options.pitch
        frameOptions.mix = options.mix
        frameOptions.threads = options.threads ?? processorCount()
        let pulses = options.pulses ?? (options.pitch.method == .robust ? .sinc : .parabolic)
        frameOptions.pulseInterpolation = pulses == .parabolic ? nil : pulses

        let scan = try scanAudio(path: file)
        if let problem = options.pitch.validate(sampleRate: Double(scan.info.sampleRate)) {
            throw InputError(path: file, problem: problem)
        }
        if scan.channels.allSatisfy({ $0.peakAboveMean == 0 }) {
            throw InputError(path: file, problem: "contains only silence (every sample is the same value); nothing to analyse")
        }
        let analysedChannels = options.mix ? 1 : scan.info.channels
        try checkRoles(options.roles, analysedChannels: analysedChannels, file: file)
        var segments = options.segments
        var segmentsSHA256: String?
        if let path = options.segmentsFile {
            // Parse and check the segments before the long work, so a bad file fails fast.
            let read = try readSegmentsFile(path, duration: scan.duration)
            segments = read.segments
            segmentsSHA256 = read.sha256
        } else if !segments.isEmpty {
            segments = try Segments.validate(segments, duration: scan.duration, path: "segments")
        }
        if !segments.isEmpty {
            try checkSegmentSpeakers(
                segments, roles: options.roles, analysedChannels: analysedChannels,
                map: options.speakerMap, path: options.segmentsFile ?? "segments")
        }
        if options.pitchOnly, !segments.isEmpty {
            throw InputError(path: options.segmentsFile ?? "segments", problem: "a pitch-only analysis computes no segment features")
        }
        frameOptions.speechFeatures = !options.pitchOnly
        let models = options.pitchOnly ? nil : try loadModels(segments: segments, roles: options.roles)
        if options.pitchRangeAuto {
            frameOptions.pitchRangeAuto = true
            if let range = try await PitchRangeEstimate.measure(path: file, scan: scan, options: frameOptions) {
                frameOptions.pitchRange = range
                frameOptions.pitch.floor = range.floor
                frameOptions.pitch.ceiling = min(range.ceiling, 0.5 * Double(scan.info.sampleRate))
            }
        }
        let frames = try await analyzeAudio(path: file, scan: scan, options: frameOptions) {
            progress?(options.pitchOnly ? $0 : 0.7 * $0)
        }
        let interview =
            options.pitchOnly
            ? nil
            : try await computeInterview(
                file: file, analysis: frames, options: frameOptions, roles: options.roles,
                segments: segments, speakerMap: options.speakerMap, models: models
            ) { progress?(0.7 + 0.3 * $0) }
        return try Analysis(
            file: file, frames: frames, options: frameOptions, roles: options.roles, interview: interview,
            segmentsFile: options.segmentsFile, segmentsSHA256: segmentsSHA256, formants: options.formants)
    }
}

extension Analysis {
    /// Assembles the document from the frame-level analysis and (unless pitch-only) the
    /// speech-level results. Summaries are read from the spill file in chunks.
    init(
        file: String, frames: AudioAnalysis, options: AnalysisOptions, roles: [String], interview: InterviewResults?,
        segmentsFile: String? = nil, segmentsSHA256: String? = nil, formants: Bool = false
    ) throws {
        let info = frames.scan.info
        let p = options.pitch
        let store = frames.store
        func role(_ c: Int) -> String { c < roles.count && !roles[c].isEmpty ? roles[c] : "unknown" }
        // One speaker per channel: each channel's summaries over its speaker's own-voice
        // speech only (frames where the microphone only carries another voice left out).
        let own: [[Span]?] = frames.channels.map { c in
            guard let iv = interview, iv.ownVoice, c.index < iv.timing.speech.count else { return nil }
            return iv.timing.speech[c.index]
        }
        let ownPitch: [[Span]?] = frames.channels.map { c in own[c.index] == nil ? nil : interview?.ownPitch?[c.index] ?? own[c.index] }
        let voiceReports = try interview?.voice.enumerated().map { k, v in try own[k].map { try v.report(only: $0) } ?? v.report() }
        let measuredOver = interview?.ownVoice == true ? "own-voice speech" : "all frames"
        var channels = try frames.channels.map { ch -> Channel in
            let c = ch.index
            let f0 = FrameTrack(grid: store.grid, kind: .f0) { r in try store.read(channel: c, track: .f0, r) }
            let db = FrameTrack(grid: store.grid, kind: .level) { r in try store.read(channel: c, track: .intensity, r) }
            return Channel(
                index: c, role: role(c),
                pitch: Pitch(method: p.method.rawValue, timeStepS: ch.grid.dt, floorHz: p.floor, ceilingHz: p.ceiling, frames: f0),
                measuredOver: measuredOver,
                bleed: interview.flatMap { c < $0.timing.bleed.count ? $0.timing.bleed[c] : nil },
                pitchSummary: try PitchSummary(source: ch.source, only: ownPitch[c]),
                intensity: Intensity(timeStepS: ch.grid.dt, frames: db, meanDB: try meanIntensityDB(source: ch.source, only: own[c])),
                voice: voiceReports?[c], timing: interview?.timing.channels[c])
        }
        var segments = interview?.segments ?? []
        if interview != nil, formants {
            // Formants in a pass of their own over the file (streamed): over each channel's
            // speech, and over each segment on its measured channel.
            let speech: [[Span]?] = channels.map { c in own[c.index] ?? c.timing?.speech }
            let spans = segments.map {
                FormantPass.SegmentSpan(channel: min($0.source, channels.count - 1), start: $0.segment.start, end: $0.segment.end)
            }
            let f = try FormantPass.run(path: file, mix: options.mix, speech: speech, segments: spans)
            for k in channels.indices where k < f.channels.count { channels[k].formants = f.channels[k] }
            for k in segments.indices where k < f.segments.count { segments[k].formants = f.segments[k] }
        }
        let parameters = Parameters(
            pitch: p, mix: options.mix, blockFrames: options.blockFrames, contextFrames: options.contextFrames,
            pitchOnly: interview == nil,
            voice: interview.map { $0.voice.first?.settings ?? VoiceSettings() },
            timing: interview?.timingSettings,
            segmentsFile: (interview?.segments.isEmpty ?? true) ? nil : segmentsFile ?? "given",
            segmentsSHA256: (interview?.segments.isEmpty ?? true) ? nil : segmentsSHA256,
            pitchRangeAuto: options.pitchRangeAuto, pitchRange: options.pitchRange)
        let input = Input(
            path: file, sha256: frames.scan.sha256, bytes: info.bytes, format: info.format,
            sampleRate: info.sampleRate, channels: info.channels, durationS: frames.scan.duration)
        let conversation = interview?.timing.conversation.map { c in
            ConversationResult(
                conversation: c, measures: interview?.measures,
                speakerTiming: c.estimate ? interview?.timing.speakers ?? [] : [])
        }
        self.init(
            input: input, parameters: parameters, channels: channels, conversation: conversation,
            segments: segments, scores: interview?.scores ?? [], models: interview?.models ?? [],
            modelsNote: interview?.modelsNote, warnings: interview?.warnings ?? [])
    }
}

extension Candor {
    /// Analyses samples in memory: one array per channel (equal lengths), values in [-1, 1].
    ///
    /// The pipeline streams from a file, so the samples are first written to a temporary
    /// 32-bit float WAV (removed before this returns); `input.path` names the buffer as
    /// `name` and `input.sha256` is the hash of that WAV encoding.
    /// - Throws: as ``analyze(file:options:progress:)``, and `OutputError` when the
    ///   temporary file cannot be written.
    public static func analyze(
        samples: [[Float]], sampleRate: Int, name: String = "buffer",
        options: AnalyzeOptions = AnalyzeOptions(),
        progress: ProgressHandler? = nil
    ) async throws -> Analysis {
        let path = temporaryDirectory() + "/candor-buffer-\(processID())-\(bufferCounter.next()).wav"
        try AudioWriter.write(path: path, channels: samples, sampleRate: sampleRate, format: .wavFloat)
        defer { removeFile(path) }
        var analysis = try await analyze(file: path, options: options, progress: progress)
        analysis.input.path = name
        return analysis
    }
}

/// Numbers the temporary files of `analyze(samples:…)`.
let bufferCounter = Counter()
