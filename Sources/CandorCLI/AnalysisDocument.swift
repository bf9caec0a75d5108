import CandorAudio
import CandorFeatures

/// Builds the analysis JSON (schema candor.analysis/1, keys per DESIGN.md) and the human summary.
struct AnalysisDocument {
    let file: String
    let analysis: AudioAnalysis
    let options: AnalysisOptions
    let roles: [String]

    static let notice = "Measured voice and timing features with their uncertainty. These are not evidence of truthfulness or deceit; vocal cues to deception are weak and near chance (see the model cards)."

    /// Models whose scores are in the document (id, sha256 of the model file).
    var models: [(id: String, sha256: String)] { [] }

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
        ])
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
            default: break
            }
        }
        return out
    }

    func channelJSON(_ ch: ChannelAnalysis) -> JSONValue {
        let p = options.pitch
        let s = PitchSummary(track: ch.pitch)
        return .object([
            ("index", .int(ch.index)),
            ("role", .string(role(ch.index))),
            ("pitch", .object([
                ("method", .string(p.method.rawValue)),
                ("time_step_s", .num(ch.pitch.grid.dt, 6)),
                ("floor_hz", .num(p.floor)),
                ("ceiling_hz", .num(p.ceiling)),
                ("frames", .frames(ch.pitch.grid, ch.pitch.f0, digits: 2, zeroIsNull: true)),
            ])),
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
                ("time_step_s", .num(ch.intensity.grid.dt, 6)),
                ("frames", .frames(ch.intensity.grid, ch.intensity.db, digits: 2, zeroIsNull: false)),
                ("mean_db", .num(meanIntensityDB(ch.intensity.db[...]), 3)),
            ])),
        ])
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
        ])
    }

    func humanSummary(outPath: String) -> String {
        let info = analysis.scan.info
        var s = "\(file): \(formatNumber(analysis.scan.duration, digits: 2)) s, \(info.sampleRate) Hz, \(info.channels) channel(s), \(info.format)\n"
        for ch in analysis.channels {
            let p = PitchSummary(track: ch.pitch)
            let f0 = p.meanHz.map { "mean F0 \(formatNumber($0, digits: 1)) Hz (median \(formatNumber(p.medianHz ?? 0, digits: 1)), SD \(formatNumber(p.sdHz ?? 0, digits: 1)))" } ?? "no voiced frames"
            let db = meanIntensityDB(ch.intensity.db[...]).map { "\(formatNumber($0, digits: 1)) dB" } ?? "silent"
            s += "  channel \(ch.index) [\(role(ch.index))]: \(f0), voiced \(formatNumber(100 * p.voicedFraction, digits: 1))% of frames, intensity \(db)\n"
        }
        if outPath != "-" { s += "  analysis written to \(outPath)\n" }
        return s
    }
}
