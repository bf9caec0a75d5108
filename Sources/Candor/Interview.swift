import CandorAudio
import CandorFeatures
import CandorModels
import Foundation

/// Everything computed after the frame-level pass: voice quality, timing and conversation,
/// per-segment features and z-scores, and model scores.
struct InterviewResults {
    var voice: [VoiceData]
    var timing: RecordingTiming
    var timingSettings: TimingSettings
    var segments: [Analysis.SegmentResult]
    /// Top-level scores (interview quality, and every segment's baseline-deviation score).
    var scores: [ModelScore]
    var models: [ModelReference]
    var modelsNote: String?
    /// The conversation's numbers, computed once (nil without a conversation).
    var measures: ConversationMeasures?
    /// Room warnings (crosstalk, segments on the quieter channel), for stderr, JSON and report.
    var warnings: [String] = []
    /// One speaker per channel: each channel's own-voice pitch frames as spans
    /// (`ConversationAnalysis.ownPitchSpans`); nil otherwise.
    var ownPitch: [[Span]]? = nil
    /// True when channel summaries use own-voice frames only (one speaker per channel).
    var ownVoice: Bool { timing.conversation?.method == "channels" && timing.speech.count == voice.count }
}

/// The baseline-deviation model's feature names, from a segment's measurements.
func segmentFeatures(
    pitch: PitchSummary, voice: VoiceReport, intensityDB: Double?, timing: SegmentTiming,
    duration: Double
) -> [String: Double?] {
    var f: [String: Double?] = [
        "f0_mean_st": pitch.meanST, "f0_sd_st": pitch.sdST, "f0_mean_hz": pitch.meanHz,
        "voiced_fraction": pitch.frames > 0 ? pitch.voicedFraction : nil,
        "jitter_local": voice.jitterLocal, "shimmer_local": voice.shimmerLocal, "hnr_db": voice.hnrDB,
        "intensity_mean_db": intensityDB,
        "speech_rate_syll_per_s": timing.timing.speechRateSyllPerS,
        "articulation_rate_syll_per_s": timing.timing.articulationRateSyllPerS,
        "pause_count": Double(timing.timing.pauseCount),
        "pause_total_s": timing.timing.pauseTotalS,
        "pause_ratio": duration > 0 ? timing.timing.pauseTotalS / duration : nil,
        "response_latency_s": timing.responseLatencyS,
        "duration_s": duration,
    ]
    // Unreliable voice measures (too few periods) are reported but not fed to models.
    if !voice.reliable {
        f["jitter_local"] = Double?.none
        f["shimmer_local"] = Double?.none
    }
    return f
}

func computeInterview(
    file: String, analysis: AudioAnalysis, options: AnalysisOptions, roles: [String],
    segments segs: [Segment], speakerMap: [String: String] = [:], models registry: ModelRegistry?,
    progress: ProgressHandler?
) async throws -> InterviewResults {
    let channels = analysis.channels
    // Voice quality: a second streaming pass guided by the pitch tracks.
    var vopts = VoiceStreamOptions()
    vopts.mix = options.mix
    vopts.threads = options.threads
    vopts.settings.pulses.interpolation = options.pulseInterpolation
    let voice = try await analyzeVoiceFile(
        path: file, scan: analysis.scan, pitch: channels.map(\.source), options: vopts, progress: progress)

    // Timing and conversation.
    let roleOf = { (c: Int) -> String in c < roles.count && !roles[c].isEmpty ? roles[c] : "unknown" }
    // Paged from the spill file chunk by chunk: memory does not grow with duration.
    let inputs = channels.map { c in TimingChannelInput(role: roleOf(c.index), source: c.source) }
    let settings = TimingSettings()
    let mono = channels.count == 1 && roles.count >= 2 ? Array(roles.prefix(2)) : nil
    let timing = try TimingAnalysis.run(channels: inputs, monoSpeakers: mono, settings: settings)
    let ownPitch =
        timing.conversation?.method == "channels"
        ? try ConversationAnalysis.ownPitchSpans(
            sources: inputs.map(\.source), own: timing.speech,
            chunking: settings.chunking, config: settings.ownVoice)
        : nil

    // Models (loaded once, by `loadModels` before the long work).
    var modelsNote: String? = registry == nil ? "no models directory found (set CANDOR_MODELS): no scores computed" : nil
    if let registry {
        let trained = registry.models.filter { $0.file.kind == .logisticRegression }.map(\.id)
        if !trained.isEmpty {
            modelsNote =
                "trained model(s) \(trained.joined(separator: ", ")) applied to answer segments"
                + (segs.isEmpty ? " (none here: no segments were given)" : "")
                + "; their output is uncalibrated: read each model card's evaluation"
        }
    }

    // Segments.
    var segResults: [Analysis.SegmentResult] = []
    var segWarnings: [Int: String] = [:]
    if !segs.isEmpty {
        // Routed by speaker name after --speaker-map (the JSON keeps the file's names).
        let segTiming = try TimingAnalysis.segments(
            mappedSegments(segs, map: speakerMap), channels: inputs,
            recording: timing, settings: settings)
        let monoEstimate = timing.conversation?.estimate == true
        let ownVoice = timing.conversation?.method == "channels"
        segWarnings = ownVoice ? try swappedChannelWarnings(segments: segs, sources: segTiming.map(\.source), channels: channels) : [:]
        var feats: [[String: Double?]] = []
        var voices: [VoiceReport] = []
        for (i, s) in segs.enumerated() {
            let st = segTiming[i]
            let ch = monoEstimate ? 0 : min(st.source, channels.count - 1)
            let c = channels[ch]
            // Only the segment's frames are read from the spill file.
            let r = frameRange(c.grid, from: s.start, to: s.end)
            var f = try c.load(r)
            // One speaker per channel: only the speaker's own-voice speech in the segment.
            let own = ownVoice ? clip(timing.speech[ch], to: s.span) : nil
            if let own {
                maskOutside(clip(ownPitch?[ch] ?? own, to: s.span), grid: c.grid, range: r, &f.pitch.f0)
                // Another speaker's frames do not count in the energy mean (NaN is skipped).
                maskOutside(own, grid: c.grid, range: r, &f.intensity.db, fill: .nan)
            }
            let p = PitchSummary(track: f.pitch)
            let v = try own.map { try voice[ch].report(only: $0) } ?? voice[ch].report(from: s.start, to: s.end)
            // Energy-mean intensity of the measured channel over the segment (own voice).
            let db = meanIntensityDB(f.intensity.db[...])
            feats.append(segmentFeatures(pitch: p, voice: v, intensityDB: db, timing: st, duration: s.end - s.start))
            voices.append(v)
        }
        let z = Segments.baselineZScores(segments: segs, features: feats.map { $0.compactMapValues { $0 } })
        var segScores = [[ModelScore]](repeating: [], count: segs.count)
        if let registry {
            let model = try registry.baselineDeviation()
            let inputs = segs.enumerated().map { i, s in
                SegmentFeatures(
                    id: s.id, speaker: s.speaker, role: s.role,
                    features: feats[i])
            }
            let out = model.score(segments: inputs)
            for sc in out {
                if let i = segs.firstIndex(where: { $0.id == sc.target }) { segScores[i].append(sc) }
            }
            // Trained models (`candor train`) score every answer segment from its features.
            for m in registry.models where m.file.kind == .logisticRegression {
                let trained = try LogisticModel(m)
                for (i, s) in segs.enumerated() where s.role == .answer {
                    segScores[i].append(trained.score(features: feats[i], target: s.id))
                }
            }
        }
        for (i, s) in segs.enumerated() {
            segResults.append(
                Analysis.SegmentResult(
                    segment: s, source: segTiming[i].source, features: feats[i], voice: voices[i],
                    timing: segTiming[i], zScores: z[i], scores: segScores[i], warning: segWarnings[i]))
        }
    }

    var scores: [ModelScore] = []
    let measures = timing.conversation.map { ConversationMeasures($0, durationS: analysis.scan.duration) }
    if let registry, let conv = timing.conversation, let measures {
        let lower = conv.speakers.map { $0.lowercased() }
        if let a = lower.firstIndex(of: "interviewer"), let b = lower.firstIndex(of: "interviewee") {
            scores.append(
                try registry.interviewQuality().score(
                    conversationMetrics(conv, measures, interviewer: conv.speakers[a], interviewee: conv.speakers[b])))
        }
    }
    var warnings = bleedWarnings(timing.bleed) { c in c < roles.count && !roles[c].isEmpty ? roles[c] : "unknown" }
    warnings += segResults.compactMap(\.warning)
    scores += segResults.flatMap(\.scores)
    return InterviewResults(
        voice: voice, timing: timing, timingSettings: settings, segments: segResults, scores: scores,
        models: registry?.references ?? [], modelsNote: modelsNote, measures: measures, warnings: warnings,
        ownPitch: ownPitch)
}

/// Loads the models once, before the long work, and fails then when the models folder lacks
/// a model this analysis will need (baseline-deviation with segments, interview-quality with
/// an interviewer and an interviewee). A folder that cannot be found at all gives nil: no
/// scores, and a note in the analysis.
func loadModels(segments: [Segment], roles: [String]) throws -> ModelRegistry? {
    guard ModelRegistry.locate() != nil else { return nil }
    let registry = try ModelRegistry.loadDefault()
    if !segments.isEmpty { _ = try registry.baselineDeviation() }
    let lower = Set(roles.map { $0.lowercased() })
    if lower.contains("interviewer") && lower.contains("interviewee") { _ = try registry.interviewQuality() }
    return registry
}
