import CandorCore

/// One language's catalogue of every text the report shows. A new language is a new instance:
/// the memberwise initialiser makes a missing text a compile error. Templates carry numbered
/// placeholders `{0}`, `{1}`… filled by ``fill(_:_:)``.
public struct ReportStrings: Sendable {
    // Document
    var title: String
    var titleCase: String
    var notComputed: String
    var notComputedCell: String
    var notice: String
    var readingNote: String
    var generatedBy: String
    // Status banner
    var bannerFailed: String
    var bannerDisregard: String
    var bannerOverride: String
    var bannerUnpinned: String
    var bannerNoAudit: String
    var bannerFlagsVoid: String
    // Header
    var caseLabel: String
    var sessionLabel: String
    var recording: String
    var sha256: String
    var format: String
    var duration: String
    var software: String
    var generated: String
    var notRecorded: String
    var hertz: String
    var channelCount: String
    var commit: String
    var unknown: String
    // Timeline and contours
    var timeline: String
    var timelineMissing: String
    var timelineCaption: String
    var timelineRows: String
    var rowNoTurns: String
    var rowSpeech: String
    var rowSegments: String
    var rowOverlaps: String
    var tipTurn: String
    var tipSpeech: String
    var tipPause: String
    var tipOverlap: String
    var tipInterruption: String
    var tipFlagged: String
    var contours: String
    var contoursMissing: String
    var channelHeading: String
    var contourMissing: String
    var contourCaption: String
    // Speakers
    var speakers: String
    var channelMeasures: String
    var speakerHeader: [String]
    var voiceMissing: String
    var monoEstimate: String
    var unreliable: String
    var unreliableNote: String
    // Interview practice
    var practice: String
    var turns: String
    var talkShare: String
    var warning: String
    var backchannels: String
    var latencyMedian: String
    var latencyOver: String
    var overlaps: String
    var overlapsValue: String
    var interruptions: String
    var interruptionItem: String
    var interruptionsFolded: String
    var conversationHeader: [String]
    var conversationMissing: String
    var qualityMissing: String
    var modelLine: String
    var abstained: String
    var noReason: String
    var qualityIndex: String
    var qualityHeader: [String]
    var limitationsOf: String
    // Flags
    var flags: String
    var flagsMissing: String
    var model: String
    var flagSummary: String
    var place: String
    var target: String
    var flagged: String
    var evidenceHeader: [String]
    var baselineText: String
    /// The same for a cue compared on a log scale: geometric mean and SD of the natural logs.
    var baselineLogText: String
    var sdFloor: String
    var zClipped: String
    var none: String
    var zHeader: [String]
    var rateDeclared: String
    var rateMeasured: String
    /// A trained model's flag error rate (no baseline): rate, CI low, CI high, where measured.
    var rateTrained: String
    var ppv: String
    var notAvailable: String
    var restHeader: [String]
    var noFlag: String
    var cardMissing: String
    // Segments
    var segments: String
    var segmentsMissing: String
    var noSegments: String
    var segmentHeader: [String]
    var segmentFeatures: String
    // Audit
    var audit: String
    var auditMissing: String
    var source: String
    var intact: String
    var failed: String
    var notPerformed: String
    var records: String
    var checkpoint: String
    var noCheckpoint: String
    var accesses: String
    var noAccesses: String
    var accessHeader: [String]
    var reviews: String
    var noReviews: String
    var reviewHeader: [String]
    var quarantined: String
    var noQuarantined: String
    var quarantinedNote: String
    var recordHeader: [String]
    var allRecords: String
    // Parameters
    var parameters: String
    var parametersMissing: String
    var parameterHeader: [String]
    // Words
    var roles: [String: String]
    var statuses: [String: String]
    var cues: [String: CueName]
    var fullStop: String
    var dateTime: String
    var listSeparator: String

    /// `template` with `{0}`, `{1}`… replaced by `values`.
    func fill(_ template: String, _ values: String...) -> String { fillTemplate(template, values) }

    /// A cue's readable name with its unit, or the identifier when the catalogue has none.
    func cue(_ id: String) -> String {
        guard let c = cues[id] else { return id }
        return c.unit.isEmpty ? c.name : "\(c.name) (\(c.unit))"
    }

    func role(_ r: String) -> String { roles[r] ?? r }
    func status(_ s: String) -> String { statuses[s] ?? s }
}

/// A feature's name for people, and its unit.
public struct CueName: Sendable {
    public var name: String
    public var unit: String
    /// Shown values are multiplied by this (fractions as percent).
    public var scale: Double

    init(_ name: String, _ unit: String = "", scale: Double = 1) {
        self.name = name
        self.unit = unit
        self.scale = scale
    }
}
