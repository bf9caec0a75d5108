import CandorFeatures
import CandorModels

extension Analysis {
    /// The `conversation` object: turns, talk share, latencies, overlaps and interruptions,
    /// and for a mono estimate each estimated speaker's own timing.
    public struct ConversationResult: Sendable, Codable {
        /// Turns, talk share, latencies, transitions, overlaps and interruptions.
        public var conversation: Conversation
        /// The conversation's numbers (latency median, talk share, rates; `measures`).
        public var measures: ConversationMeasures?
        /// For a mono estimate (`conversation.estimate`): timing per estimated speaker, in
        /// `conversation.speakers` order (`speaker_timing`); empty otherwise.
        public var speakerTiming: [TimingFeatures]

        /// A value from its parts.
        public init(conversation: Conversation, measures: ConversationMeasures? = nil, speakerTiming: [TimingFeatures] = []) {
            self.conversation = conversation
            self.measures = measures
            self.speakerTiming = speakerTiming
        }

        enum CodingKeys: String, CodingKey {
            case speakerTiming = "speaker_timing"
        }

        /// The conversation's keys (sorted, compact), then `measures`, then `speaker_timing`
        /// by speaker.
        var compact: Compact<Conversation> {
            var extra: [(String, any Encodable)] = []
            if let measures { extra.append(("measures", Compact(measures))) }
            if conversation.estimate, !speakerTiming.isEmpty {
                let fields = zip(conversation.speakers, speakerTiming).map { ($0.0, Compact($0.1)) }
                extra.append(("speaker_timing", OrderedFields(fields: fields)))
            }
            return Compact(conversation, extra: extra)
        }

        /// Writes the JSON object of docs/json-schema.md (with `Analysis.jsonBytes()`, in the layout `candor analyze` writes).
        public func encode(to encoder: any Encoder) throws { try compact.encode(to: encoder) }

        /// Reads the value from its JSON object (the form ``encode(to:)`` writes).
        public init(from decoder: any Decoder) throws {
            conversation = try Conversation(from: decoder)
            let c = try decoder.container(keyedBy: NameKey.self)
            measures = try c.decodeIfPresent(ConversationMeasures.self, forKey: NameKey("measures"))
            var timing: [TimingFeatures] = []
            if c.contains(NameKey("speaker_timing")) {
                let byName = try c.nestedContainer(keyedBy: NameKey.self, forKey: NameKey("speaker_timing"))
                for s in conversation.speakers {
                    if let t = try byName.decodeIfPresent(TimingFeatures.self, forKey: NameKey(s)) { timing.append(t) }
                }
            }
            speakerTiming = timing
        }
    }

    /// One annotated segment with its measurements (`segments[k]`).
    public struct SegmentResult: Sendable, Codable {
        /// The segment as given (id, label, speaker, times, role).
        public var segment: Segment
        /// Channel (or mono-estimate speaker) whose speech was measured.
        public var source: Int
        /// The baseline-deviation model's inputs by name (nil: not measurable here).
        public var features: [String: Double?]
        /// Jitter, shimmer and HNR over the segment, on the measured channel.
        public var voice: VoiceReport
        /// Pauses, rates and (for answers) the response latency over the segment.
        public var timing: SegmentTiming
        /// z-scores against the same speaker's baseline segments, by feature.
        public var zScores: [String: Double]
        /// The models' scores of this segment.
        public var scores: [ModelScore]
        /// Set when the measured channel is clearly quieter than another over the segment.
        public var warning: String?
        /// F1–F3 and bandwidth medians over the segment on the measured channel.
        public var formants: FormantSummary?

        /// A value from its parts.
        public init(
            segment: Segment, source: Int, features: [String: Double?], voice: VoiceReport, timing: SegmentTiming,
            zScores: [String: Double], scores: [ModelScore], warning: String? = nil
        ) {
            self.segment = segment
            self.source = source
            self.features = features
            self.voice = voice
            self.timing = timing
            self.zScores = zScores
            self.scores = scores
            self.warning = warning
        }

        enum CodingKeys: String, CodingKey {
            case id, label, speaker, start, end, role, features, voice, timing, scores, warning, formants
            case source = "source_channel"
            case zScores = "baseline_z"
        }

        /// Writes the JSON object of docs/json-schema.md (with `Analysis.jsonBytes()`, in the layout `candor analyze` writes).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            let s = segment
            try c.encode(s.id, forKey: .id)
            try c.encode(s.label, forKey: .label)
            try c.encode(s.speaker, forKey: .speaker)
            try c.encode(Rounded(s.start, 4), forKey: .start)
            try c.encode(Rounded(s.end, 4), forKey: .end)
            try c.encode(s.role.rawValue, forKey: .role)
            try c.encode(source, forKey: .source)
            try c.encode(OrderedFields(fields: features.keys.sorted().map { ($0, Rounded(features[$0] ?? nil, 6)) }), forKey: .features)
            try c.encode(VoiceFields(report: voice), forKey: .voice)
            try c.encode(Compact(timing), forKey: .timing)
            try c.encodeIfPresent(formants.map { Compact($0) }, forKey: .formants)
            try c.encode(OrderedFields(fields: zScores.keys.sorted().map { ($0, Rounded(zScores[$0], 4)) }), forKey: .zScores)
            try c.encode(scores.map { Compact($0) }, forKey: .scores)
            try c.encode(warning, forKey: .warning)
        }

        /// Reads the value from its JSON object (the form ``encode(to:)`` writes).
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            segment = Segment(
                id: try c.decode(String.self, forKey: .id), label: try c.decode(String.self, forKey: .label),
                speaker: try c.decode(String.self, forKey: .speaker), start: try c.decode(Double.self, forKey: .start),
                end: try c.decode(Double.self, forKey: .end),
                role: SegmentRole(rawValue: try c.decode(String.self, forKey: .role)) ?? .other)
            source = try c.decode(Int.self, forKey: .source)
            let f = try c.nestedContainer(keyedBy: NameKey.self, forKey: .features)
            var features: [String: Double?] = [:]
            for k in f.allKeys { features[k.stringValue] = .some(try f.decodeIfPresent(Double.self, forKey: k)) }
            self.features = features
            voice = try c.decode(VoiceReport.self, forKey: .voice)
            timing = try c.decode(SegmentTiming.self, forKey: .timing)
            let z = try c.nestedContainer(keyedBy: NameKey.self, forKey: .zScores)
            var zScores: [String: Double] = [:]
            for k in z.allKeys { if let v = try z.decodeIfPresent(Double.self, forKey: k) { zScores[k.stringValue] = v } }
            self.zScores = zScores
            scores = try c.decode([ModelScore].self, forKey: .scores)
            warning = try c.decodeIfPresent(String.self, forKey: .warning)
            formants = try c.decodeIfPresent(FormantSummary.self, forKey: .formants)
        }
    }
}

extension Analysis.ConversationResult: JSONLayout {
    func jsonValue() throws -> JSONValue { try compact.jsonValue() }
}

extension OrderedFields: JSONLayout {
    func jsonValue() throws -> JSONValue { .object(try fields.map { ($0.0, try jsonTree($0.1)) }) }
}
