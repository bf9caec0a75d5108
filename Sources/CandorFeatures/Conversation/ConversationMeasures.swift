/// The conversation's summary numbers, each defined and computed once here: the CLI
/// summary, the analysis JSON (`conversation.measures`), the HTML report and the
/// interview-quality model all read these values instead of recomputing them.
public struct ConversationMeasures: Sendable, Codable, Equatable {
    /// One speaker's numbers.
    public struct Speaker: Sendable, Codable, Equatable {
        public var speaker: String
        /// Own-voice speaking time (s): the speaker's speech after bleed removal (or
        /// clustering), overlaps included.
        public var speakingTimeS: Double
        /// speakingTimeS over everyone's speakingTimeS, in [0, 1] (`Conversation.talkShare`).
        public var talkShare: Double
        public var turns: Int
        /// Interruptions this speaker made (of anyone), and per 10 minutes of recording.
        public var interruptionsMade: Int
        public var interruptionsMadePer10Min: Double?
        /// Backchannels this speaker gave.
        public var backchannels: Int
        enum CodingKeys: String, CodingKey {
            case speaker, turns, backchannels
            case speakingTimeS = "speaking_time_s"
            case talkShare = "talk_share"
            case interruptionsMade = "interruptions_made"
            case interruptionsMadePer10Min = "interruptions_made_per_10min"
        }
    }

    /// Interruptions of one speaker by another.
    public struct Direction: Sendable, Codable, Equatable {
        public var by: String
        public var of: String
        public var count: Int
    }

    /// Length of the recording (s), the denominator of the rates.
    public var durationS: Double
    public var speakers: [Speaker]
    /// The median of `Conversation.responseLatenciesS` (the middle value, or the mean of the
    /// two middle values); nil without question→answer transitions.
    public var responseLatencyMedianS: Double?
    public var responseLatencyCount: Int
    /// Interruptions counted by direction (every ordered pair with at least one).
    public var interruptionsByDirection: [Direction]
    public var interruptions: Int
    public var backchannels: Int
    public var overlaps: Int
    public var overlapTotalS: Double

    enum CodingKeys: String, CodingKey {
        case speakers, interruptions, backchannels, overlaps
        case durationS = "duration_s"
        case responseLatencyMedianS = "response_latency_median_s"
        case responseLatencyCount = "response_latency_count"
        case interruptionsByDirection = "interruptions_by_direction"
        case overlapTotalS = "overlap_total_s"
    }

    /// Rates are per `rateWindowS` (600 s: per 10 minutes).
    public init(_ c: Conversation, durationS: Double, rateWindowS: Double = 600) {
        self.durationS = durationS
        let times = c.speech.count == c.speakers.count ? c.speech.map(totalDuration) : c.speakers.map { _ in 0.0 }
        speakers = c.speakers.enumerated().map { k, name in
            let made = c.interruptions.filter { $0.speaker == name }.count
            return Speaker(
                speaker: name, speakingTimeS: times[k], talkShare: c.talkShare[name] ?? 0,
                turns: c.turns.filter { $0.speaker == name }.count, interruptionsMade: made,
                interruptionsMadePer10Min: durationS > 0 ? Double(made) / durationS * rateWindowS : nil,
                backchannels: c.backchannels.filter { $0.speaker == name }.count)
        }
        responseLatencyMedianS = Self.median(c.responseLatenciesS)
        responseLatencyCount = c.responseLatenciesS.count
        var dirs: [Direction] = []
        for a in c.speakers {
            for b in c.speakers where b != a {
                let n = c.interruptions.filter { $0.speaker == a && $0.interrupted == b }.count
                if n > 0 { dirs.append(Direction(by: a, of: b, count: n)) }
            }
        }
        interruptionsByDirection = dirs
        interruptions = c.interruptions.count
        backchannels = c.backchannels.count
        overlaps = c.overlaps.count
        overlapTotalS = c.overlaps.reduce(0) { $0 + $1.duration }
    }

    /// The middle value of `x`, or the mean of the two middle values; nil when empty.
    public static func median(_ x: [Double]) -> Double? {
        let s = x.sorted()
        guard !s.isEmpty else { return nil }
        return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
    }

    /// The numbers of `speaker` (case-insensitive), if present.
    public func speaker(_ name: String) -> Speaker? {
        speakers.first { $0.speaker.lowercased() == name.lowercased() }
    }

    /// Interruptions of `of` by `by`.
    public func interruptions(by: String, of: String) -> Int {
        interruptionsByDirection.first { $0.by == by && $0.of == of }?.count ?? 0
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(roundMs(durationS), forKey: .durationS)
        try c.encode(speakers, forKey: .speakers)
        try c.encode(responseLatencyMedianS.map(roundMs), forKey: .responseLatencyMedianS)
        try c.encode(responseLatencyCount, forKey: .responseLatencyCount)
        try c.encode(interruptionsByDirection, forKey: .interruptionsByDirection)
        try c.encode(interruptions, forKey: .interruptions)
        try c.encode(backchannels, forKey: .backchannels)
        try c.encode(overlaps, forKey: .overlaps)
        try c.encode(roundMs(overlapTotalS), forKey: .overlapTotalS)
    }
}

extension ConversationMeasures.Speaker {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(speaker, forKey: .speaker)
        try c.encode(roundMs(speakingTimeS), forKey: .speakingTimeS)
        try c.encode((talkShare * 1000).rounded() / 1000, forKey: .talkShare)
        try c.encode(turns, forKey: .turns)
        try c.encode(interruptionsMade, forKey: .interruptionsMade)
        try c.encode(interruptionsMadePer10Min.map { ($0 * 1000).rounded() / 1000 }, forKey: .interruptionsMadePer10Min)
        try c.encode(backchannels, forKey: .backchannels)
    }
}
