import CandorFeatures

extension Analysis {
    /// Every setting that changes a number (the document's `parameters`).
    public struct Parameters: Sendable, Codable, Equatable {
        /// Pitch search settings (`pitch_*` keys; the time step and periods per window as
        /// used, after "auto").
        public var pitch: PitchSettings
        /// Channels downmixed to one before analysis.
        public var mix: Bool
        /// Frames per analysis block and context frames each side (fixed, so results do not
        /// depend on the thread count).
        public var blockFrames: Int
        /// Extra frames each side of a block for the path finder to settle.
        public var contextFrames: Int
        /// Only pitch and intensity were computed.
        public var pitchOnly: Bool
        /// Voice-quality settings (nil with `pitchOnly`).
        public var voice: VoiceSettings?
        /// Voice activity, timing, conversation and mono-clustering settings, and how the
        /// timing analysis was paged (nil with `pitchOnly`).
        public var timing: TimingSettings?
        /// The segment file's path when segments were analysed ("given" for segments passed
        /// in memory), and the SHA-256 of its bytes.
        public var segmentsFile: String?
        public var segmentsSHA256: String?
        /// `--pitch-range auto` was asked for, and the first pass's quartiles (nil when too
        /// few frames were voiced and the given range was kept).
        public var pitchRangeAuto = false
        public var pitchRange: PitchRangeEstimate?

        /// Intensity is measured with Praat's 100 Hz minimum pitch (window 3.2/100 s).
        public static let intensityMinimumPitchHz = 100.0

        /// Parameters from their parts.
        public init(
            pitch: PitchSettings, mix: Bool, blockFrames: Int, contextFrames: Int, pitchOnly: Bool,
            voice: VoiceSettings?, timing: TimingSettings?, segmentsFile: String?, segmentsSHA256: String? = nil,
            pitchRangeAuto: Bool = false, pitchRange: PitchRangeEstimate? = nil
        ) {
            self.pitchRangeAuto = pitchRangeAuto
            self.pitchRange = pitchRange
            self.pitch = pitch
            self.mix = mix
            self.blockFrames = blockFrames
            self.contextFrames = contextFrames
            self.pitchOnly = pitchOnly
            self.voice = voice
            self.timing = timing
            self.segmentsFile = segmentsFile
            self.segmentsSHA256 = segmentsSHA256
        }

        enum CodingKeys: String, CodingKey {
            case pitchMethod = "pitch_method"
            case pitchTimeStepS = "pitch_time_step_s"
            case pitchFloorHz = "pitch_floor_hz"
            case pitchCeilingHz = "pitch_ceiling_hz"
            case maxCandidates = "max_candidates"
            case silenceThreshold = "silence_threshold"
            case voicingThreshold = "voicing_threshold"
            case octaveCost = "octave_cost"
            case octaveJumpCost = "octave_jump_cost"
            case voicedUnvoicedCost = "voiced_unvoiced_cost"
            case periodsPerWindow = "periods_per_window"
            case intensityMinimumPitchHz = "intensity_minimum_pitch_hz"
            case mix
            case blockFrames = "block_frames"
            case contextFrames = "context_frames"
            case pitchOnly = "pitch_only"
            case voice, timing
            case segmentsFile = "segments_file"
            case segmentsSHA256 = "segments_sha256"
            // Paging of the timing analysis (results do not depend on the chunk sizes), and
            // the cap on frames the mono two-speaker clustering is fitted on (longer
            // recordings: an even subsample, so this one changes the estimate).
            case timingChunkS = "timing_chunk_s"
            case timingChunkMarginS = "timing_chunk_margin_s"
            case monoClusterFitMaxFrames = "mono_cluster_fit_max_frames"
            // `--pitch-range auto` only.
            case pitchRange = "pitch_range"
            case pitchRangeQ25Hz = "pitch_range_q25_hz"
            case pitchRangeQ75Hz = "pitch_range_q75_hz"
        }

        /// How `pitch_range` describes an automatic range.
        public static let autoRangeRule =
            "auto: floor 0.75 × q25, ceiling 1.5 × q75 of the voiced F0 of a 60–700 Hz first pass (Hirst 2011)"
        public static let autoRangeFallback = "auto: fewer than 50 voiced frames in the 60–700 Hz first pass; given range kept"

        /// Writes the JSON object of docs/json-schema.md (with `Analysis.jsonBytes()`, in the layout `candor analyze` writes).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            let p = pitch
            try c.encode(p.method.rawValue, forKey: .pitchMethod)
            try c.encode(Rounded(p.effectiveTimeStep, 6), forKey: .pitchTimeStepS)
            try c.encode(p.floor, forKey: .pitchFloorHz)
            try c.encode(p.ceiling, forKey: .pitchCeilingHz)
            try c.encode(p.maxCandidates, forKey: .maxCandidates)
            try c.encode(p.silenceThreshold, forKey: .silenceThreshold)
            try c.encode(p.voicingThreshold, forKey: .voicingThreshold)
            try c.encode(p.octaveCost, forKey: .octaveCost)
            try c.encode(p.octaveJumpCost, forKey: .octaveJumpCost)
            try c.encode(p.voicedUnvoicedCost, forKey: .voicedUnvoicedCost)
            try c.encode(p.effectivePeriodsPerWindow, forKey: .periodsPerWindow)
            try c.encode(Self.intensityMinimumPitchHz, forKey: .intensityMinimumPitchHz)
            try c.encode(mix, forKey: .mix)
            try c.encode(blockFrames, forKey: .blockFrames)
            try c.encode(contextFrames, forKey: .contextFrames)
            try c.encode(pitchOnly, forKey: .pitchOnly)
            try c.encode(voice.map { Compact($0) }, forKey: .voice)
            try c.encode(timing.map { Compact($0) }, forKey: .timing)
            try c.encode(segmentsFile, forKey: .segmentsFile)
            try c.encodeIfPresent(segmentsSHA256, forKey: .segmentsSHA256)
            if pitchRangeAuto {
                try c.encode(pitchRange == nil ? Self.autoRangeFallback : Self.autoRangeRule, forKey: .pitchRange)
                try c.encodeIfPresent(pitchRange.map { Rounded($0.q25, 2) }, forKey: .pitchRangeQ25Hz)
                try c.encodeIfPresent(pitchRange.map { Rounded($0.q75, 2) }, forKey: .pitchRangeQ75Hz)
            }
            guard let timing else { return }
            try c.encode(timing.chunking.coreS, forKey: .timingChunkS)
            try c.encode(timing.chunking.marginS, forKey: .timingChunkMarginS)
            try c.encode(timing.chunking.maxClusterFrames, forKey: .monoClusterFitMaxFrames)
        }

        /// Reads the value from its JSON object (the form ``encode(to:)`` writes).
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let method = try c.decode(String.self, forKey: .pitchMethod)
            guard let m = PitchMethod(rawValue: method) else {
                throw DecodingError.dataCorruptedError(forKey: .pitchMethod, in: c, debugDescription: "unknown pitch method \(method)")
            }
            var p = PitchSettings(method: m)
            p.timeStep = try c.decode(Double.self, forKey: .pitchTimeStepS)
            p.floor = try c.decode(Double.self, forKey: .pitchFloorHz)
            p.ceiling = try c.decode(Double.self, forKey: .pitchCeilingHz)
            p.maxCandidates = try c.decode(Int.self, forKey: .maxCandidates)
            p.silenceThreshold = try c.decode(Double.self, forKey: .silenceThreshold)
            p.voicingThreshold = try c.decode(Double.self, forKey: .voicingThreshold)
            p.octaveCost = try c.decode(Double.self, forKey: .octaveCost)
            p.octaveJumpCost = try c.decode(Double.self, forKey: .octaveJumpCost)
            p.voicedUnvoicedCost = try c.decode(Double.self, forKey: .voicedUnvoicedCost)
            p.periodsPerWindow = try c.decode(Double.self, forKey: .periodsPerWindow)
            pitch = p
            mix = try c.decode(Bool.self, forKey: .mix)
            blockFrames = try c.decode(Int.self, forKey: .blockFrames)
            contextFrames = try c.decode(Int.self, forKey: .contextFrames)
            pitchOnly = try c.decode(Bool.self, forKey: .pitchOnly)
            voice = try c.decodeIfPresent(VoiceSettings.self, forKey: .voice)
            var t = try c.decodeIfPresent(TimingSettings.self, forKey: .timing)
            if t != nil {
                if let v = try c.decodeIfPresent(Double.self, forKey: .timingChunkS) { t?.chunking.coreS = v }
                if let v = try c.decodeIfPresent(Double.self, forKey: .timingChunkMarginS) { t?.chunking.marginS = v }
                if let v = try c.decodeIfPresent(Int.self, forKey: .monoClusterFitMaxFrames) { t?.chunking.maxClusterFrames = v }
            }
            timing = t
            segmentsFile = try c.decodeIfPresent(String.self, forKey: .segmentsFile)
            segmentsSHA256 = try c.decodeIfPresent(String.self, forKey: .segmentsSHA256)
            pitchRangeAuto = try c.decodeIfPresent(String.self, forKey: .pitchRange) != nil
            if let q25 = try c.decodeIfPresent(Double.self, forKey: .pitchRangeQ25Hz),
                let q75 = try c.decodeIfPresent(Double.self, forKey: .pitchRangeQ75Hz)
            {
                pitchRange = PitchRangeEstimate(q25: q25, q75: q75, voicedFrames: 0)
            }
        }

        /// The parameters as strings (nested settings as their compact JSON), for audit
        /// records and job keys.
        public var strings: [String: String] {
            guard case .object(let fields)? = try? jsonTree(self) else { return [:] }
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
    }
}
