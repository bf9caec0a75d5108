@_exported import CandorCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A change of floor between two consecutive turns of different speakers.
public struct Transition: Sendable, Codable, Equatable {
    public var from: String
    public var to: String
    /// End of the previous turn (the question, when `from` asks).
    public var previousEnd: Double
    /// Start of the next turn (the answer).
    public var nextStart: Double
    /// nextStart − previousEnd; negative when the next speaker started before the end.
    public var latencyS: Double
    enum CodingKeys: String, CodingKey {
        case from, to
        case previousEnd = "previous_end"
        case nextStart = "next_start"
        case latencyS = "latency_s"
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(roundMs(previousEnd), forKey: .previousEnd)
        try c.encode(roundMs(nextStart), forKey: .nextStart)
        try c.encode(roundMs(latencyS), forKey: .latencyS)
    }
}

/// The `conversation` object of the analysis JSON.
public struct Conversation: Sendable, Codable, Equatable {
    /// True when speakers were separated by clustering a mono recording: every number is then
    /// an estimate that depends on that clustering.
    public var estimate: Bool
    /// How speakers were found: `"channels"` (one speaker per channel) or
    /// `"mono-clustering"` (two-speaker k-means on pitch and spectral shape).
    public var method: String
    public var speakers: [String]
    public var turns: [Turn]
    /// Each speaker's speaking time over everyone's speaking time (overlaps count for both).
    public var talkShare: [String: Double]
    /// Latencies (s) of the question→answer transitions: interviewer turn end → interviewee
    /// turn start. Every transition when the roles are not interviewer/interviewee.
    public var responseLatenciesS: [Double]
    public var transitions: [Transition]
    /// Stretches where two or more speakers talk at once, `[[start, end], ...]`.
    public var overlaps: [Span]
    public var interruptions: [Interruption]
    /// Short utterances inside another speaker's turn that do not take the floor
    /// (`Backchannels.swift`); not counted as interruptions.
    public var backchannels: [Backchannel] = []
    /// Each speaker's speech after bleed suppression (or clustering), in `speakers` order:
    /// feed these to `Timing.analyze`. Not part of the JSON (`timing.speech` carries them).
    public var speech: [[Span]] = []
    /// The speech the turns, overlaps, interruptions and backchannels are read from: `speech`
    /// with the turn edges refined (`TurnEdges.swift`), or `speech` itself. Not in the JSON.
    public var turnSpeech: [[Span]] = []

    enum CodingKeys: String, CodingKey {
        case estimate, method, speakers, turns, transitions, overlaps, interruptions, backchannels
        case talkShare = "talk_share"
        case responseLatenciesS = "response_latencies_s"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(estimate, forKey: .estimate)
        try c.encode(method, forKey: .method)
        try c.encode(speakers, forKey: .speakers)
        try c.encode(turns, forKey: .turns)
        try c.encode(talkShare.mapValues { ($0 * 1000).rounded() / 1000 }, forKey: .talkShare)
        try c.encode(responseLatenciesS.map(roundMs), forKey: .responseLatenciesS)
        try c.encode(transitions, forKey: .transitions)
        try c.encode(overlaps, forKey: .overlaps)
        try c.encode(interruptions, forKey: .interruptions)
        try c.encode(backchannels, forKey: .backchannels)
    }
}

/// One channel (one speaker) of a multi-channel recording.
public struct ConversationChannel: Sendable {
    /// The speaker's role/name, e.g. "interviewer" (from `--roles`).
    public var role: String
    /// Speech stretches from `VoiceActivity.detect`.
    public var speech: [Span]
    /// The channel's level per frame: `SpeechFrames.levelTrack` (band energy, preferred:
    /// hum-free) or the Praat intensity. All channels must be on comparable scales.
    public var level: IntensityTrack
    public init(role: String, speech: [Span], level: IntensityTrack) {
        self.role = role
        self.speech = speech
        self.level = level
    }
}

public struct ConversationConfig: Sendable, Codable, Equatable {
    /// A channel's speech whose level is within this margin of the bleed another speaking
    /// channel would put there (its level minus the measured coupling) is bleed.
    public var bleedMarginDb: Double = 6
    /// Couplings weaker than this mean near-identical channels: the fixed rule applies.
    public var minCouplingDb: Double = 10
    /// Channels coupled more tightly than this (both ways) carry the same sound.
    public var copyCouplingDb: Double = 3
    /// Fixed rule: speech this much quieter than another speaking channel is bleed.
    public var bleedDb: Double = 15
    /// Bleed-like runs shorter than this inside a channel's own speech are kept as speech.
    public var minBleedS: Double = 0.15
    /// Speech fragments left shorter than this after bleed removal are dropped.
    public var minFragmentS: Double = 0.1
    /// Overlaps shorter than this are ignored (boundary jitter).
    public var minOverlapS: Double = 0.05
    /// A speech stretch shorter than this inside another speaker's turn that does not take
    /// the floor is a backchannel ("mm-hm"), not an interruption.
    public var backchannelMaxS: Double = 1.0
    /// For turns, one speaker's stretches less than this apart are one stretch.
    public var turnJoinS: Double = 0.3
    /// Turn edges (`TurnEdges.swift`): at a turn stretch's outer edge, unvoiced frames more
    /// than this below the stretch's loudest frame are a low tail, not the turn; nil turns
    /// the refinement off (turns then end where voice activity ends).
    public var edgeBelowPeakDb: Double? = 30
    /// An unvoiced burst at a turn edge no longer than this (a click, a lip smack) …
    public var edgeBurstMaxS: Double = 0.02
    /// … and separated from the rest by at least this much low unvoiced signal is dropped.
    public var edgeBurstGapS: Double = 0.02
    /// No turn edge moves by more than this.
    public var edgeMaxMoveS: Double = 0.5
    public init() {}
}
