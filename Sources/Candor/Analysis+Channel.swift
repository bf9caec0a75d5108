import CandorFeatures

extension Analysis {
    /// One analysed channel (`channels[k]`).
    public struct Channel: Sendable, Codable {
        /// The channel's index in the file (0 for a downmix).
        public var index: Int
        /// The speaker's role (`--roles`), "unknown" when not given.
        public var role: String
        /// The pitch contour and the settings it was searched with.
        public var pitch: Pitch
        /// "own-voice speech" (one speaker per channel: summaries over the channel's own
        /// speaker only) or "all frames" (see docs/json-schema.md).
        public var measuredOver: String
        /// The channel's crosstalk estimate (nil when not estimated: one channel, channels
        /// carrying the same sound, or `pitchOnly`).
        public var bleed: BleedEstimate?
        /// Statistics of the voiced frames (semitones re 100 Hz).
        public var pitchSummary: PitchSummary
        /// The intensity contour and its energy mean.
        public var intensity: Intensity
        /// Jitter, shimmer and HNR with their standard errors (nil with `pitchOnly`).
        public var voice: VoiceReport?
        /// Speech stretches, pauses and rates (nil with `pitchOnly`).
        public var timing: TimingFeatures?
        /// F1–F3 and bandwidth medians over the channel's speech (nil with `pitchOnly`).
        public var formants: FormantSummary?

        /// A value from its parts.
        public init(
            index: Int, role: String, pitch: Pitch, measuredOver: String = "all frames", bleed: BleedEstimate? = nil,
            pitchSummary: PitchSummary, intensity: Intensity,
            voice: VoiceReport? = nil, timing: TimingFeatures? = nil, formants: FormantSummary? = nil
        ) {
            self.index = index
            self.role = role
            self.pitch = pitch
            self.measuredOver = measuredOver
            self.bleed = bleed
            self.pitchSummary = pitchSummary
            self.intensity = intensity
            self.voice = voice
            self.timing = timing
            self.formants = formants
        }

        enum CodingKeys: String, CodingKey {
            case index, role, pitch, intensity, voice, timing, bleed, formants
            case pitchSummary = "pitch_summary"
            case measuredOver = "measured_over"
        }

        /// Writes the JSON object of docs/json-schema.md (with `Analysis.jsonBytes()`, in the layout `candor analyze` writes).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(role, forKey: .role)
            try c.encode(pitch, forKey: .pitch)
            try c.encode(measuredOver, forKey: .measuredOver)
            try c.encode(bleed.map { Compact($0) }, forKey: .bleed)
            try c.encode(PitchSummaryFields(summary: pitchSummary), forKey: .pitchSummary)
            try c.encode(intensity, forKey: .intensity)
            guard let voice, let timing else { return }
            try c.encode(VoiceFields(report: voice), forKey: .voice)
            try c.encode(Compact(timing), forKey: .timing)
            try c.encodeIfPresent(formants.map { Compact($0) }, forKey: .formants)
        }

        /// Reads the value from its JSON object (the form ``encode(to:)`` writes).
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            index = try c.decode(Int.self, forKey: .index)
            role = try c.decode(String.self, forKey: .role)
            pitch = try c.decode(Pitch.self, forKey: .pitch)
            measuredOver = try c.decodeIfPresent(String.self, forKey: .measuredOver) ?? "all frames"
            bleed = try c.decodeIfPresent(BleedEstimate.self, forKey: .bleed)
            pitchSummary = try c.decode(PitchSummaryFields.self, forKey: .pitchSummary).summary
            intensity = try c.decode(Intensity.self, forKey: .intensity)
            voice = try c.decodeIfPresent(VoiceReport.self, forKey: .voice)
            timing = try c.decodeIfPresent(TimingFeatures.self, forKey: .timing)
            formants = try c.decodeIfPresent(FormantSummary.self, forKey: .formants)
        }
    }

    /// The pitch contour of a channel (`channels[k].pitch`).
    public struct Pitch: Sendable, Codable {
        /// "ac" or "cc".
        public var method: String
        /// Seconds between frames.
        public var timeStepS: Double
        /// Lowest F0 searched (Hz).
        public var floorHz: Double
        /// Highest F0 searched (Hz).
        public var ceilingHz: Double
        /// F0 in Hz per frame, 0 when unvoiced (written as null).
        public var frames: FrameTrack

        /// A value from its parts.
        public init(method: String, timeStepS: Double, floorHz: Double, ceilingHz: Double, frames: FrameTrack) {
            self.method = method
            self.timeStepS = timeStepS
            self.floorHz = floorHz
            self.ceilingHz = ceilingHz
            self.frames = frames
        }

        enum CodingKeys: String, CodingKey {
            case method, frames
            case timeStepS = "time_step_s"
            case floorHz = "floor_hz"
            case ceilingHz = "ceiling_hz"
        }

        /// Writes the JSON object of docs/json-schema.md (with `Analysis.jsonBytes()`, in the layout `candor analyze` writes).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(method, forKey: .method)
            try c.encode(Rounded(timeStepS, 6), forKey: .timeStepS)
            try c.encode(floorHz, forKey: .floorHz)
            try c.encode(ceilingHz, forKey: .ceilingHz)
            try c.encode(frames, forKey: .frames)
        }

        /// Reads the value from its JSON object (the form ``encode(to:)`` writes).
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            method = try c.decode(String.self, forKey: .method)
            timeStepS = try c.decode(Double.self, forKey: .timeStepS)
            floorHz = try c.decode(Double.self, forKey: .floorHz)
            ceilingHz = try c.decode(Double.self, forKey: .ceilingHz)
            frames = try FrameTrack(from: c.superDecoder(forKey: .frames), timeStep: timeStepS, kind: .f0)
        }
    }

    /// The intensity contour of a channel (`channels[k].intensity`), dB re 2·10⁻⁵.
    public struct Intensity: Sendable, Codable {
        /// Seconds between frames.
        public var timeStepS: Double
        /// The level per frame, dB.
        public var frames: FrameTrack
        /// Energy mean over the channel (nil when silent).
        public var meanDB: Double?

        /// A value from its parts.
        public init(timeStepS: Double, frames: FrameTrack, meanDB: Double?) {
            self.timeStepS = timeStepS
            self.frames = frames
            self.meanDB = meanDB
        }

        enum CodingKeys: String, CodingKey {
            case frames
            case timeStepS = "time_step_s"
            case meanDB = "mean_db"
        }

        /// Writes the JSON object of docs/json-schema.md (with `Analysis.jsonBytes()`, in the layout `candor analyze` writes).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(Rounded(timeStepS, 6), forKey: .timeStepS)
            try c.encode(frames, forKey: .frames)
            try c.encode(Rounded(meanDB, 3), forKey: .meanDB)
        }

        /// Reads the value from its JSON object (the form ``encode(to:)`` writes).
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            timeStepS = try c.decode(Double.self, forKey: .timeStepS)
            frames = try FrameTrack(from: c.superDecoder(forKey: .frames), timeStep: timeStepS, kind: .level)
            meanDB = try c.decodeIfPresent(Double.self, forKey: .meanDB)
        }
    }
}

/// `pitch_summary`: the summary with its published rounding.
struct PitchSummaryFields: Codable {
    var summary: PitchSummary

    init(summary: PitchSummary) { self.summary = summary }

    enum CodingKeys: String, CodingKey {
        case frames
        case meanHz = "mean_hz"
        case meanHzSE = "mean_hz_se"
        case medianHz = "median_hz"
        case sdHz = "sd_hz"
        case minHz = "min_hz"
        case maxHz = "max_hz"
        case meanST = "mean_st"
        case sdST = "sd_st"
        case voicedFraction = "voiced_fraction"
        case voicedFrames = "voiced_frames"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let s = summary
        try c.encode(Rounded(s.meanHz, 3), forKey: .meanHz)
        try c.encode(Rounded(s.meanHzSE, 3), forKey: .meanHzSE)
        try c.encode(Rounded(s.medianHz, 3), forKey: .medianHz)
        try c.encode(Rounded(s.sdHz, 3), forKey: .sdHz)
        try c.encode(Rounded(s.minHz, 3), forKey: .minHz)
        try c.encode(Rounded(s.maxHz, 3), forKey: .maxHz)
        try c.encode(Rounded(s.meanST, 4), forKey: .meanST)
        try c.encode(Rounded(s.sdST, 4), forKey: .sdST)
        try c.encode(Rounded(s.voicedFraction, 4), forKey: .voicedFraction)
        try c.encode(s.voicedFrames, forKey: .voicedFrames)
        try c.encode(s.frames, forKey: .frames)
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        summary = PitchSummary(
            voicedFrames: try c.decode(Int.self, forKey: .voicedFrames), frames: try c.decode(Int.self, forKey: .frames),
            meanHz: try c.decodeIfPresent(Double.self, forKey: .meanHz),
            medianHz: try c.decodeIfPresent(Double.self, forKey: .medianHz),
            sdHz: try c.decodeIfPresent(Double.self, forKey: .sdHz), minHz: try c.decodeIfPresent(Double.self, forKey: .minHz),
            maxHz: try c.decodeIfPresent(Double.self, forKey: .maxHz), meanST: try c.decodeIfPresent(Double.self, forKey: .meanST),
            sdST: try c.decodeIfPresent(Double.self, forKey: .sdST), meanHzSE: try c.decodeIfPresent(Double.self, forKey: .meanHzSE))
    }
}

/// `voice`: the report's measures with their published rounding, the DESIGN keys first,
/// then counts and standard errors. Missing measures are null, and `reason` says why.
struct VoiceFields: Encodable {
    var report: VoiceReport

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: VoiceReport.CodingKeys.self)
        let v = report
        try c.encode(v.pulses, forKey: .pulses)
        try c.encode(Rounded(v.jitterLocal, 7), forKey: .jitterLocal)
        try c.encode(Rounded(v.jitterLocalAbs, 9), forKey: .jitterLocalAbs)
        try c.encode(Rounded(v.jitterRap, 7), forKey: .jitterRap)
        try c.encode(Rounded(v.jitterPpq5, 7), forKey: .jitterPpq5)
        try c.encode(Rounded(v.jitterDdp, 7), forKey: .jitterDdp)
        try c.encode(Rounded(v.shimmerLocal, 6), forKey: .shimmerLocal)
        try c.encode(Rounded(v.shimmerLocalDB, 5), forKey: .shimmerLocalDB)
        try c.encode(Rounded(v.shimmerApq3, 6), forKey: .shimmerApq3)
        try c.encode(Rounded(v.shimmerApq5, 6), forKey: .shimmerApq5)
        try c.encode(Rounded(v.shimmerApq11, 6), forKey: .shimmerApq11)
        try c.encode(Rounded(v.shimmerDda, 6), forKey: .shimmerDda)
        try c.encode(Rounded(v.hnrDB, 3), forKey: .hnrDB)
        try c.encode(v.periodsUsed, forKey: .periodsUsed)
        try c.encode(v.amplitudesUsed, forKey: .amplitudesUsed)
        try c.encode(v.hnrFrames, forKey: .hnrFrames)
        try c.encode(Rounded(v.jitterLocalSE, 7), forKey: .jitterLocalSE)
        try c.encode(Rounded(v.jitterLocalAbsSE, 9), forKey: .jitterLocalAbsSE)
        try c.encode(Rounded(v.jitterRapSE, 7), forKey: .jitterRapSE)
        try c.encode(Rounded(v.jitterPpq5SE, 7), forKey: .jitterPpq5SE)
        try c.encode(Rounded(v.jitterDdpSE, 7), forKey: .jitterDdpSE)
        try c.encode(Rounded(v.shimmerLocalSE, 6), forKey: .shimmerLocalSE)
        try c.encode(Rounded(v.shimmerLocalDBSE, 5), forKey: .shimmerLocalDBSE)
        try c.encode(Rounded(v.shimmerApq3SE, 6), forKey: .shimmerApq3SE)
        try c.encode(Rounded(v.shimmerApq5SE, 6), forKey: .shimmerApq5SE)
        try c.encode(Rounded(v.shimmerApq11SE, 6), forKey: .shimmerApq11SE)
        try c.encode(Rounded(v.shimmerDdaSE, 6), forKey: .shimmerDdaSE)
        try c.encode(Rounded(v.hnrDBSE, 3), forKey: .hnrDBSE)
        try c.encode(v.reliable, forKey: .reliable)
        try c.encode(v.reason, forKey: .reason)
    }
}
