/// A short utterance by one speaker inside another speaker's turn that does not take the
/// floor ("mm-hm", "yes"): listener feedback, not an interruption.
public struct Backchannel: Sendable, Codable, Equatable {
    /// Who said it.
    public var speaker: String
    /// Whose turn it fell in.
    public var during: String
    public var start: Double
    public var end: Double
    /// Time (s) it overlapped the turn holder's speech (0 when it fell in a pause).
    public var overlapS: Double
    public init(speaker: String, during: String, start: Double, end: Double, overlapS: Double) {
        self.speaker = speaker
        self.during = during
        self.start = start
        self.end = end
        self.overlapS = overlapS
    }
    enum CodingKeys: String, CodingKey {
        case speaker, during, start, end
        case overlapS = "overlap_s"
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(speaker, forKey: .speaker)
        try c.encode(during, forKey: .during)
        try c.encode(roundMs(start), forKey: .start)
        try c.encode(roundMs(end), forKey: .end)
        try c.encode(roundMs(overlapS), forKey: .overlapS)
    }
}

extension Conversation {
    /// Splits backchannels from interruptions (the same rule for channels and for the mono
    /// estimate).
    ///
    /// Read from `turnSpeech` (the speech with refined turn edges) when it is set, else from
    /// `speech`. A backchannel is a speech stretch of one speaker, shorter than
    /// `config.backchannelMaxS`, that starts after and ends no later than a turn of another
    /// speaker (so it opens no turn of its own). Such a stretch is listed in `backchannels`
    /// whether it overlaps the turn holder's speech or falls in a pause, and removed from
    /// `interruptions`. What stays an interruption: a stretch starting while the holder
    /// speaks that lasts `backchannelMaxS` or longer, or that takes the floor. Overlapping
    /// speech stays in `overlaps` either way.
    public func separatingBackchannels(config: ConversationConfig) -> Conversation {
        var out = self
        let edges = turnSpeech.count == speakers.count ? turnSpeech : speech
        guard edges.count == speakers.count else { return out }
        var found: [Backchannel] = []
        for (k, spans) in edges.enumerated() {
            let name = speakers[k]
            for s in spans where s.duration < config.backchannelMaxS {
                // A turn of this speaker starting here means the stretch took the floor.
                if turns.contains(where: { $0.speaker == name && abs($0.start - s.start) < 1e-9 }) { continue }
                guard let host = turns.last(where: { $0.speaker != name && $0.start <= s.start && s.end <= $0.end }),
                    let h = speakers.firstIndex(of: host.speaker)
                else { continue }
                let overlap = edges[h].reduce(0.0) { $0 + max(0, min($1.end, s.end) - max($1.start, s.start)) }
                found.append(Backchannel(speaker: name, during: host.speaker, start: s.start, end: s.end, overlapS: overlap))
            }
        }
        found.sort { $0.start < $1.start }
        out.backchannels = found
        out.interruptions = interruptions.filter { i in
            !found.contains { $0.speaker == i.speaker && abs($0.start - i.time) < 1e-9 }
        }
        return out
    }
}
