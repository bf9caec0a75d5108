// The vocabulary of an interview that every stage shares: who spoke when, and what a
// segment is. Defined once here; the conversation analysis (CandorFeatures), the models
// (CandorModels) and the report read and write these types.

/// A turn: a stretch during which one speaker holds the floor (seconds). Encoded with
/// times rounded to the millisecond.
public struct Turn: Sendable, Codable, Equatable {
    public var speaker: String
    public var start: Double
    public var end: Double
    public init(speaker: String, start: Double, end: Double) {
        self.speaker = speaker
        self.start = start
        self.end = end
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(speaker, forKey: .speaker)
        try c.encode(roundToMs(start), forKey: .start)
        try c.encode(roundToMs(end), forKey: .end)
    }
    enum CodingKeys: String, CodingKey { case speaker, start, end }
}

/// A speaker starting to talk while another is speaking mid-turn.
public struct Interruption: Sendable, Codable, Equatable {
    /// Who started talking.
    public var speaker: String
    /// Who was talking and holding the floor.
    public var interrupted: String
    public var time: Double
    /// Overlap length (s) with the interrupted speaker's speech.
    public var overlapS: Double
    /// True when the interrupter kept talking after the interrupted speaker's turn ended
    /// (took the floor); false for a backchannel or an attempt that gave up.
    public var tookFloor: Bool
    public init(speaker: String, interrupted: String, time: Double, overlapS: Double, tookFloor: Bool) {
        self.speaker = speaker
        self.interrupted = interrupted
        self.time = time
        self.overlapS = overlapS
        self.tookFloor = tookFloor
    }
    enum CodingKeys: String, CodingKey {
        case speaker, interrupted, time
        case overlapS = "overlap_s"
        case tookFloor = "took_floor"
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(speaker, forKey: .speaker)
        try c.encode(interrupted, forKey: .interrupted)
        try c.encode(roundToMs(time), forKey: .time)
        try c.encode(roundToMs(overlapS), forKey: .overlapS)
        try c.encode(tookFloor, forKey: .tookFloor)
    }
}

/// What a segment is in the interview (`segments[].role` of the analysis JSON).
public enum SegmentRole: String, Sendable, Codable, CaseIterable {
    case baseline, question, answer, other
}

/// Seconds rounded to the millisecond (how times are written).
@inlinable func roundToMs(_ t: Double) -> Double { (t * 1000).rounded() / 1000 }
