import CandorCore

/// Turn edges: where a turn starts and ends, for turn-taking measures (turns, latencies,
/// overlaps, interruptions, backchannels).
///
/// Voice activity keeps a little more than the words on purpose (pauses, speech and
/// articulation rates, talk share want every syllable, weak or not): its hysteresis carries a
/// stretch through a low tail after the last word (breath, the voice fading 25–35 dB below
/// the word, a few dB above the room noise), and its gap closing joins a lip smack or click
/// 0.05–0.1 s after the last word. Neither is speech an interlocutor hears as part of the
/// turn, and both move the turn's end (or start) by up to 0.3 s. The rule below moves only the
/// outer edges of each speaker's stretches joined for turns (`ConversationConfig.turnJoinS`);
/// the speech spans themselves, and everything measured from them, stay as detected.
///
/// At each outer edge of a joined stretch, walking inwards from the edge, with P the loudest
/// frame of the stretch (band energy) and T = P − `edgeBelowPeakDb`:
/// 1. low tail: frames that are unvoiced and below T are dropped;
/// 2. click: if the edge frame is then unvoiced, the run of unvoiced frames at or above T
///    there is a burst; a burst of at most `edgeBurstMaxS` separated from the rest of the
///    stretch by at least `edgeBurstGapS` of unvoiced frames below T is dropped with that gap,
///    and step 1 repeats.
/// A voiced frame always stops the walk, so no edge moves inside voicing, and an unvoiced run
/// longer than `edgeBurstMaxS` at or above T (a word-final fricative, a stop release with its
/// aspiration) stays. The burst limit comes from the durations involved: a click or lip smack
/// is a transient of a few milliseconds, seen by the 30 ms analysis window in one or two
/// 10 ms frames, while a released voiceless stop is followed by aspiration or frication for
/// several tens of milliseconds (voice-onset times of English voiceless stops are 40–100 ms,
/// Lisker & Abramson 1964); a weak release whose aspiration falls below T looks like a click
/// and is cut (the error is then that aspiration, under 0.15 s). Stretches without a voiced
/// frame are left alone, and no edge moves by more than `edgeMaxMoveS`.
extension ConversationAnalysis {
    /// Each speaker's speech with the outer edges of its turn stretches refined (see above);
    /// `speech` unchanged when `config.edgeBelowPeakDb` is nil. `sources` and `speech` are in
    /// the same order (one channel per speaker). Reads only each stretch's frames, piece by
    /// piece: memory does not grow with the recording's length.
    static func turnEdgeSpeech(
        sources: [ChannelFrameSource], speech: [[Span]], config: ConversationConfig,
        voiceActivity: VoiceActivityConfig, chunking: TimingChunking
    ) throws -> [[Span]] {
        guard config.edgeBelowPeakDb != nil, sources.count == speech.count else { return speech }
        return try speech.indices.map { k in
            try refinedEdges(source: sources[k], speech: speech[k], config: config, voiceActivity: voiceActivity, chunking: chunking)
        }
    }

    /// One speaker's speech with its turn stretches' outer edges refined.
    static func refinedEdges(
        source: ChannelFrameSource, speech: [Span], config: ConversationConfig,
        voiceActivity: VoiceActivityConfig, chunking: TimingChunking
    ) throws -> [Span] {
        guard let below = config.edgeBelowPeakDb, source.grid.count > 0 else { return speech }
        let g = source.grid
        let piece = chunking.coreFrames(dt: g.dt, count: g.count)
        let maxMove = max(1, Int((config.edgeMaxMoveS / g.dt).rounded()))
        var out: [Span] = []
        var next = 0  // first span of `speech` not yet copied
        for stretch in joined(speech, gapS: config.turnJoinS) {
            var members: [Span] = []
            while next < speech.count && speech[next].start < stretch.end {
                members.append(speech[next])
                next += 1
            }
            let lo = max(0, Int(((stretch.start - g.t1) / g.dt).rounded(.up)))
            let hi = min(g.count - 1, Int(((stretch.end - g.t1) / g.dt).rounded(.up)) - 1)
            guard lo <= hi else {
                out += members
                continue
            }
            // The stretch's loudest frame and whether it has any voicing, piece by piece.
            var peak = -Float.infinity
            var voicedAny = false
            var a = lo
            while a <= hi {
                let r = a..<min(hi + 1, a + piece)
                let f = try source.loadChecked(r)
                for v in f.speech.bandDb { peak = max(peak, v) }
                if !voicedAny { voicedAny = VoiceActivity.voicing(f, config: voiceActivity).contains(true) }
                a = r.upperBound
            }
            guard voicedAny else {
                out += members
                continue
            }
            let threshold = peak - Float(below)
            // The end: frames hi-maxMove+1 ... hi, walked backwards.
            let endWin = max(lo, hi - maxMove + 1)...hi
            let fe = try source.loadChecked(endWin.lowerBound..<(endWin.upperBound + 1))
            let newHi =
                endWin.lowerBound
                + edgeFrame(
                    db: fe.speech.bandDb, voiced: VoiceActivity.voicing(fe, config: voiceActivity),
                    from: endWin.count - 1, step: -1, threshold: threshold, g: g, config: config)
            // The start: frames lo ... lo+maxMove-1 (not past the new end), walked forwards.
            let startWin = lo...min(newHi, lo + maxMove - 1)
            let fs = try source.loadChecked(startWin.lowerBound..<(startWin.upperBound + 1))
            let newLo =
                startWin.lowerBound
                + edgeFrame(
                    db: fs.speech.bandDb, voiced: VoiceActivity.voicing(fs, config: voiceActivity),
                    from: 0, step: 1, threshold: threshold, g: g, config: config)
            let start = newLo == lo ? stretch.start : g.time(newLo) - g.dt / 2
            let end = newHi == hi ? stretch.end : g.time(newHi) + g.dt / 2
            for s in members {
                let c = Span(max(s.start, start), min(s.end, end))
                if c.end > c.start { out.append(c) }
            }
        }
        out += speech[next...]
        return out
    }

    /// The index (into `db`) of the frame the edge moves to, walking from `from` in
    /// direction `step` (−1 for an end, +1 for a start) by the low-tail and click rules; the
    /// walk never leaves `db` (its last frame stays when everything before it would go).
    static func edgeFrame(
        db: [Float], voiced: [Bool], from: Int, step: Int, threshold: Float, g: FrameGrid,
        config: ConversationConfig
    ) -> Int {
        let n = db.count
        guard n > 0, voiced.count == n else { return from }
        let last = step < 0 ? 0 : n - 1  // the walk's inner limit
        let burstMax = max(1, Int((config.edgeBurstMaxS / g.dt).rounded()))
        let gapMin = max(1, Int((config.edgeBurstGapS / g.dt).rounded()))
        func low(_ i: Int) -> Bool { !voiced[i] && db[i] < threshold }
        func loud(_ i: Int) -> Bool { !voiced[i] && db[i] >= threshold }
        var j = from
        while true {
            while j != last && low(j) { j += step }  // 1. low tail
            guard loud(j) else { return j }
            var k = j  // 2. a burst j … k+1 (towards the inside)
            while k != last && loud(k) { k += step }
            let burst = abs(j - k)
            guard burst <= burstMax, k != last, low(k) else { return j }
            var m = k  // its gap k … m+1
            while m != last && low(m) { m += step }
            guard abs(k - m) >= gapMin, !low(m) else { return j }
            j = m
        }
    }
}
