import CandorCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    public static func suppressBleed(
        _ channels: [ConversationChannel],
        config: ConversationConfig = ConversationConfig()
    ) -> [[Span]] {
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
    static func ownSpeech(
        levels: [[Float]], masks: [[Bool]], offset: [[Float]], dt: Double,
        config: ConversationConfig
    ) -> [[Bool]] {
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
                let inside =
                    r.lowerBound > 0 && r.upperBound < n
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
    public static func channelsAreCopies(
        _ channels: [ConversationChannel],
        config: ConversationConfig = ConversationConfig()
    ) -> Bool {
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
    public static func analyze(
        channels: [ConversationChannel],
        config: ConversationConfig = ConversationConfig()
    ) -> Conversation {
        let speech = suppressBleed(channels, config: config)
        return analyze(speakers: channels.map(\.role), speech: speech, estimate: false, method: "channels", config: config)
    }

    /// Conversation from already separated speech per speaker.
    ///
    /// Turns: all speech stretches in start order; a speaker's stretches join into one turn
    /// until another speaker starts a stretch that outlasts the current turn (that speaker
    /// takes the floor). Another speaker's stretch that ends inside the current turn
    /// (a backchannel) is an overlap and an interruption without a floor change. For the
    /// turns, a speaker's stretches less than `config.turnJoinS` apart count as one (a
    /// speaker who starts inside the other's turn, stops briefly while the other finishes and
    /// goes on has taken the floor at the first start); `speech` and talk share keep the
    /// stretches as found. Turns, overlaps, interruptions and backchannels are read from
    /// `turnSpeech` when given (the same stretches with refined turn edges, `TurnEdges.swift`),
    /// else from `speech`.
    public static func analyze(
        speakers: [String], speech: [[Span]], turnSpeech: [[Span]]? = nil, estimate: Bool, method: String,
        config: ConversationConfig = ConversationConfig()
    ) -> Conversation {
        let edges = turnSpeech.flatMap { $0.count == speech.count ? $0 : nil } ?? speech
        var events: [(speaker: Int, span: Span)] = []
        for (k, spans) in edges.enumerated() {
            for s in joined(spans, gapS: config.turnJoinS) { events.append((k, s)) }
        }
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
            let holderSpeaking = spanContaining(edges[cur.speaker], from: ev.span.start, to: ev.span.start, openEnd: true)
            if let h = holderSpeaking {
                let overlap = min(h.end, ev.span.end) - ev.span.start
                if overlap >= config.minOverlapS {
                    interruptions.append(
                        Interruption(
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
            transitions.append(
                Transition(
                    from: speakers[a.speaker], to: speakers[b.speaker],
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
            overlaps: overlapSpans(edges, minS: config.minOverlapS), interruptions: interruptions,
            speech: speech, turnSpeech: edges
        ).separatingBackchannels(config: config)
    }

    /// `spans` (sorted) with the gaps shorter than `gapS` closed.
    static func joined(_ spans: [Span], gapS: Double) -> [Span] {
        var out: [Span] = []
        for s in spans {
            if let last = out.last, s.start - last.end < gapS {
                out[out.count - 1].end = max(last.end, s.end)
            } else {
                out.append(s)
            }
        }
        return out
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
