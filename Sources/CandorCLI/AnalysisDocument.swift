import CandorAudio
import CandorFeatures
import CandorModels

/// Builds the analysis JSON (schema candor.analysis/1, keys per DESIGN.md) and the human summary.
struct AnalysisDocument {
    let file: String
    let analysis: AudioAnalysis
    let options: AnalysisOptions
    let roles: [String]
    /// nil with --pitch-only.
    let interview: InterviewResults?
    /// Per channel, computed once for the JSON and the summary.
    let pitchSummaries: [PitchSummary]
    let voiceReports: [VoiceReport]
    /// Per channel: energy-mean intensity (dB).
    let intensityMeans: [Double?]

    /// Reads the channels' tracks in chunks from the analysis's spill file (throws when it
    /// cannot be read).
    init(file: String, analysis: AudioAnalysis, options: AnalysisOptions, roles: [String], interview: InterviewResults?) throws {
        self.file = file
        self.analysis = analysis
        self.options = options
        self.roles = roles
        self.interview = interview
        // One speaker per channel: each channel's summaries over its speaker's own-voice
        // speech only (frames where the microphone only carries another voice left out).
        let own: [[Span]?] = analysis.channels.map { c in
            guard let iv = interview, iv.ownVoice, c.index < iv.timing.speech.count else { return nil }
            return iv.timing.speech[c.index]
        }
        let ownPitch: [[Span]?] = analysis.channels.map { c in own[c.index] == nil ? nil : interview?.ownPitch?[c.index] ?? own[c.index] }
        pitchSummaries = try analysis.channels.map { try PitchSummary(source: $0.source, only: ownPitch[$0.index]) }
        intensityMeans = try analysis.channels.map { try meanIntensityDB(source: $0.source, only: own[$0.index]) }
        voiceReports = try interview?.voice.enumerated().map { k, v in try own[k].map { try v.report(only: $0) } ?? v.report() } ?? []
    }

    /// One stored track of channel `c`, paged into the JSON.
    func track(_ c: Int, _ t: FrameStore.Track, digits: Int, zeroIsNull: Bool) -> JSONValue {
        let store = analysis.store
        return .pagedFrames(store.grid, { r in try store.read(channel: c, track: t, r) }, digits: digits, zeroIsNull: zeroIsNull)
    }

    static let notice = "Measured voice and timing features with their uncertainty, and deviations from the same speaker's baseline. They are an aid for a human reviewer, not evidence about honesty: vocal cues to deception are weak and near chance (see the model cards)."

    /// Models whose scores are in the document (id, sha256 of the model file).
    var models: [(id: String, sha256: String)] { (interview?.models ?? []).map { (id: $0.id, sha256: $0.sha256) } }

    func role(_ c: Int) -> String { c < roles.count && !roles[c].isEmpty ? roles[c] : "unknown" }

    var parameters: JSONValue {
        let p = options.pitch
        return .object([
            ("pitch_method", .string(p.method.rawValue)),
            ("pitch_time_step_s", .num(p.effectiveTimeStep, 6)),
            ("pitch_floor_hz", .num(p.floor)),
            ("pitch_ceiling_hz", .num(p.ceiling)),
            ("max_candidates", .int(p.maxCandidates)),
            ("silence_threshold", .num(p.silenceThreshold)),
            ("voicing_threshold", .num(p.voicingThreshold)),
            ("octave_cost", .num(p.octaveCost)),
            ("octave_jump_cost", .num(p.octaveJumpCost)),
            ("voiced_unvoiced_cost", .num(p.voicedUnvoicedCost)),
            ("periods_per_window", .num(p.effectivePeriodsPerWindow)),
            ("intensity_minimum_pitch_hz", .num(100)),
            ("mix", .bool(options.mix)),
            ("block_frames", .int(options.blockFrames)),
            ("context_frames", .int(options.contextFrames)),
            ("pitch_only", .bool(interview == nil)),
            ("voice", interview.map { encodedJSON($0.voice.first?.settings ?? VoiceSettings()) } ?? .null),
            ("timing", interview.map { encodedJSON($0.timingSettings) } ?? .null),
            ("segments_file", segmentsFile.map { .string($0) } ?? .null),
        ] + (interview.map { iv in [
            // Paging of the timing analysis (results do not depend on the chunk sizes), and
            // the cap on frames the mono two-speaker clustering is fitted on (longer
            // recordings: an even subsample, so this one changes the estimate).
            ("timing_chunk_s", .num(iv.timingSettings.chunking.coreS)),
            ("timing_chunk_margin_s", .num(iv.timingSettings.chunking.marginS)),
            ("mono_cluster_fit_max_frames", .int(iv.timingSettings.chunking.maxClusterFrames)),
        ] } ?? []))
    }

    /// Parameters as strings, for the audit record.
    var parameterStrings: [String: String] {
        guard case .object(let fields) = parameters else { return [:] }
        var out: [String: String] = [:]
        for (k, v) in fields {
            switch v {
            case .string(let s): out[k] = s
            case .bool(let b): out[k] = b ? "true" : "false"
            case .int(let i): out[k] = String(i)
            case .number(let d, let digits): out[k] = formatNumber(d, digits: digits)
            case .raw(let text): out[k] = text
            default: break
            }
        }
        return out
    }

    func channelJSON(_ ch: ChannelAnalysis) -> JSONValue {
        let p = options.pitch
        let s = pitchSummaries[ch.index]
        return .object([
            ("index", .int(ch.index)),
            ("role", .string(role(ch.index))),
            ("pitch", .object([
                ("method", .string(p.method.rawValue)),
                ("time_step_s", .num(ch.grid.dt, 6)),
                ("floor_hz", .num(p.floor)),
                ("ceiling_hz", .num(p.ceiling)),
                ("frames", track(ch.index, .f0, digits: 2, zeroIsNull: true)),
            ])),
            // "own-voice speech" or "all frames" (see docs/json-schema.md).
            ("measured_over", .string(interview?.ownVoice == true ? "own-voice speech" : "all frames")),
            ("bleed", bleedJSON(ch.index)),
            ("pitch_summary", .object([
                ("mean_hz", .num(s.meanHz, 3)),
                ("mean_hz_se", .num(s.meanHzSE, 3)),
                ("median_hz", .num(s.medianHz, 3)),
                ("sd_hz", .num(s.sdHz, 3)),
                ("min_hz", .num(s.minHz, 3)),
                ("max_hz", .num(s.maxHz, 3)),
                ("mean_st", .num(s.meanST, 4)),
                ("sd_st", .num(s.sdST, 4)),
                ("voiced_fraction", .num(s.voicedFraction, 4)),
                ("voiced_frames", .int(s.voicedFrames)),
                ("frames", .int(s.frames)),
            ])),
            ("intensity", .object([
                ("time_step_s", .num(ch.grid.dt, 6)),
                ("frames", track(ch.index, .intensity, digits: 2, zeroIsNull: false)),
                ("mean_db", .num(intensityMeans[ch.index], 3)),
            ])),
        ] + (interview.map { iv in [
            ("voice", voiceReports[ch.index].jsonValue),
            ("timing", encodedJSON(iv.timing.channels[ch.index])),
        ] } ?? []))
    }

    func json() -> JSONValue {
        let info = analysis.scan.info
        return .object([
            ("schema", .string("candor.analysis/1")),
            ("notice", .string(Self.notice)),
            ("input", .object([
                ("path", .string(file)),
                ("sha256", .string(analysis.scan.sha256)),
                ("bytes", .int(info.bytes)),
                ("format", .string(info.format)),
                ("sample_rate", .int(info.sampleRate)),
                ("channels", .int(info.channels)),
                ("duration_s", .num(analysis.scan.duration, 6)),
            ])),
            ("software", .object([
                ("name", .string("candor")),
                ("version", .string(CandorVersion.version)),
                ("git_commit", .string(CandorVersion.gitCommit)),
            ])),
            ("parameters", parameters),
            ("channels", .array(analysis.channels.map(channelJSON))),
        ] + (interview.map { iv in [
            ("conversation", iv.timing.conversation.map { conversationJSON($0, iv) } ?? .null),
            ("segments", .array(iv.segments.map(segmentJSON))),
            ("scores", .array(iv.scores.map { encodedJSON($0) })),
            ("models", .array(iv.models.map { m in
                .object([("id", .string(m.id)), ("version", .string(m.version)), ("sha256", .string(m.sha256))])
            })),
            ("models_note", iv.modelsNote.map { .string($0) } ?? .null),
            ("warnings", .array(iv.warnings.map { .string($0) })),
        ] } ?? []))
    }

    /// Room warnings (also printed on stderr).
    var warnings: [String] { interview?.warnings ?? [] }

    /// The channel's crosstalk estimate (null when not estimated: one channel, or channels
    /// carrying the same sound).
    func bleedJSON(_ k: Int) -> JSONValue {
        guard let b = interview?.timing.bleed, k < b.count else { return .null }
        return encodedJSON(b[k])
    }

    var segmentsFile: String? { (interview?.segments.isEmpty ?? true) ? nil : "given" }

    func conversationJSON(_ c: Conversation, _ interview: InterviewResults) -> JSONValue {
        let speakers = interview.timing.speakers
        var obj: [(String, JSONValue)] = [("summary", encodedJSON(c))]
        if let m = interview.measures { obj.append(("measures", encodedJSON(m))) }
        // Per-speaker timing for a mono estimate (each estimated speaker's own pauses and rates).
        if c.estimate, !speakers.isEmpty {
            obj.append(("speaker_timing", .object(zip(c.speakers, speakers).map { ($0.0, encodedJSON($0.1)) })))
        }
        // Flatten: DESIGN.md keys at the top of the object.
        return .raw(mergeJSONObjects(encodedJSON(c), extra: obj.dropFirst().map { $0 }))
    }

    func segmentJSON(_ r: SegmentResult) -> JSONValue {
        let s = r.segment
        let feats: [(String, JSONValue)] = r.features.keys.sorted().map { k in (k, .num(r.features[k] ?? nil, 6)) }
        return .object([
            ("id", .string(s.id)), ("label", .string(s.label)), ("speaker", .string(s.speaker)),
            ("start", .num(s.start, 4)), ("end", .num(s.end, 4)), ("role", .string(s.role.rawValue)),
            ("source_channel", .int(r.source)),
            ("features", .object(feats)),
            ("voice", r.voice.jsonValue),
            ("timing", encodedJSON(r.timing)),
            ("baseline_z", .object(r.zScores.keys.sorted().map { ($0, .num(r.zScores[$0], 4)) })),
            ("scores", .array(r.scores.map { encodedJSON($0) })),
            ("warning", r.warning.map { .string($0) } ?? .null),
        ])
    }

    func humanSummary(outPath: String) -> String {
        let info = analysis.scan.info
        var s = "\(file): \(formatNumber(analysis.scan.duration, digits: 2)) s, \(info.sampleRate) Hz, \(info.channels) channel(s), \(info.format)\n"
        for ch in analysis.channels {
            let p = pitchSummaries[ch.index]
            let f0 = p.meanHz.map { "mean F0 \(formatNumber($0, digits: 1)) Hz (median \(formatNumber(p.medianHz ?? 0, digits: 1)), SD \(formatNumber(p.sdHz ?? 0, digits: 1)))" } ?? "no voiced frames"
            let db = intensityMeans[ch.index].map { "\(formatNumber($0, digits: 1)) dB" } ?? "silent"
            s += "  channel \(ch.index) [\(role(ch.index))]: \(f0), voiced \(formatNumber(100 * p.voicedFraction, digits: 1))% of frames, intensity \(db)\n"
            guard let interview else { continue }
            let v = voiceReports[ch.index]
            let jit = v.jitterLocal.map { "jitter \(formatNumber(100 * $0, digits: 2))%" } ?? "jitter n/a"
            let shim = v.shimmerLocal.map { "shimmer \(formatNumber(100 * $0, digits: 1))%" } ?? "shimmer n/a"
            let hnr = v.hnrDB.map { "HNR \(formatNumber($0, digits: 1)) dB" } ?? "HNR n/a"
            let t = interview.timing.channels[ch.index]
            let rate = t.speechRateSyllPerS.map { "\(formatNumber($0, digits: 2)) syll/s" } ?? "n/a"
            s += "    voice: \(jit), \(shim), \(hnr) (\(v.periodsUsed) periods\(v.reliable ? "" : ", unreliable"))\n"
            s += "    timing: speech \(formatNumber(t.speechTotalS, digits: 1)) s, \(t.pauseCount) pauses (\(formatNumber(t.pauseTotalS, digits: 2)) s), speech rate \(rate)\n"
        }
        guard let interview else {
            if outPath != "-" { s += "  analysis written to \(outPath)\n" }
            return s
        }
        if let c = interview.timing.conversation, let m = interview.measures {
            s += conversationSummary(c, m)
        }
        if !interview.segments.isEmpty {
            let flagged = interview.segments.filter { $0.scores.contains { $0.flag != nil } }
            s += "  segments: \(interview.segments.count); flagged for follow-up: \(flagged.isEmpty ? "none" : flagged.map(\.segment.id).joined(separator: ", "))\n"
        }
        for sc in interview.scores where sc.model == "interview-quality" {
            s += "  interview quality index: \(sc.value.map { formatNumber($0, digits: 2) } ?? "abstained (\(sc.reason ?? ""))")\n"
        }
        if let note = interview.modelsNote { s += "  models: \(note)\n" }
        if outPath != "-" { s += "  analysis written to \(outPath)\n" }
        return s
    }
}
