/// One channel of the timing analysis: its role and its frame tracks (pitch and speech
/// frames on one grid), read chunk by chunk.
public struct TimingChannelInput: Sendable {
    /// Role or speaker name of the channel (`--roles`), e.g. "interviewer"; "unknown" when unset.
    public var role: String
    /// The channel's frames (`ChannelFrames.pitch` and `.speech` are used; `.intensity` is not).
    public var source: ChannelFrameSource
    public init(role: String, source: ChannelFrameSource) {
        self.role = role
        self.source = source
    }

    /// Tracks in memory (tests, short signals), on the speech frames' grid: a pitch track on
    /// another grid is read at each frame's time (nearest frame), as the in-memory analyses
    /// do; an empty pitch track means voicing from periodicity.
    init(role: String, frames: SpeechFrames, pitch: PitchTrack) {
        self.role = role
        let g = frames.grid
        var p = pitch
        if pitch.grid.count == 0 {
            p = PitchTrack(grid: FrameGrid(t1: g.t1, dt: g.dt, count: 0), f0: [], strength: [])
        } else if pitch.grid != g {
            p = PitchTrack(
                grid: g, f0: (0..<g.count).map { pitch.f0(at: g.time($0)) },
                strength: (0..<g.count).map { pitch.strength.isEmpty ? 0 : pitch.strength[pitch.grid.nearest(g.time($0))] })
        }
        // Without pitch frames, a placeholder track is sliced and then emptied.
        let hasPitch = p.grid.count > 0
        let zeros = [Float](repeating: 0, count: hasPitch ? 0 : g.count)
        let all = ChannelFrames(
            pitch: hasPitch ? p : PitchTrack(grid: g, f0: zeros, strength: zeros),
            intensity: frames.syllableTrack, speech: frames)
        source = ChannelFrameSource(grid: g) { r in
            var out = all.slice(r)
            if !hasPitch { out.pitch = PitchTrack(grid: FrameGrid(t1: out.pitch.grid.t1, dt: g.dt, count: 0), f0: [], strength: []) }
            return out
        }
    }
}

/// Every setting of the timing analysis (write it to the analysis JSON's `parameters`).
public struct TimingSettings: Sendable, Codable, Equatable {
    public var voiceActivity = VoiceActivityConfig()
    public var timing = TimingConfig()
    public var conversation = ConversationConfig()
    public var mono = MonoDiarizationConfig()
    public var ownVoice = OwnVoiceConfig()
    /// How frames are paged (not written to the JSON: see `TimingChunking`).
    public var chunking = TimingChunking()
    public init() {}
    enum CodingKeys: String, CodingKey { case voiceActivity, timing, conversation, mono, ownVoice }
}

/// The timing results of a recording.
public struct RecordingTiming: Sendable {
    /// `channels[k].timing` of the analysis JSON, per input channel.
    public var channels: [TimingFeatures]
    /// The `conversation` object: channels as speakers for two or more channels; for one
    /// channel, the two-speaker clustering estimate (`estimate: true`) when asked for. Channels
    /// that carry the same sound (a mono recording stored as stereo) get the estimate too.
    public var conversation: Conversation?
    /// Speech per input channel after bleed suppression (what `channels[k].speech` holds).
    public var speech: [[Span]]
    /// Timing per conversation speaker (in `conversation.speakers` order): the same as
    /// `channels` for one speaker per channel; for a mono estimate, each estimated speaker's
    /// own pauses and rates (the channel's timing counts every gap, turn exchanges too).
    public var speakers: [TimingFeatures] = []
    /// Crosstalk per input channel (empty for one channel or channels carrying the same
    /// sound); see `ConversationAnalysis.bleedCoupling`.
    public var bleed: [BleedEstimate] = []
}

/// Per-segment timing (every timing feature over the segment's range, plus the response
/// latency of answer and baseline segments).
public struct SegmentTiming: Sendable, Codable, Equatable {
    public var timing: TimingFeatures
    /// For answer segments: the answering speaker's first speech onset in the segment minus
    /// the asking speaker's last speech offset in the preceding question segment.
    public var responseLatencyS: Double?
    /// Index of the channel (or mono-estimate speaker) whose speech was measured.
    public var source: Int
    enum CodingKeys: String, CodingKey {
        case timing, source
        case responseLatencyS = "response_latency_s"
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(timing, forKey: .timing)
        try c.encode(responseLatencyS.map(roundMs), forKey: .responseLatencyS)
        try c.encode(source, forKey: .source)
    }
    /// Numeric features by name, for `Segments.baselineZScores`.
    public var numbers: [String: Double] {
        var d = timing.numbers
        d["response_latency_s"] = responseLatencyS
        return d
    }
}

public enum TimingAnalysis {
    /// Voice activity per channel, bleed suppression and conversation (two or more
    /// channels), or the mono two-speaker estimate (one channel and `monoSpeakers` given),
    /// then pauses and rates per channel.
    ///
    /// In a conversation a channel's gaps while another speaker talks are turn exchanges,
    /// not its pauses.
    ///
    /// Memory does not grow with the recording's length: every channel is read from its
    /// `ChannelFrameSource` in chunks of `settings.chunking` (see `VoiceActivity.detect(source:…)`,
    /// `Timing.analyze(speech:source:…)`, `ConversationAnalysis.coupling(sources:…)`,
    /// `suppressBleed(sources:…)`, `analyzeMono(source:…)` for what is exact and what is local);
    /// only span, turn and pause lists are held whole.
    public static func run(
        channels: [TimingChannelInput], monoSpeakers: [String]? = nil,
        settings: TimingSettings = TimingSettings()
    ) throws -> RecordingTiming {
        let ck = settings.chunking
        let raw = try channels.map { try VoiceActivity.detect(source: $0.source, config: settings.voiceActivity, chunking: ck) }
        var conversation: Conversation? = nil
        var speech = raw
        var copies = false
        var bleed: [BleedEstimate] = []
        func mono(_ names: [String]) throws -> Conversation {
            try ConversationAnalysis.analyzeMono(
                source: channels[0].source, speech: raw[0], speakers: names, config: settings.mono,
                vadConfig: settings.voiceActivity, conversationConfig: settings.conversation, chunking: ck)
        }
        if channels.count >= 2 {
            let sources = channels.map(\.source)
            let att = try ConversationAnalysis.coupling(sources: sources, speech: raw, chunking: ck)
            if ConversationAnalysis.areCopies(att, config: settings.conversation) {
                // Several channels carrying the same sound: a mono recording. Speakers are
                // estimated from channel 0, named by the channels' roles.
                copies = true
                var names = channels.map(\.role).filter { $0 != "unknown" && !$0.isEmpty }
                if names.count < 2 { names = monoSpeakers ?? ["speaker_1", "speaker_2"] }
                var conv = try mono(names)
                conv.method = "mono-clustering (channels carry the same sound)"
                conversation = conv
            } else {
                // Own voice: bleed removed where it is measurable (OwnVoice.swift).
                let seen = try ConversationAnalysis.bleedCoupling(sources: sources, speech: raw, chunking: ck, config: settings.ownVoice)
                bleed = ConversationAnalysis.bleedEstimates(seen, config: settings.ownVoice)
                let cleaned = try ConversationAnalysis.suppressBleed(
                    sources: sources, speech: raw, coupling: att,
                    offsets: ConversationAnalysis.ownVoiceOffsets(seen, config: settings.conversation),
                    config: settings.conversation, chunking: ck)
                // Turn-taking reads refined turn edges; speech, pauses and talk share do not.
                let edges = try ConversationAnalysis.turnEdgeSpeech(
                    sources: sources, speech: cleaned, config: settings.conversation,
                    voiceActivity: settings.voiceActivity, chunking: ck)
                let conv = ConversationAnalysis.analyze(
                    speakers: channels.enumerated().map { k, c in uniqueName(c.role, k, channels.map(\.role)) },
                    speech: cleaned, turnSpeech: edges, estimate: false, method: "channels", config: settings.conversation)
                speech = conv.speech
                conversation = conv
            }
        } else if channels.count == 1, let names = monoSpeakers {
            conversation = try mono(names)
        }
        let timing = try channels.indices.map { k in
            try Timing.analyze(
                speech: speech[k], source: channels[k].source,
                otherSpeech: channels.count >= 2 && !copies ? speech.enumerated().filter { $0.offset != k }.flatMap(\.element) : [],
                config: settings.timing, chunking: ck)
        }
        var perSpeaker = timing
        if channels.count == 1 || copies, let conv = conversation {
            perSpeaker = try conv.speech.indices.map { k in
                try Timing.analyze(
                    speech: conv.speech[k], source: channels[0].source,
                    otherSpeech: conv.speech.enumerated().filter { $0.offset != k }.flatMap(\.element),
                    config: settings.timing, chunking: ck)
            }
        }
        return RecordingTiming(channels: timing, conversation: conversation, speech: speech, speakers: perSpeaker, bleed: bleed)
    }

    /// Timing features of every segment (validated with `Segments.validate`).
    ///
    /// Whose speech a segment measures: the channel whose role equals the segment's speaker
    /// (case-insensitive); for a mono estimate, the estimated speaker of that name; else, in
    /// an interview, questions measure the `interviewer` and answers/baselines the
    /// `interviewee`; else channel 0. The other speakers' speech marks turn exchanges.
    /// Each segment reads only its own frames (plus the smoothing margin) from the source.
    public static func segments(
        _ segments: [Segment], channels: [TimingChannelInput], recording: RecordingTiming,
        settings: TimingSettings = TimingSettings()
    ) throws -> [SegmentTiming] {
        // Speech and tracks by source.
        let mono = recording.conversation?.estimate == true
        let names: [String] = mono ? recording.conversation!.speakers : channels.map(\.role)
        let speechOf: [[Span]] = mono ? recording.conversation!.speech : recording.speech
        func channelOf(_ source: Int) -> TimingChannelInput { channels[mono ? 0 : source] }
        func source(for s: Segment) -> Int {
            let lower = names.map { $0.lowercased() }
            if let i = lower.firstIndex(of: s.speaker.lowercased()), !s.speaker.isEmpty { return i }
            let want = s.role == .question ? "interviewer" : (s.role == .other ? "" : "interviewee")
            if !want.isEmpty, let i = lower.firstIndex(of: want) { return i }
            return 0
        }
        let sources = segments.map(source(for:))
        var out: [SegmentTiming] = []
        for (i, s) in segments.enumerated() {
            let k = sources[i]
            let ch = channelOf(k)
            let others = speechOf.enumerated().filter { $0.offset != k }.flatMap(\.element)
            let t = try Timing.analyze(
                speech: speechOf[k], source: ch.source, otherSpeech: others,
                range: s.span, config: settings.timing, chunking: settings.chunking)
            var latency: Double? = nil
            // Baseline answers get a latency too (to the question before them), so the latency
            // cue of an answer can be compared with the speaker's baseline at all.
            if s.role == .answer || s.role == .baseline, let q = Segments.questionFor(answerAt: i, in: segments) {
                latency = Segments.responseLatency(
                    question: segments[q], questionSpeech: speechOf[sources[q]],
                    answer: s, answerSpeech: speechOf[k])
            }
            out.append(SegmentTiming(timing: t, responseLatencyS: latency, source: k))
        }
        return out
    }

    /// Distinct speaker names: a repeated or empty role gets the channel number appended.
    static func uniqueName(_ role: String, _ k: Int, _ all: [String]) -> String {
        let r = role.isEmpty ? "unknown" : role
        let clashes = all.enumerated().contains { $0.offset != k && ($0.element.isEmpty ? "unknown" : $0.element) == r }
        return clashes ? "\(r)_\(k)" : r
    }
}
