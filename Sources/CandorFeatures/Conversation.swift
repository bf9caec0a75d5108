#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A turn: a stretch during which one speaker holds the floor.
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
        try c.encode(roundMs(start), forKey: .start)
        try c.encode(roundMs(end), forKey: .end)
    }
    enum CodingKeys: String, CodingKey { case speaker, start, end }
}

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
    enum CodingKeys: String, CodingKey {
        case speaker, interrupted, time
        case overlapS = "overlap_s"
        case tookFloor = "took_floor"
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(speaker, forKey: .speaker)
        try c.encode(interrupted, forKey: .interrupted)
        try c.encode(roundMs(time), forKey: .time)
        try c.encode(roundMs(overlapS), forKey: .overlapS)
        try c.encode(tookFloor, forKey: .tookFloor)
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
    public init() {}
}

public enum ConversationAnalysis {
    /// Removes cross-talk bleed (each microphone also picks up the other speakers).
    ///
    /// For each ordered pair (j → k) the coupling `att[j→k]` is the median of
    /// `level_j − level_k` over the frames where j is speech: bleed reaches k that much
    /// weaker. A frame of k's speech is bleed when another channel j is speech there and k's
    /// level is within `bleedMarginDb` of what j's bleed alone would give
    /// (`level_k < level_j − att[j→k] + bleedMarginDb`). When the coupling is weaker than
    /// `minCouplingDb` (the channels are near copies), the fixed rule applies instead:
    /// bleed when `level_k < level_j − bleedDb`. Returns the cleaned speech per channel.
    public static func suppressBleed(_ channels: [ConversationChannel],
                                     config: ConversationConfig = ConversationConfig()) -> [[Span]] {
        guard channels.count > 1, channels[0].level.grid.count > 0 else { return channels.map(\.speech) }
        let g = channels[0].level.grid
        let masks = channels.map { spanMask($0.speech, grid: g) }
        let levels = commonLevels(channels)
        let offset = ownVoiceOffsets(bleedCoupling(levels: levels, masks: masks), config: config)
        let kept = ownSpeech(levels: levels, masks: masks, offset: offset, dt: g.dt, config: config)
        return channels.indices.map { k in
            frameRuns(kept[k]).compactMap { bleedFreeSpan($0, grid: g, original: channels[k].speech, config: config) }
        }
    }

    /// Bleed threshold offset per pair: k's frame is bleed when level_k < level_j − offset[j][k].
    static func bleedOffsets(_ att: [[Double?]], config: ConversationConfig) -> [[Float]] {
        let nc = att.count
        var offset = [[Float]](repeating: [Float](repeating: 0, count: nc), count: nc)
        for j in 0..<nc {
            for k in 0..<nc where k != j {
                if let a = att[j][k], a >= config.minCouplingDb {
                    offset[j][k] = Float(a - config.bleedMarginDb)
                } else {
                    offset[j][k] = Float(config.bleedDb)
                }
            }
        }
        return offset
    }

    /// Each channel's speech mask with the bleed removed, over frames of a common grid
    /// (the whole recording, or a window of it: every rule here looks at most at the
    /// noise-floor window and at the speech stretch around a frame).
    static func ownSpeech(levels: [[Float]], masks: [[Bool]], offset: [[Float]], dt: Double,
                          config: ConversationConfig) -> [[Bool]] {
        let nc = levels.count
        let n = masks.first?.count ?? 0
        let floors = levels.map { VoiceActivity.levels($0.map { max($0, 0) }, dt: dt, config: VoiceActivityConfig()).floor }
        var result: [[Bool]] = []
        for k in 0..<nc {
            // Per frame of k's speech: bleed, own, or unknown (k carries no energy above its
            // own noise floor there, e.g. a stop closure, or a weak stretch of the other voice
            // whose bleed sinks into k's noise); unknown frames take the label of the nearest
            // known frame.
            var label = [Int8](repeating: 0, count: n)  // 1 own, -1 bleed, 0 unknown
            for i in 0..<n where masks[k][i] {
                var l: Int8 = levels[k][i] >= floors[k][i] + 6 ? 1 : 0
                for j in 0..<nc where j != k && masks[j][i] && levels[j][i] >= floors[j][i] + 6 {
                    if levels[j][i] - levels[k][i] > offset[j][k] { l = -1; break }
                }
                label[i] = l
            }
            var bleed = [Bool](repeating: false, count: n)
            for r in frameRuns(masks[k]) {
                var last: Int8 = 0
                var firstKnown: Int8 = 0
                for i in r {
                    if label[i] != 0 { last = label[i]; if firstKnown == 0 { firstKnown = last } }
                    bleed[i] = (label[i] != 0 ? label[i] : last) == -1
                }
                // Leading unknown frames take the first known label.
                for i in r { if label[i] != 0 { break }; bleed[i] = firstKnown == -1 }
            }
            // Short bleed-like dips inside k's own speech (a weak consonant against the other
            // speaker's vowel during an overlap) are not bleed: only runs of at least
            // `minBleedS`, or runs touching the edge of a speech stretch, are removed.
            var m = masks[k]
            let minBleed = Int((config.minBleedS / dt).rounded())
            for r in frameRuns(bleed) {
                let inside = r.lowerBound > 0 && r.upperBound < n
                    && masks[k][r.lowerBound - 1] && masks[k][r.upperBound]
                if r.count >= minBleed || !inside { for i in r { m[i] = false } }
            }
            result.append(m)
        }
        return result
    }

    /// The span of a run of bleed-free frames (nil when shorter than `minFragmentS`), keeping
    /// the original speech boundaries where a span edge survives.
    static func bleedFreeSpan(_ r: Range<Int>, grid g: FrameGrid, original: [Span], config: ConversationConfig) -> Span? {
        guard r.count >= Int((config.minFragmentS / g.dt).rounded()) else { return nil }
        let s = g.time(r.lowerBound) - g.dt / 2, e = g.time(r.upperBound - 1) + g.dt / 2
        let orig = spanContaining(original, from: s + g.dt, to: e - g.dt)
        let start = orig.map { abs($0.start - s) <= g.dt ? $0.start : s } ?? s
        let end = orig.map { abs($0.end - e) <= g.dt ? $0.end : e } ?? e
        return Span(start, end)
    }

    /// Every channel's level on the first channel's grid.
    static func commonLevels(_ channels: [ConversationChannel]) -> [[Float]] {
        let g = channels[0].level.grid
        return channels.map { ch in
            if ch.level.grid == g { return ch.level.db }
            return (0..<g.count).map { ch.level.db.isEmpty ? -100 : ch.level.db[ch.level.grid.nearest(g.time($0))] }
        }
    }

    /// `[j][k]`: the median of level_j − level_k (dB) over j's speech frames, i.e. how much
    /// weaker j's voice reaches k's microphone; nil with fewer than 10 speech frames.
    static func coupling(levels: [[Float]], masks: [[Bool]]) -> [[Double?]] {
        let nc = levels.count
        var out = [[Double?]](repeating: [Double?](repeating: nil, count: nc), count: nc)
        for j in 0..<nc {
            for k in 0..<nc where k != j {
                var diffs: [Float] = []
                for i in masks[j].indices where masks[j][i] { diffs.append(levels[j][i] - levels[k][i]) }
                guard diffs.count >= 10 else { continue }
                diffs.sort()
                out[j][k] = Double(percentileSorted(diffs, 0.5))
            }
        }
        return out
    }

    /// True when the channels carry the same sound (every measurable coupling is weaker than
    /// `copyCouplingDb` in absolute value): a mono recording stored as several channels, where
    /// one speaker per channel cannot be assumed.
    public static func channelsAreCopies(_ channels: [ConversationChannel],
                                         config: ConversationConfig = ConversationConfig()) -> Bool {
        guard channels.count > 1, channels[0].level.grid.count > 0 else { return false }
        let att = coupling(levels: commonLevels(channels), masks: channels.map { spanMask($0.speech, grid: channels[0].level.grid) })
        return areCopies(att, config: config)
    }

    /// True when every measurable coupling is weaker than `copyCouplingDb` (see `channelsAreCopies`).
    static func areCopies(_ att: [[Double?]], config: ConversationConfig) -> Bool {
        let known = att.flatMap { $0.compactMap { $0 } }
        return !known.isEmpty && known.allSatisfy { abs($0) < config.copyCouplingDb }
    }

    /// Conversation over one-speaker-per-channel recordings: suppresses bleed, then finds
    /// turns, talk share, latencies, overlaps and interruptions.
    public static func analyze(channels: [ConversationChannel],
                               config: ConversationConfig = ConversationConfig()) -> Conversation {
        let speech = suppressBleed(channels, config: config)
        return analyze(speakers: channels.map(\.role), speech: speech, estimate: false, method: "channels", config: config)
    }

    /// Conversation from already separated speech per speaker.
    ///
    /// Turns: all speech stretches in start order; a speaker's stretches join into one turn
    /// until another speaker starts a stretch that outlasts the current turn (that speaker
    /// takes the floor). Another speaker's stretch that ends inside the current turn
    /// (a backchannel) is an overlap and an interruption without a floor change.
    public static func analyze(speakers: [String], speech: [[Span]], estimate: Bool, method: String,
                               config: ConversationConfig = ConversationConfig()) -> Conversation {
        var events: [(speaker: Int, span: Span)] = []
        for (k, spans) in speech.enumerated() { for s in spans { events.append((k, s)) } }
        events.sort { $0.span.start != $1.span.start ? $0.span.start < $1.span.start : $0.speaker < $1.speaker }

        var turns: [(speaker: Int, start: Double, end: Double)] = []
        var interruptions: [Interruption] = []
        for ev in events {
            guard var cur = turns.last else {
                turns.append((ev.speaker, ev.span.start, ev.span.end))
                continue
            }
            if ev.speaker == cur.speaker {
                cur.end = max(cur.end, ev.span.end)
                turns[turns.count - 1] = cur
                continue
            }
            // Is the floor holder speaking at this moment (mid-turn)?
            let holderSpeaking = spanContaining(speech[cur.speaker], from: ev.span.start, to: ev.span.start, openEnd: true)
            if let h = holderSpeaking {
                let overlap = min(h.end, ev.span.end) - ev.span.start
                if overlap >= config.minOverlapS {
                    interruptions.append(Interruption(
                        speaker: speakers[ev.speaker], interrupted: speakers[cur.speaker], time: ev.span.start,
                        overlapS: overlap, tookFloor: ev.span.end > cur.end))
                }
            }
            if ev.span.end > cur.end {
                turns.append((ev.speaker, ev.span.start, ev.span.end))
            }
        }

        var transitions: [Transition] = []
        for (a, b) in zip(turns, turns.dropFirst()) where a.speaker != b.speaker {
            transitions.append(Transition(from: speakers[a.speaker], to: speakers[b.speaker],
                                          previousEnd: a.end, nextStart: b.start, latencyS: b.start - a.end))
        }
        let lower = speakers.map { $0.lowercased() }
        let asks = lower.contains("interviewer") && lower.contains("interviewee")
        let latencies = transitions.filter {
            !asks || ($0.from.lowercased() == "interviewer" && $0.to.lowercased() == "interviewee")
        }.map(\.latencyS)

        let times = speech.map(totalDuration)
        let all = times.reduce(0, +)
        var share: [String: Double] = [:]
        for (k, name) in speakers.enumerated() { share[name] = all > 0 ? times[k] / all : 0 }

        return Conversation(
            estimate: estimate, method: method, speakers: speakers,
            turns: turns.map { Turn(speaker: speakers[$0.speaker], start: $0.start, end: $0.end) },
            talkShare: share, responseLatenciesS: latencies, transitions: transitions,
            overlaps: overlapSpans(speech, minS: config.minOverlapS), interruptions: interruptions,
            speech: speech).separatingBackchannels(config: config)
    }

    /// Stretches where at least two speakers talk at once (sweep over span edges).
    static func overlapSpans(_ speech: [[Span]], minS: Double) -> [Span] {
        var edges: [(t: Double, d: Int)] = []
        for spans in speech { for s in spans { edges.append((s.start, 1)); edges.append((s.end, -1)) } }
        edges.sort { $0.t != $1.t ? $0.t < $1.t : $0.d < $1.d }
        var active = 0
        var out: [Span] = []
        var since = 0.0
        for e in edges {
            let before = active
            active += e.d
            if before < 2 && active >= 2 { since = e.t }
            if before >= 2 && active < 2 && e.t - since >= minS { out.append(Span(since, e.t)) }
        }
        return out
    }
}

/// The span of sorted, disjoint `spans` with start ≤ `from` and end ≥ `to` (end > `to`
/// when `openEnd`), by binary search.
func spanContaining(_ spans: [Span], from: Double, to: Double, openEnd: Bool = false) -> Span? {
    var lo = 0, hi = spans.count
    while lo < hi {  // first span with start > from
        let mid = (lo + hi) / 2
        if spans[mid].start <= from { lo = mid + 1 } else { hi = mid }
    }
    guard lo > 0 else { return nil }
    let c = spans[lo - 1]
    return (openEnd ? c.end > to : c.end >= to) ? c : nil
}

// MARK: - Mono two-speaker fallback

public struct MonoDiarizationConfig: Sendable, Codable, Equatable {
    /// Labels are smoothed by a majority vote over this window (s).
    public var smoothingS: Double = 0.6
    /// Weight of log-F0 against each spectral-shape band (all standardised).
    public var f0Weight: Double = 2
    public var iterations: Int = 30
    public init() {}
}

extension ConversationAnalysis {
    /// Two-speaker estimate for a mono recording: k-means (k = 2) on the voiced speech
    /// frames' standardised log F0 and spectral shape (`SpeechFrames.shape`), labels spread
    /// to unvoiced speech frames from the nearest voiced frame, majority-smoothed over
    /// `smoothingS`, then the usual turn analysis. The result has `estimate: true`.
    ///
    /// - speakers: names for the two clusters in order of first appearance (e.g. the
    ///   `--roles` list); default `speaker_1`, `speaker_2`.
    /// - pitch: the pitch track when available (else `frames.f0` where periodic).
    public static func analyzeMono(frames: SpeechFrames, speech: [Span], pitch: PitchTrack? = nil,
                                   speakers: [String] = ["speaker_1", "speaker_2"],
                                   config: MonoDiarizationConfig = MonoDiarizationConfig(),
                                   vadConfig: VoiceActivityConfig = VoiceActivityConfig(),
                                   conversationConfig: ConversationConfig = ConversationConfig()) -> Conversation {
        let g = frames.grid
        let mask = spanMask(speech, grid: g)
        let nb = SpeechFrames.shapeBands
        // Voiced speech frames and their features.
        var idx: [Int] = []
        var feats: [Double] = []  // flat, 1 + nb values per voiced frame
        for i in 0..<g.count where mask[i] {
            var f0 = 0.0
            if let pitch { f0 = Double(pitch.f0(at: g.time(i))) } else if Double(frames.periodicity[i]) >= vadConfig.periodicityThreshold {
                f0 = Double(frames.f0[i])
            }
            guard f0 > 0 else { continue }
            appendMonoFeatures(&feats, f0: f0, shape: frames.shape, frame: i)
            idx.append(i)
        }
        var labels = [Int](repeating: -1, count: g.count)
        if idx.count >= 2 {
            let model = kMeans2(consume feats, dimensions: 1 + nb, f0Weight: config.f0Weight, iterations: config.iterations)
            for (j, i) in idx.enumerated() { labels[i] = model.assign[j] }
        }
        let smooth = smoothLabels(mask: mask, labels: labels, half: monoHalf(config, dt: g.dt))
        let perCluster = (0..<2).map { c in
            let m = (0..<g.count).map { mask[$0] && smooth[$0] == c }
            return VoiceActivity.cleanUp(m, voiced: m, grid: g, config: vadConfig)
        }
        return monoConversation(perCluster, speakers: speakers, config: conversationConfig)
    }

    /// `analyzeMono` over a channel's frame source, in chunks (`TimingChunking`).
    ///
    /// The k-means is fitted on every voiced speech frame when there are at most
    /// `chunking.maxClusterFrames` (then the result equals the in-memory form), else on a
    /// uniform stride subsample of them, every voiced frame then taking its nearest centre.
    /// Label spreading and majority smoothing are local and run on windows of the chunk plus
    /// `chunking.marginS` each side: identical unless the nearest voiced frame of an
    /// unvoiced speech frame lies beyond the margin.
    static func analyzeMono(source: ChannelFrameSource, speech: [Span], speakers: [String],
                            config: MonoDiarizationConfig, vadConfig: VoiceActivityConfig,
                            conversationConfig: ConversationConfig, chunking: TimingChunking) throws -> Conversation {
        let g = source.grid
        let nb = SpeechFrames.shapeBands
        let maxFit = max(2, chunking.maxClusterFrames)
        let th = Float(vadConfig.periodicityThreshold)
        // The f0 feature of frame j of loaded frames (0: not used for clustering).
        func f0(_ f: ChannelFrames, _ j: Int) -> Double {
            if f.pitch.grid.count > 0 { return Double(f.pitch.f0[j]) }
            return f.speech.periodicity[j] >= th ? Double(f.speech.f0[j]) : 0
        }
        // Voiced speech frames in order: count them (`stride` 0), or collect the features of
        // every `stride`-th one into an exactly sized buffer.
        func collect(stride: Int, rows: Int = 0) throws -> (count: Int, feats: [Double]) {
            var count = 0
            var feats: [Double] = []
            feats.reserveCapacity(rows * (1 + nb))
            for (core, _) in ChunkPlan(count: g.count, core: chunking.coreFrames(dt: g.dt, count: g.count), margin: 0).chunks {
                let f = try source.loadChecked(core)
                let mask = spanMask(speech, grid: g, range: core)
                for j in 0..<core.count where mask[j] {
                    let v = f0(f, j)
                    guard v > 0 else { continue }
                    if stride > 0 && count % stride == 0 { appendMonoFeatures(&feats, f0: v, shape: f.speech.shape, frame: j) }
                    count += 1
                }
            }
            return (count, feats)
        }
        let voicedCount = try collect(stride: 0).count
        let fitAll = voicedCount <= maxFit
        var model: KMeans2Model? = nil
        if voicedCount >= 2 {
            let stride = fitAll ? 1 : (voicedCount + maxFit - 1) / maxFit
            let feats = try collect(stride: stride, rows: (voicedCount + stride - 1) / stride).feats
            model = kMeans2(consume feats, dimensions: 1 + nb, f0Weight: config.f0Weight, iterations: config.iterations)
        }
        let half = monoHalf(config, dt: g.dt)
        let plan = ChunkPlan(grid: g, chunking: chunking, minMarginS: 2 * config.smoothingS + 1)
        var out = [SpanBuilder](repeating: SpanBuilder(grid: g, config: vadConfig), count: 2)
        var ordinal = 0  // voiced speech frames before the current core
        var row = [Double](repeating: 0, count: 1 + nb)
        for (core, window) in plan.chunks {
            let f = try source.loadChecked(window)
            let mask = spanMask(speech, grid: g, range: window)
            let w0 = window.lowerBound
            var labels = [Int](repeating: -1, count: window.count)
            if let model {
                var o = ordinal - (0..<(core.lowerBound - w0)).reduce(0) { $0 + (mask[$1] && f0(f, $1) > 0 ? 1 : 0) }
                for j in 0..<window.count where mask[j] {
                    let v = f0(f, j)
                    guard v > 0 else { continue }
                    if fitAll {
                        labels[j] = model.assign[o]
                    } else {
                        row[0] = log2(v)
                        for b in 0..<nb { row[1 + b] = Double(f.speech.shape[j * nb + b]) }
                        labels[j] = model.label(row)
                    }
                    if core.contains(j + w0) { ordinal += 1 }
                    o += 1
                }
            }
            let smooth = smoothLabels(mask: mask, labels: labels, half: half)
            for i in core {
                let j = i - w0
                for c in 0..<2 {
                    let on = mask[j] && smooth[j] == c
                    out[c].push(on, voiced: on)
                }
            }
        }
        return monoConversation(out.map { var b = $0; return b.finish() }, speakers: speakers, config: conversationConfig)
    }

    /// Appends a voiced frame's clustering features: log2 F0 and its spectral shape.
    static func appendMonoFeatures(_ feats: inout [Double], f0: Double, shape: [Float], frame i: Int) {
        let nb = SpeechFrames.shapeBands
        feats.append(log2(f0))
        for b in 0..<nb { feats.append(Double(shape[i * nb + b])) }
    }

    /// Half-width (frames) of the label majority vote.
    static func monoHalf(_ config: MonoDiarizationConfig, dt: Double) -> Int {
        max(1, Int((config.smoothingS / dt / 2).rounded()))
    }

    /// Cluster labels of speech frames: voiced frames' labels (`labels`, −1 elsewhere) spread
    /// to unvoiced speech frames from the nearest labelled frame, then majority-smoothed over
    /// ±`half` frames counting speech frames only. Meaningful where `mask` is set.
    static func smoothLabels(mask: [Bool], labels: [Int], half: Int) -> [Int] {
        let n = mask.count
        // Spread to unvoiced speech frames from the nearest labelled frame (two passes).
        var lastLabel = -1, lastPos = -1_000_000
        var fwd = [(Int, Int)](repeating: (-1, Int.max), count: n)
        for i in 0..<n {
            if labels[i] >= 0 { lastLabel = labels[i]; lastPos = i }
            if lastLabel >= 0 { fwd[i] = (lastLabel, i - lastPos) }
        }
        lastLabel = -1; lastPos = 1_000_000_000
        var filled = [Int](repeating: -1, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) {
            if labels[i] >= 0 { lastLabel = labels[i]; lastPos = i }
            guard mask[i] else { continue }
            let back = lastLabel >= 0 ? (lastLabel, lastPos - i) : (-1, Int.max)
            filled[i] = fwd[i].1 <= back.1 ? fwd[i].0 : back.0
            if filled[i] < 0 { filled[i] = 0 }
        }
        // Majority smoothing over the window, counting speech frames only (running counts).
        var smooth = filled
        var c0 = 0, c1 = 0
        func add(_ i: Int, _ d: Int) { if filled[i] == 0 { c0 += d } else if filled[i] == 1 { c1 += d } }
        for i in 0..<min(n, half) { add(i, 1) }
        for i in 0..<n {
            if i + half < n { add(i + half, 1) }
            if i - half - 1 >= 0 { add(i - half - 1, -1) }
            if mask[i] { smooth[i] = c1 > c0 ? 1 : (c0 > c1 ? 0 : filled[i]) }
        }
        return smooth
    }

    /// The mono estimate's conversation from the two clusters' speech, clusters named by
    /// order of first appearance.
    static func monoConversation(_ perCluster: [[Span]], speakers: [String], config: ConversationConfig) -> Conversation {
        let names = speakers.count >= 2 ? Array(speakers.prefix(2)) : ["speaker_1", "speaker_2"]
        let first0 = perCluster[0].first?.start ?? .infinity, first1 = perCluster[1].first?.start ?? .infinity
        let ordered = first0 <= first1 ? perCluster : [perCluster[1], perCluster[0]]
        return analyze(speakers: names, speech: ordered, estimate: true, method: "mono-clustering", config: config)
    }

    /// k-means with k = 2 on standardised features (`x` flat, `dimensions` per row; column 0
    /// weighted by `f0Weight`), started from the lower and upper halves of column 0.
    /// Deterministic; O(rows · dimensions · iterations).
    /// `x` is standardised in place (no copy when the caller gives it up).
    static func kMeans2(_ x: consuming [Double], dimensions d: Int, f0Weight: Double, iterations: Int) -> KMeans2Model {
        var z = consume x
        let n = z.count / d
        var mean = [Double](repeating: 0, count: d), sd = mean
        for r in 0..<n { for j in 0..<d { mean[j] += z[r * d + j] } }
        for j in 0..<d { mean[j] /= Double(n) }
        for r in 0..<n { for j in 0..<d { let v = z[r * d + j] - mean[j]; sd[j] += v * v } }
        for j in 0..<d { sd[j] = max(1e-9, (sd[j] / Double(n)).squareRoot()) }
        for r in 0..<n { for j in 0..<d { z[r * d + j] = (z[r * d + j] - mean[j]) / sd[j] * (j == 0 ? f0Weight : 1) } }
        var col0 = (0..<n).map { z[$0 * d] }
        col0.sort()
        let median = col0[n / 2]
        var assign = (0..<n).map { z[$0 * d] < median ? 0 : 1 }
        var cent = [Double](repeating: 0, count: 2 * d)
        var centresValid = false  // `cent` are the centres `assign` is nearest to
        for _ in 0..<iterations {
            centresValid = false
            for j in cent.indices { cent[j] = 0 }
            var cnt = [0, 0]
            for r in 0..<n {
                let c = assign[r]
                cnt[c] += 1
                for j in 0..<d { cent[c * d + j] += z[r * d + j] }
            }
            guard cnt[0] > 0, cnt[1] > 0 else { break }
            for c in 0..<2 { for j in 0..<d { cent[c * d + j] /= Double(cnt[c]) } }
            centresValid = true
            var changed = false
            for r in 0..<n {
                var d0 = 0.0, d1 = 0.0
                for j in 0..<d {
                    let v = z[r * d + j]
                    d0 += (v - cent[j]) * (v - cent[j])
                    d1 += (v - cent[d + j]) * (v - cent[d + j])
                }
                let a = d1 < d0 ? 1 : 0
                if a != assign[r] { assign[r] = a; changed = true }
            }
            if !changed { break }
        }
        if !centresValid {
            // Degenerate split: the final clusters' means; an empty cluster is never nearest.
            var cnt = [0, 0]
            for j in cent.indices { cent[j] = 0 }
            for r in 0..<n { cnt[assign[r]] += 1; for j in 0..<d { cent[assign[r] * d + j] += z[r * d + j] } }
            for c in 0..<2 { for j in 0..<d { cent[c * d + j] = cnt[c] > 0 ? cent[c * d + j] / Double(cnt[c]) : .infinity } }
        }
        return KMeans2Model(mean: mean, sd: sd, f0Weight: f0Weight, centres: cent, assign: assign)
    }
}

/// A fitted two-means clustering (`ConversationAnalysis.kMeans2`).
struct KMeans2Model {
    var mean: [Double]
    var sd: [Double]
    var f0Weight: Double
    /// Two centres of standardised features, flat.
    var centres: [Double]
    /// The fitted rows' clusters.
    var assign: [Int]

    /// The nearest centre of a new row (standardised as the fitted rows).
    func label(_ x: [Double]) -> Int {
        let d = mean.count
        var d0 = 0.0, d1 = 0.0
        for j in 0..<d {
            let v = (x[j] - mean[j]) / sd[j] * (j == 0 ? f0Weight : 1)
            d0 += (v - centres[j]) * (v - centres[j])
            d1 += (v - centres[d + j]) * (v - centres[d + j])
        }
        return d1 < d0 ? 1 : 0
    }
}

// MARK: - Frame sources (chunked)

extension ConversationAnalysis {
    /// `commonLevels` over frames `window` of the first source's grid: each channel's band
    /// energy (`SpeechFrames.bandDb`), by nearest frame when its grid differs.
    static func commonLevels(_ sources: [ChannelFrameSource], window: Range<Int>) throws -> [[Float]] {
        let g = sources[0].grid
        return try sources.map { s in
            if s.grid == g { return try s.loadChecked(window).speech.bandDb }
            guard s.grid.count > 0, !window.isEmpty else { return [Float](repeating: -100, count: window.count) }
            let lo = s.grid.nearest(g.time(window.lowerBound)), hi = s.grid.nearest(g.time(window.upperBound - 1))
            let db = try s.loadChecked(min(lo, hi)..<(max(lo, hi) + 1)).speech.bandDb
            return window.map { db[s.grid.nearest(g.time($0)) - min(lo, hi)] }
        }
    }

    /// `coupling(levels:masks:)` of channels given as frame sources and their speech,
    /// exactly (the medians by `ExactQuantile`: two passes over the frames, 256 KB per
    /// ordered pair of channels whatever the length).
    static func coupling(sources: [ChannelFrameSource], speech: [[Span]], chunking: TimingChunking) throws -> [[Double?]] {
        let nc = sources.count
        var out = [[Double?]](repeating: [Double?](repeating: nil, count: nc), count: nc)
        let g = sources[0].grid
        guard nc > 1, g.count > 0 else { return out }
        var q = [[ExactQuantile]](repeating: [], count: nc)
        for j in 0..<nc { q[j] = (0..<nc).map { _ in ExactQuantile(q: 0.5) } }
        let plan = ChunkPlan(count: g.count, core: chunking.coreFrames(dt: g.dt, count: g.count), margin: 0)
        func pass(_ body: (Int, Int, Float) -> Void) throws {
            for (core, _) in plan.chunks {
                let levels = try commonLevels(sources, window: core)
                let masks = speech.map { spanMask($0, grid: g, range: core) }
                for j in 0..<nc {
                    for k in 0..<nc where k != j {
                        for i in 0..<core.count where masks[j][i] { body(j, k, levels[j][i] - levels[k][i]) }
                    }
                }
            }
        }
        try pass { j, k, v in q[j][k].add(v) }
        var refine = false
        for j in 0..<nc { for k in 0..<nc where k != j && q[j][k].count >= 10 { refine = q[j][k].startSecondPass() || refine } }
        guard refine else { return out }
        try pass { j, k, v in if q[j][k].count >= 10 { q[j][k].refine(v) } }
        for j in 0..<nc { for k in 0..<nc where k != j && q[j][k].count >= 10 { out[j][k] = Double(q[j][k].result()) } }
        return out
    }

    /// `suppressBleed` over frame sources (speech from `VoiceActivity.detect`, couplings from
    /// `coupling(sources:…)`), window by window: the noise floors (±15 s), the labels' spread
    /// inside a speech stretch and the bleed runs are local, so the result equals the
    /// in-memory form unless a speech stretch holds no frame of known label for longer than
    /// the margin.
    /// `offsets` (e.g. `ownVoiceOffsets`) replace the ones derived from `att`.
    static func suppressBleed(sources: [ChannelFrameSource], speech raw: [[Span]], coupling att: [[Double?]],
                              offsets: [[Float]]? = nil,
                              config: ConversationConfig, chunking: TimingChunking) throws -> [[Span]] {
        let g = sources[0].grid
        let nc = sources.count
        guard nc > 1, g.count > 0 else { return raw }
        let offset = offsets ?? bleedOffsets(att, config: config)
        let plan = ChunkPlan(grid: g, chunking: chunking, minMarginS: VoiceActivityConfig().floorWindowS + 1,
                             align: VoiceActivity.levelBlock(dt: g.dt))
        var runs = [RunStream](repeating: RunStream(), count: nc)
        var out = [[Span]](repeating: [], count: nc)
        func add(_ k: Int, _ r: Range<Int>?) {
            if let r, let s = bleedFreeSpan(r, grid: g, original: raw[k], config: config) { out[k].append(s) }
        }
        for (core, window) in plan.chunks {
            let levels = try commonLevels(sources, window: window)
            let masks = raw.map { spanMask($0, grid: g, range: window) }
            let kept = ownSpeech(levels: levels, masks: masks, offset: offset, dt: g.dt, config: config)
            for k in 0..<nc { for i in core { add(k, runs[k].push(kept[k][i - window.lowerBound])) } }
        }
        for k in 0..<nc { add(k, runs[k].finish()) }
        return out
    }
}
