import CandorFeatures
import CandorModels

/// The result of analysing one recording: the analysis JSON document (schema
/// `candor.analysis/1`, documented in `docs/json-schema.md`) as typed values.
///
/// Encode it with ``jsonBytes()`` or ``write(toFile:)`` for the exact document `candor
/// analyze` writes; any other `Encoder` gets the same keys and values in its own layout.
/// Decoding reads a document back (frame tracks then live in memory).
///
/// Frame tracks of an analysis just computed are read page by page from the analysis's
/// temporary spill file when encoded, so a three-hour recording never has its tracks whole
/// in memory; the file lives as long as the `Analysis` value (and its copies).
public struct Analysis: Sendable, Codable {
    /// The schema name written to `schema`.
    public static let schemaName = "candor.analysis/1"
    /// What the numbers are and are not, written to `notice`.
    public static let noticeText =
        "Measured voice and timing features with their uncertainty, and deviations from the same speaker's baseline. They are an aid for a human reviewer, not evidence about honesty: vocal cues to deception are weak and near chance (see the model cards)."

    /// The schema name, `candor.analysis/1`.
    public var schema: String
    /// What the numbers are and are not (see ``noticeText``).
    public var notice: String
    /// The recording analysed.
    public var input: Input
    /// The software that computed the numbers.
    public var software: Software
    /// Every setting that changes a number.
    public var parameters: Parameters
    /// One entry per analysed channel (one for a downmix).
    public var channels: [Channel]
    /// Turns, talk share, latencies, overlaps and interruptions between speakers; nil with one
    /// speaker, or with `parameters.pitchOnly`.
    public var conversation: ConversationResult?
    /// Per-segment features, z-scores and scores (empty without a segments file).
    public var segments: [SegmentResult]
    /// Every model score: the interview-quality index, then each segment's scores.
    public var scores: [ModelScore]
    /// The models the scores came from.
    public var models: [ModelReference]
    /// Why there are no scores, when there is a reason to say so.
    public var modelsNote: String?
    /// Room warnings (crosstalk, a segment measured on the quieter channel); `candor analyze`
    /// also prints them on stderr.
    public var warnings: [String]

    /// The recording analysed.
    public struct Input: Sendable, Codable, Equatable {
        /// The path the recording was read from, as given.
        public var path: String
        /// SHA-256 of the file's bytes (hex).
        public var sha256: String
        /// The file size in bytes.
        public var bytes: Int
        /// libsndfile's description of the container and encoding.
        public var format: String
        /// Samples per second per channel.
        public var sampleRate: Int
        /// Channels in the file (before any downmix).
        public var channels: Int
        /// Seconds of audio decoded.
        public var durationS: Double

        /// A value from its parts.
        public init(path: String, sha256: String, bytes: Int, format: String, sampleRate: Int, channels: Int, durationS: Double) {
            self.path = path
            self.sha256 = sha256
            self.bytes = bytes
            self.format = format
            self.sampleRate = sampleRate
            self.channels = channels
            self.durationS = durationS
        }

        enum CodingKeys: String, CodingKey {
            case path, sha256, bytes, format, channels
            case sampleRate = "sample_rate"
            case durationS = "duration_s"
        }

        /// Writes the JSON object of docs/json-schema.md (with `Analysis.jsonBytes()`, in the layout `candor analyze` writes).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(path, forKey: .path)
            try c.encode(sha256, forKey: .sha256)
            try c.encode(bytes, forKey: .bytes)
            try c.encode(format, forKey: .format)
            try c.encode(sampleRate, forKey: .sampleRate)
            try c.encode(channels, forKey: .channels)
            try c.encode(Rounded(durationS, 6), forKey: .durationS)
        }
    }

    /// The software that computed the numbers.
    public struct Software: Sendable, Codable, Equatable {
        /// The software's name, "candor".
        public var name: String
        /// Its version.
        public var version: String
        /// The git commit the software was built from, or "unknown".
        public var gitCommit: String

        /// This build of Candor.
        public static var current: Software {
            Software(name: "candor", version: CandorVersion.version, gitCommit: CandorVersion.gitCommit)
        }

        /// A value from its parts.
        public init(name: String, version: String, gitCommit: String) {
            self.name = name
            self.version = version
            self.gitCommit = gitCommit
        }

        enum CodingKeys: String, CodingKey {
            case name, version
            case gitCommit = "git_commit"
        }
    }

    enum CodingKeys: String, CodingKey {
        case schema, notice, input, software, parameters, channels, conversation, segments, scores, models, warnings
        case modelsNote = "models_note"
    }

    /// A value from its parts.
    public init(
        input: Input, software: Software = .current, parameters: Parameters, channels: [Channel],
        conversation: ConversationResult? = nil, segments: [SegmentResult] = [], scores: [ModelScore] = [],
        models: [ModelReference] = [], modelsNote: String? = nil, warnings: [String] = []
    ) {
        schema = Self.schemaName
        notice = Self.noticeText
        self.input = input
        self.software = software
        self.parameters = parameters
        self.channels = channels
        self.conversation = conversation
        self.segments = segments
        self.scores = scores
        self.models = models
        self.modelsNote = modelsNote
        self.warnings = warnings
    }

    /// Writes the JSON object of docs/json-schema.md (with `Analysis.jsonBytes()`, in the layout `candor analyze` writes).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schema, forKey: .schema)
        try c.encode(notice, forKey: .notice)
        try c.encode(input, forKey: .input)
        try c.encode(software, forKey: .software)
        try c.encode(parameters, forKey: .parameters)
        try c.encode(channels, forKey: .channels)
        // A pitch-only analysis has none of the speech-level keys.
        guard !parameters.pitchOnly else { return }
        try c.encode(conversation, forKey: .conversation)
        try c.encode(segments, forKey: .segments)
        try c.encode(scores.map { Compact($0) }, forKey: .scores)
        try c.encode(models, forKey: .models)
        try c.encode(modelsNote, forKey: .modelsNote)
        try c.encode(warnings, forKey: .warnings)
    }

    /// Reads the value from its JSON object (the form ``encode(to:)`` writes).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schema = try c.decode(String.self, forKey: .schema)
        notice = try c.decodeIfPresent(String.self, forKey: .notice) ?? ""
        input = try c.decode(Input.self, forKey: .input)
        software = try c.decode(Software.self, forKey: .software)
        parameters = try c.decode(Parameters.self, forKey: .parameters)
        channels = try c.decode([Channel].self, forKey: .channels)
        conversation = try c.decodeIfPresent(ConversationResult.self, forKey: .conversation)
        segments = try c.decodeIfPresent([SegmentResult].self, forKey: .segments) ?? []
        scores = try c.decodeIfPresent([ModelScore].self, forKey: .scores) ?? []
        models = try c.decodeIfPresent([ModelReference].self, forKey: .models) ?? []
        modelsNote = try c.decodeIfPresent(String.self, forKey: .modelsNote)
        warnings = try c.decodeIfPresent([String].self, forKey: .warnings) ?? []
    }

    /// The role of channel `index` ("unknown" when there is no such channel).
    public func role(ofChannel index: Int) -> String {
        channels.first { $0.index == index }?.role ?? "unknown"
    }
}
