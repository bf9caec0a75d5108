/// One channel's frame tracks, as the analysis pipeline produces them (all on the pitch grid).
public struct TimingChannelInput: Sendable {
    /// Role or speaker name of the channel (`--roles`), e.g. "interviewer"; "unknown" when unset.
    public var role: String
    public var frames: SpeechFrames
    public var pitch: PitchTrack
    public init(role: String, frames: SpeechFrames, pitch: PitchTrack) {
        self.role = role
        self.frames = frames
        self.pitch = pitch
    }
}

/// Every setting of the timing analysis (write it to the analysis JSON's `parameters`).
public struct TimingSettings: Sendable, Codable, Equatable {
    public var voiceActivity = VoiceActivityConfig()
    public var timing = TimingConfig()
    public var conversation = ConversationConfig()
    public var mono = MonoDiarizationConfig()
    public init() {}
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
}

/// Per-segment timing (every timing feature over the segment's range, plus the response
/// latency of answer segments).
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
    public static func run(channels: [TimingChannelInput], monoSpeakers: [String]? = nil,
                           settings: TimingSettings = TimingSettings()) -> RecordingTiming {
        let raw = channels.map { VoiceActivity.detect(frames: $0.frames, pitch: $0.pitch, config: settings.voiceActivity) }
        var conversation: Conversation? = nil
        var speech = raw
        let convChannels = channels.enumerated().map { k, c in
            ConversationChannel(role: uniqueName(c.role, k, channels.map(\.role)), speech: raw[k], level: c.frames.levelTrack)
        }
        var copies = false
        if channels.count >= 2 && ConversationAnalysis.channelsAreCopies(convChannels, config: settings.conversation) {
            // Several channels carrying the same sound: a mono recording. Speakers are
            // estimated from channel 0, named by the channels' roles.
            copies = true
            var names = channels.map(\.role).filter { $0 != "unknown" && !$0.isEmpty }
            if names.count < 2 { names = monoSpeakers ?? ["speaker_1", "speaker_2"] }
            var conv = ConversationAnalysis.analyzeMono(
                frames: channels[0].frames, speech: raw[0], pitch: channels[0].pitch, speakers: names,
                config: settings.mono, vadConfig: settings.voiceActivity, conversationConfig: settings.conversation)
            conv.method = "mono-clustering (channels carry the same sound)"
            conversation = conv
        } else if channels.count >= 2 {
            let conv = ConversationAnalysis.analyze(channels: convChannels, config: settings.conversation)
            speech = conv.speech
            conversation = conv
        } else if channels.count == 1, let names = monoSpeakers {
            conversation = ConversationAnalysis.analyzeMono(
                frames: channels[0].frames, speech: raw[0], pitch: channels[0].pitch, speakers: names,
                config: settings.mono, vadConfig: settings.voiceActivity, conversationConfig: settings.conversation)
        }
        let timing = channels.indices.map { k in
            Timing.analyze(speech: speech[k], frames: channels[k].frames, pitch: channels[k].pitch,
                           otherSpeech: channels.count >= 2 && !copies ? speech.enumerated().filter { $0.offset != k }.flatMap(\.element) : [],
                           config: settings.timing)
        }
        var perSpeaker = timing
        if channels.count == 1 || copies, let conv = conversation {
            perSpeaker = conv.speech.indices.map { k in
                Timing.analyze(speech: conv.speech[k], frames: channels[0].frames, pitch: channels[0].pitch,
                               otherSpeech: conv.speech.enumerated().filter { $0.offset != k }.flatMap(\.element),
                               config: settings.timing)
            }
        }
        return RecordingTiming(channels: timing, conversation: conversation, speech: speech, speakers: perSpeaker)
    }

    /// Timing features of every segment (validated with `Segments.validate`).
    ///
    /// Whose speech a segment measures: the channel whose role equals the segment's speaker
    /// (case-insensitive); for a mono estimate, the estimated speaker of that name; else, in
    /// an interview, questions measure the `interviewer` and answers/baselines the
    /// `interviewee`; else channel 0. The other speakers' speech marks turn exchanges.
    public static func segments(_ segments: [Segment], channels: [TimingChannelInput], recording: RecordingTiming,
                                settings: TimingSettings = TimingSettings()) -> [SegmentTiming] {
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
            let t = Timing.analyze(speech: speechOf[k], frames: ch.frames, pitch: ch.pitch, otherSpeech: others,
                                   range: s.span, config: settings.timing)
            var latency: Double? = nil
            if s.role == .answer, let q = Segments.questionFor(answerAt: i, in: segments) {
                latency = Segments.responseLatency(question: segments[q], questionSpeech: speechOf[sources[q]],
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
