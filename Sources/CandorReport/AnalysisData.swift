import CandorJSON
import CandorCore
import CandorModels
import Foundation

/// A time span in seconds.
public struct TimeSpan: Sendable, Equatable {
    public var start: Double
    public var end: Double
    public init(_ start: Double, _ end: Double) {
        self.start = start
        self.end = end
    }
}

/// A frame track `[[t, v], ...]`; unvoiced / missing values are NaN.
public struct FrameTrack: Sendable {
    public var times: [Double]
    public var values: [Double]
    public var timeStep: Double?
    public init(times: [Double], values: [Double], timeStep: Double? = nil) {
        self.times = times
        self.values = values
        self.timeStep = timeStep
    }
    public var count: Int { times.count }
    /// Value at time `t` by linear interpolation between neighbouring frames (NaN outside,
    /// or when a neighbour is NaN and `t` is not on a frame).
    public func value(at t: Double) -> Double {
        guard !times.isEmpty else { return .nan }
        var lo = 0, hi = times.count - 1
        if t < times[lo] - 1e-9 || t > times[hi] + 1e-9 { return .nan }
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if times[mid] <= t { lo = mid } else { hi = mid }
        }
        if abs(times[lo] - t) < 1e-9 { return values[lo] }
        if abs(times[hi] - t) < 1e-9 { return values[hi] }
        let w = (t - times[lo]) / (times[hi] - times[lo])
        return values[lo] * (1 - w) + values[hi] * w
    }
}

/// A named number (`nil` = present as null or not a number).
public struct NamedValue: Sendable {
    public var name: String
    public var value: Double?
    public var text: String?
    public init(name: String, value: Double?, text: String? = nil) {
        self.name = name
        self.value = value
        self.text = text
    }
}

public struct ChannelTiming: Sendable {
    public var speech: [TimeSpan]
    public var pauses: [TimeSpan]
    /// The scalar timing measures (pause_count, pause_total_s, ...), in document order.
    public var measures: [NamedValue]
}

public struct ChannelData: Sendable {
    public var index: Int
    public var role: String
    public var pitch: FrameTrack?
    public var pitchFloor: Double?
    public var pitchCeiling: Double?
    public var pitchMethod: String?
    public var pitchSummary: [NamedValue]?
    public var intensity: FrameTrack?
    /// The pitch and intensity tracks reduced to the contour's columns while they were read
    /// (`AnalysisData.read(path:frames: .plotted)`); the tracks are then nil.
    public var pitchColumns: [FrameColumn?]?
    public var intensityColumns: [FrameColumn?]?
    public var intensityMean: Double?
    public var voice: [NamedValue]?
    public var timing: ChannelTiming?
    /// Every number and text of the channel's object flattened with dots (`pitch_summary.median_hz`,
    /// `voice.hnr_db`, `timing.pause_count`, …), frame tracks, spans, `index` and `role` left out.
    public var measures: [NamedValue] = []
    /// The speaker name used in turns and segments: the role, or "channel N" when unknown.
    public var speaker: String { role.isEmpty || role == "unknown" ? "channel \(index)" : role }
}

public struct ConversationData: Sendable {
    public var estimate: Bool?
    public var method: String?
    public var speakers: [String]
    public var turns: [Turn]
    public var talkShare: [(speaker: String, share: Double)]
    public var responseLatencies: [Double]
    public var overlaps: [TimeSpan]
    public var interruptions: [Interruption]
    /// `conversation.measures`: the numbers the analysis computed once (nil in older files).
    public var latencyMedian: Double? = nil
    public var backchannels: Int? = nil
    /// Interruption counts by direction (`by → of`).
    public var interruptionCounts: [(by: String, of: String, count: Int)] = []
    /// Talk share per speaker from the measures (else `talk_share`).
    public var measuredTalkShare: [(speaker: String, share: Double)] = []
    /// `conversation.measures` as written: the recording's scalar numbers (in file order)
    /// and each speaker's (`measures.speakers`); read by the conversation CSV.
    public var recordingMeasures: [NamedValue] = []
    public var speakerMeasures: [[NamedValue]] = []
}

/// A score as the report reads it: `CandorModels.ModelScore`.
public typealias ScoreData = ModelScore

extension ModelScore {
    /// True when the model flagged the target for follow-up.
    public var isFlagged: Bool { !abstained && flag != nil && !(flag ?? "").isEmpty }
}

public struct SegmentData: Sendable {
    public var id: String
    public var label: String
    public var speaker: String
    public var start: Double
    public var end: Double
    public var role: String
    public var features: [NamedValue]
    public var scores: [ScoreData]
    /// The segment's `formants` summary flattened as `formants.<key>` (empty when absent).
    public var formants: [NamedValue] = []
}

/// A typed, tolerant view of an analysis JSON document (schema `candor.analysis/1`).
/// Every part other modules add is optional: a missing or malformed part is nil (the report
/// shows "not computed") rather than an error. Only a document that is not JSON, not an
/// object, or of another schema is rejected.
public struct AnalysisData: Sendable {
    public var schema: String
    public var notice: String?
    public var inputPath: String?
    public var inputSHA256: String?
    public var inputBytes: Int?
    public var inputFormat: String?
    public var sampleRate: Int?
    public var channelCount: Int?
    public var duration: Double?
    public var softwareName: String?
    public var softwareVersion: String?
    public var gitCommit: String?
    public var parameters: [NamedValue]
    public var channels: [ChannelData]
    public var conversation: ConversationData?
    public var segments: [SegmentData]?
    public var scores: [ScoreData]?
    /// Room warnings of the analysis (crosstalk, segments measured on the quieter channel).
    public var warnings: [String] = []

    public static let schemaID = "candor.analysis/1"

    /// Parses the bytes of an analysis JSON file. Errors name the problem (the caller adds the path).
    public static func parse(_ bytes: [UInt8]) throws -> AnalysisData {
        let root: JSONNode
        do { root = try JSONReader.parse(bytes) } catch { throw ReportInputError("not valid JSON (\(error))") }
        return try validated(root)
    }

    static func validated(_ root: JSONNode) throws -> AnalysisData {
        guard root.fields != nil else { throw ReportInputError("not an analysis document (the top level is not an object)") }
        guard let schema = root["schema"]?.string else { throw ReportInputError("not an analysis document (no \"schema\")") }
        guard schema == schemaID else { throw ReportInputError("schema \"\(schema)\" is not \(schemaID)") }
        return AnalysisData(root: root, schema: schema)
    }

    /// How much of the frame tracks to keep when reading a file.
    public enum Frames: Sendable {
        /// Every frame (exports need them).
        case all
        /// Only what the report's plots draw: each track reduced to the contour's columns
        /// while it is read, so memory does not grow with the recording's length.
        case plotted
        /// No frame tracks at all (tables of segments and summaries).
        case none
    }

    /// Reads an analysis file, streaming: the text is never held whole. With `.plotted` the
    /// file is read twice (first without frames, to learn the recording's end; then reducing
    /// the frames to the plot's columns).
    public static func read(path: String, frames: Frames = .all) throws -> AnalysisData {
        func pass(_ mode: JSONReader.FrameMode) throws -> AnalysisData {
            guard let f = fopen(path, "rb") else { throw ReportInputError("\(path): cannot read file") }
            defer { fclose(f) }
            let root: JSONNode
            do { root = try JSONReader.parse(file: f, frames: mode) } catch {
                throw ReportInputError("\(path): not valid JSON (\(error))")
            }
            do { return try validated(root) } catch let e as ReportInputError { throw ReportInputError("\(path): \(e.message)") }
        }
        var st = stat()
        if stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { throw ReportInputError("\(path): is a folder, not an analysis file") }
        switch frames {
        case .all: return try pass(.keep)
        case .none: return try pass(.skip)
        case .plotted:
            let outline = try pass(.skip)
            let end = outline.timelineEnd
            guard end > 0 else { return outline }
            return try pass(.reduce(columns: Plots.contourColumns, end: end))
        }
    }

    init(root: JSONNode, schema: String) {
        self.schema = schema
        notice = root["notice"]?.string
        let input = root["input"]
        inputPath = input?["path"]?.string
        inputSHA256 = input?["sha256"]?.string
        inputBytes = input?["bytes"]?.int
        inputFormat = input?["format"]?.string
        sampleRate = input?["sample_rate"]?.int
        channelCount = input?["channels"]?.int
        duration = input?["duration_s"]?.double
        softwareName = root["software"]?["name"]?.string
        softwareVersion = root["software"]?["version"]?.string
        gitCommit = root["software"]?["git_commit"]?.string
        parameters = Self.namedValues(root["parameters"]) ?? []
        channels = (root["channels"]?.array ?? []).enumerated().map { Self.channel($1, position: $0) }
        conversation = root["conversation"].flatMap(Self.conversation)
        segments = root["segments"]?.array.map { $0.compactMap(Self.segment) }
        scores = root["scores"]?.array.map { $0.compactMap(Self.score) }
        warnings = (root["warnings"]?.array ?? []).compactMap(\.string)
    }

    // MARK: - Derived views

    /// End of the recording: `duration_s`, else the last time anywhere in the document.
    public var timelineEnd: Double {
        if let d = duration, d > 0 { return d }
        var end = 0.0
        for c in channels {
            end = max(end, c.pitch?.times.last ?? 0, c.intensity?.times.last ?? 0)
            for s in c.timing?.speech ?? [] { end = max(end, s.end) }
        }
        for t in conversation?.turns ?? [] { end = max(end, t.end) }
        for s in segments ?? [] { end = max(end, s.end) }
        return end
    }

    /// Speakers in a stable order: conversation speakers, then channel roles, then segment speakers.
    public var speakers: [String] {
        var out: [String] = []
        func add(_ s: String) { if !s.isEmpty && !out.contains(s) { out.append(s) } }
        conversation?.speakers.forEach(add)
        channels.forEach { add($0.speaker) }
        conversation?.turns.forEach { add($0.speaker) }
        segments?.forEach { add($0.speaker) }
        return out
    }

    /// Every score: the top-level `scores` plus those only listed under a segment.
    public var allScores: [ScoreData] {
        var out = scores ?? []
        func same(_ a: ScoreData, _ b: ScoreData) -> Bool { a.model == b.model && a.target == b.target && a.modelSHA256 == b.modelSHA256 }
        for seg in segments ?? [] {
            for s in seg.scores where !out.contains(where: { same($0, s) }) { out.append(s) }
        }
        return out
    }

    /// Segment ids flagged for follow-up by any model.
    public var flaggedSegmentIDs: Set<String> {
        Set(allScores.filter(\.isFlagged).map(\.target))
    }

    public func segment(id: String) -> SegmentData? { segments?.first { $0.id == id } }

    // MARK: - Decoding helpers (tolerant)

    static func namedValues(_ node: JSONNode?) -> [NamedValue]? {
        guard let fields = node?.fields else { return nil }
        return fields.compactMap { key, v in
            switch v {
            case .number(let d): return NamedValue(name: key, value: d.isFinite ? d : nil)
            case .null: return NamedValue(name: key, value: nil)
            case .string(let s): return NamedValue(name: key, value: nil, text: s)
            case .bool(let b): return NamedValue(name: key, value: nil, text: b ? "true" : "false")
            default: return nil
            }
        }
    }

    /// Like `namedValues`, but nested objects are flattened with dotted names
    /// (`{"timing": {"pause_count": 2}}` → `timing.pause_count`); arrays are skipped.
    static func flatNamedValues(_ node: JSONNode?, prefix: String = "", depth: Int = 0) -> [NamedValue]? {
        guard let fields = node?.fields else { return nil }
        var out: [NamedValue] = []
        for (key, v) in fields {
            let name = prefix + key
            if case .object = v {
                if depth < 4 { out += flatNamedValues(v, prefix: name + ".", depth: depth + 1) ?? [] }
            } else if let nv = namedValues(.object([(name, v)]))?.first {
                out.append(nv)
            }
        }
        return out
    }

    static func spans(_ node: JSONNode?) -> [TimeSpan]? {
        guard let cols = node?.pairColumns else { return nil }
        return zip(cols.a, cols.b).compactMap { a, b in a.isFinite && b.isFinite && b >= a ? TimeSpan(a, b) : nil }
    }

    static func track(_ node: JSONNode?) -> FrameTrack? {
        guard let n = node, let cols = n["frames"]?.pairColumns else { return nil }
        // Frames must have finite, non-decreasing times; drop any that do not.
        var t: [Double] = [], v: [Double] = []
        t.reserveCapacity(cols.a.count)
        v.reserveCapacity(cols.a.count)
        var last = -Double.infinity
        for i in 0..<cols.a.count where cols.a[i].isFinite && cols.a[i] >= last {
            last = cols.a[i]
            t.append(cols.a[i])
            v.append(cols.b[i])
        }
        return FrameTrack(times: t, values: v, timeStep: n["time_step_s"]?.double)
    }

    static func channel(_ node: JSONNode, position: Int) -> ChannelData {
        var c = ChannelData(index: node["index"]?.int ?? position, role: node["role"]?.string ?? "unknown")
        c.pitch = track(node["pitch"])
        if case .columns(let cols)? = node["pitch"]?["frames"] { c.pitchColumns = cols }
        if case .columns(let cols)? = node["intensity"]?["frames"] { c.intensityColumns = cols }
        c.pitchFloor = node["pitch"]?["floor_hz"]?.double
        c.pitchCeiling = node["pitch"]?["ceiling_hz"]?.double
        c.pitchMethod = node["pitch"]?["method"]?.string
        c.pitchSummary = namedValues(node["pitch_summary"])
        c.intensity = track(node["intensity"])
        c.intensityMean = node["intensity"]?["mean_db"]?.double
        c.voice = namedValues(node["voice"])
        // Frame tracks read as null when skipped (a count such as pitch_summary.frames stays).
        c.measures = (flatNamedValues(node) ?? []).filter {
            $0.name != "index" && $0.name != "role" && !($0.name.hasSuffix(".frames") && $0.value == nil && $0.text == nil)
        }
        if let t = node["timing"], t.fields != nil {
            let measures = (namedValues(t) ?? []).filter { $0.name != "speech" && $0.name != "pauses" }
            c.timing = ChannelTiming(speech: spans(t["speech"]) ?? [], pauses: spans(t["pauses"]) ?? [], measures: measures)
        }
        return c
    }

    static func conversation(_ node: JSONNode) -> ConversationData? {
        guard node.fields != nil else { return nil }
        let turns: [Turn] = (node["turns"]?.array ?? []).compactMap { t in
            guard let s = t["speaker"]?.string, let a = t["start"]?.double, let b = t["end"]?.double, b >= a else { return nil }
            return Turn(speaker: s, start: a, end: b)
        }
        let share: [(speaker: String, share: Double)] = (node["talk_share"]?.fields ?? []).compactMap { k, v in
            v.double.map { (k, $0) }
        }
        let interruptions: [Interruption] = (node["interruptions"]?.array ?? []).compactMap { i in
            guard let t = i["time"]?.double else { return nil }
            return Interruption(
                speaker: i["speaker"]?.string ?? "", interrupted: i["interrupted"]?.string ?? "", time: t,
                overlapS: i["overlap_s"]?.double ?? 0, tookFloor: i["took_floor"]?.bool ?? false)
        }
        var c = ConversationData(
            estimate: node["estimate"]?.bool, method: node["method"]?.string,
            speakers: (node["speakers"]?.array ?? []).compactMap(\.string), turns: turns, talkShare: share,
            responseLatencies: (node["response_latencies_s"]?.array ?? []).compactMap(\.double),
            overlaps: spans(node["overlaps"]) ?? [], interruptions: interruptions)
        if let m = node["measures"], m.fields != nil {
            c.latencyMedian = m["response_latency_median_s"]?.double
            c.backchannels = m["backchannels"]?.int
            c.interruptionCounts = (m["interruptions_by_direction"]?.array ?? []).compactMap { d in
                guard let by = d["by"]?.string, let of = d["of"]?.string, let n = d["count"]?.int else { return nil }
                return (by, of, n)
            }
            c.recordingMeasures = namedValues(m) ?? []
            c.speakerMeasures = (m["speakers"]?.array ?? []).compactMap { namedValues($0) }
            c.measuredTalkShare = (m["speakers"]?.array ?? []).compactMap { s in
                guard let name = s["speaker"]?.string, let v = s["talk_share"]?.double else { return nil }
                return (name, v)
            }
        }
        return c
    }

    static func score(_ node: JSONNode) -> ScoreData? {
        guard let model = node["model"]?.string else { return nil }
        let contributions: [Contribution] = (node["contributions"]?.array ?? []).compactMap { c in
            guard let f = c["feature"]?.string else { return nil }
            return Contribution(
                feature: f, value: c["value"]?.double, z: c["z"]?.double, weight: c["weight"]?.double,
                contribution: c["contribution"]?.double, status: c["status"]?.string,
                targetLow: c["target_low"]?.double, targetHigh: c["target_high"]?.double,
                unit: c["unit"]?.string, source: c["source"]?.string, evidence: c["evidence"]?.string,
                note: c["note"]?.string, baseline: c["baseline"].flatMap(CueBaseline.init(reading:)))
        }
        return ScoreData(
            model: model, modelVersion: node["model_version"]?.string ?? "", modelSHA256: node["model_sha256"]?.string ?? "",
            target: node["target"]?.string ?? "", value: node["value"]?.double, flag: node["flag"]?.string,
            contributions: contributions, abstained: node["abstained"]?.bool ?? false, reason: node["reason"]?.string,
            topCues: (node["top_cues"]?.array ?? []).compactMap(\.string),
            evidence: node["evidence"].flatMap(FlagEvidence.init(reading:)))
    }

    static func segment(_ node: JSONNode) -> SegmentData? {
        guard let a = node["start"]?.double, let b = node["end"]?.double, b >= a else { return nil }
        return SegmentData(
            id: node["id"]?.string ?? node["id"]?.int.map(String.init) ?? "", label: node["label"]?.string ?? "",
            speaker: node["speaker"]?.string ?? "", start: a, end: b, role: node["role"]?.string ?? "other",
            features: flatNamedValues(node["features"]) ?? [], scores: (node["scores"]?.array ?? []).compactMap(score),
            formants: flatNamedValues(node["formants"], prefix: "formants.") ?? [])
    }
}

/// An input that is not a usable analysis document; `message` is one line.
public struct ReportInputError: CandorError, Sendable {
    public var exitStatus: ExitStatus { .invalidInput }
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
