/// Settings of the pause and speech-rate measures (recorded in the analysis `parameters`).
public struct TimingConfig: Sendable, Codable, Equatable {
    /// A silent pause is a gap of at least this length between speech stretches.
    public var minPauseS: Double = 0.25
    /// Syllable nuclei: an intensity peak must rise at least this far above the dip that
    /// follows it (de Jong & Wempe 2009 use 2 dB)…
    public var nucleusDipDb: Double = 2
    /// …and be no more than this far below the loudest (99th percentile) level
    /// (de Jong & Wempe's silence threshold, −25 dB).
    public var nucleusBelowMaxDb: Double = 25
    /// Optional extra moving-average smoothing (s) of the intensity before peak picking.
    /// 0 with the 50 Hz-minimum-pitch intensity (`SpeechFrames.syllableDb`), which is what
    /// de Jong & Wempe use; about 0.03 makes a 100 Hz intensity behave similarly.
    public var smoothingS: Double = 0
    /// A nucleus must be voiced: pitch track voiced at the peak, or (with `SpeechFrames`)
    /// periodicity at least this high — de Jong & Wempe's pitch is lenient (voicing
    /// threshold 0.25), stricter voicing misses syllables.
    public var nucleusPeriodicity: Double = 0.45
    public init() {}
}

/// `channels[k].timing` of the analysis JSON (or a segment's timing features).
public struct TimingFeatures: Sendable, Codable, Equatable {
    public var speech: [Span]
    public var pauses: [Span]
    public var pauseCount: Int
    public var pauseTotalS: Double
    /// nil (JSON null) when there is no pause.
    public var pauseMeanS: Double?
    /// Total speaking time (sum of `speech`).
    public var speechTotalS: Double
    public var syllableCount: Int
    /// Syllables per second of speaking time plus pauses (nil when there is no speech).
    public var speechRateSyllPerS: Double?
    /// Syllables per second of speaking time, pauses excluded (nil when there is no speech).
    public var articulationRateSyllPerS: Double?

    enum CodingKeys: String, CodingKey {
        case speech, pauses
        case pauseCount = "pause_count"
        case pauseTotalS = "pause_total_s"
        case pauseMeanS = "pause_mean_s"
        case speechTotalS = "speech_total_s"
        case syllableCount = "syllable_count"
        case speechRateSyllPerS = "speech_rate_syll_per_s"
        case articulationRateSyllPerS = "articulation_rate_syll_per_s"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(speech, forKey: .speech)
        try c.encode(pauses, forKey: .pauses)
        try c.encode(pauseCount, forKey: .pauseCount)
        try c.encode(roundMs(pauseTotalS), forKey: .pauseTotalS)
        try c.encode(pauseMeanS.map(roundMs), forKey: .pauseMeanS)
        try c.encode(roundMs(speechTotalS), forKey: .speechTotalS)
        try c.encode(syllableCount, forKey: .syllableCount)
        try c.encode(speechRateSyllPerS.map(roundMs), forKey: .speechRateSyllPerS)
        try c.encode(articulationRateSyllPerS.map(roundMs), forKey: .articulationRateSyllPerS)
    }

    /// The numeric features by JSON key (for per-segment z-scores); nil values are left out.
    public var numbers: [String: Double] {
        var d: [String: Double] = [
            "pause_count": Double(pauseCount), "pause_total_s": pauseTotalS,
            "speech_total_s": speechTotalS, "syllable_count": Double(syllableCount),
        ]
        d["pause_mean_s"] = pauseMeanS
        d["speech_rate_syll_per_s"] = speechRateSyllPerS
        d["articulation_rate_syll_per_s"] = articulationRateSyllPerS
        return d
    }
}

/// Pauses and speech rate over a channel's speech stretches.
public enum Timing {
    /// Timing features of one speaker over `range` (the whole recording when nil).
    ///
    /// - `speech`: the speaker's speech stretches (from `VoiceActivity.detect`, after
    ///   `ConversationAnalysis.suppressBleed` in multi-channel recordings), clipped to `range`.
    /// - Pauses are the gaps of at least `minPauseS` between consecutive speech stretches
    ///   inside the range. A gap during which another speaker talks (`otherSpeech`) is a turn
    ///   exchange, not this speaker's pause. Silence before the first and after the last
    ///   stretch is not a pause.
    /// - Syllable nuclei (de Jong & Wempe 2009): peaks of the smoothed `intensity` inside
    ///   speech, within `nucleusBelowMaxDb` of the 99th-percentile level, that rise
    ///   `nucleusDipDb` above the following dip (the minimum up to the next peak or the end
    ///   of the stretch), and are voiced (`voiced(t)`, e.g. the pitch track).
    /// - Speech rate = nuclei / (speaking time + pause time); articulation rate = nuclei /
    ///   speaking time.
    public static func analyze(
        speech: [Span], intensity: IntensityTrack, voiced: (Double) -> Bool,
        otherSpeech: [Span] = [], range: Span? = nil,
        config: TimingConfig = TimingConfig()
    ) -> TimingFeatures {
        let inRange = clip(speech, to: range)
        // Over a range, only that stretch of the intensity (plus the smoothing margin) is
        // examined, so per-segment calls cost O(segment), not O(recording).
        var track = intensity
        if let r = range, intensity.grid.count > 0 {
            let g = intensity.grid
            let f = frames(of: r, grid: g, config: config)
            track =
                !f.isEmpty
                ? IntensityTrack(grid: FrameGrid(t1: g.time(f.lowerBound), dt: g.dt, count: f.count), db: Array(intensity.db[f]))
                : IntensityTrack(grid: FrameGrid(t1: g.t1, dt: g.dt, count: 0), db: [])
        }
        let syll = syllableNuclei(speech: inRange, intensity: track, voiced: voiced, config: config).count
        return features(speech: inRange, otherSpeech: otherSpeech, syllables: syll, config: config)
    }

    /// `analyze(speech:frames:pitch:…)` reading the tracks from a channel's frame source
    /// (nuclei from `speech.syllableDb`, voiced where the source's pitch is voiced or the
    /// periodicity reaches `nucleusPeriodicity`), one chunk at a time: memory does not grow
    /// with the recording (or segment) length. Results are identical to the in-memory form
    /// on the same tracks; the loud reference (99th percentile inside speech) is exact, kept
    /// as the top 1 % of the speech frames' levels (4 bytes per 100 speech frames).
    public static func analyze(
        speech: [Span], source: ChannelFrameSource, otherSpeech: [Span] = [], range: Span? = nil,
        config: TimingConfig = TimingConfig(), chunking: TimingChunking = TimingChunking()
    ) throws -> TimingFeatures {
        let inRange = clip(speech, to: range)
        let g = source.grid
        let f = range.map { frames(of: $0, grid: g, config: config) } ?? 0..<g.count
        let syll = try syllableCount(source: source, frames: f, speech: inRange, config: config, chunking: chunking)
        return features(speech: inRange, otherSpeech: otherSpeech, syllables: syll, config: config)
    }

    /// The speech stretches inside `range` (all when nil).
    static func clip(_ speech: [Span], to range: Span?) -> [Span] {
        range.map { r in speech.compactMap { $0.clipped(to: r) } } ?? speech
    }

    /// Frames of `grid` a range's syllable count examines (the range plus the smoothing margin).
    static func frames(of r: Span, grid g: FrameGrid, config: TimingConfig) -> Range<Int> {
        let margin = Int((config.smoothingS / g.dt).rounded(.up)) + 1
        let a = max(0, Int(((r.start - g.t1) / g.dt).rounded(.down)) - margin)
        let b = min(g.count, Int(((r.end - g.t1) / g.dt).rounded(.up)) + margin + 1)
        return a < b ? a..<b : a..<a
    }

    /// Pauses, totals and rates from the speech inside the range and its syllable count.
    static func features(speech inRange: [Span], otherSpeech: [Span], syllables syll: Int, config: TimingConfig) -> TimingFeatures {
        var pauses: [Span] = []
        var others = otherSpeech.sorted { $0.start < $1.start }[...]
        for (a, b) in zip(inRange, inRange.dropFirst()) {
            let gap = Span(a.end, b.start)
            guard gap.duration >= config.minPauseS - 1e-9 else { continue }
            while let o = others.first, o.end <= gap.start { others.removeFirst() }
            if let o = others.first, o.start < gap.end { continue }  // someone else spoke
            pauses.append(gap)
        }
        let talk = totalDuration(inRange)
        let pauseTotal = totalDuration(pauses)
        return TimingFeatures(
            speech: inRange, pauses: pauses, pauseCount: pauses.count, pauseTotalS: pauseTotal,
            pauseMeanS: pauses.isEmpty ? nil : pauseTotal / Double(pauses.count),
            speechTotalS: talk, syllableCount: syll,
            speechRateSyllPerS: talk > 0 ? Double(syll) / (talk + pauseTotal) : nil,
            articulationRateSyllPerS: talk > 0 ? Double(syll) / talk : nil)
    }

    /// `syllableNuclei(…).count` over frames `f` of the source (the track a range's analysis
    /// examines), streamed chunk by chunk: peaks and their dips are found frame by frame
    /// (state carried across chunks), and the loud threshold, known only at the end, is
    /// applied to the peaks that passed the other tests.
    static func syllableCount(
        source: ChannelFrameSource, frames f: Range<Int>, speech: [Span],
        config: TimingConfig, chunking: TimingChunking
    ) throws -> Int {
        let count = f.count
        guard count > 2, !speech.isEmpty else { return 0 }
        let g = FrameGrid(t1: source.grid.time(f.lowerBound), dt: source.grid.dt, count: count)
        let inSpeech = spanFrameCount(speech, grid: g)
        guard inSpeech > 0 else { return 0 }
        var loud = TopValues(percentile: 0.99, of: inSpeech)
        let half = max(0, Int((config.smoothingS / g.dt / 2).rounded()))
        let plan = ChunkPlan(count: count, core: chunking.coreFrames(dt: g.dt, count: g.count), margin: half + 1)
        let th = Float(config.nucleusPeriodicity)
        var candidates: [Float] = []  // levels of peaks that pass the dip and voicing tests
        var peak: (level: Float, voiced: Bool)? = nil  // the last peak, waiting for its dip
        var dip: Float = 0
        func settle() {
            if let p = peak, Double(p.level - dip) >= config.nucleusDipDb, p.voiced { candidates.append(p.level) }
            peak = nil
        }
        for (core, window) in plan.chunks {
            let fr = try source.loadChecked((f.lowerBound + window.lowerBound)..<(f.lowerBound + window.upperBound))
            let sm = smoothed(fr.speech.syllableDb, half: half)
            let ext = max(0, core.lowerBound - 1)..<min(count, core.upperBound + 1)
            let mask = spanMask(speech, grid: g, range: ext)
            let w0 = window.lowerBound
            let hasPitch = fr.pitch.grid.count > 0
            func inMask(_ i: Int) -> Bool { ext.contains(i) && mask[i - ext.lowerBound] }
            for i in core where inMask(i) {
                let v = sm[i - w0]
                loud.add(v)
                let prev = inMask(i - 1), next = inMask(i + 1)
                if !prev { peak = nil }  // a run starts
                if peak != nil { dip = min(dip, v) }
                if prev && next && v > sm[i - 1 - w0] && v >= sm[i + 1 - w0] {
                    settle()
                    let voiced = (hasPitch && fr.pitch.f0[i - w0] > 0) || fr.speech.periodicity[i - w0] >= th
                    peak = (v, voiced)
                    dip = v
                }
                if !next { settle() }  // the run ends
            }
        }
        let threshold = Double(loud.percentile(0.99, of: inSpeech)) - config.nucleusBelowMaxDb
        return candidates.reduce(0) { $0 + (Double($1) > threshold ? 1 : 0) }
    }

    /// Moving average (±`half` frames, fewer at the ends) in dB, O(n) with a running sum.
    static func smoothed(_ db: [Float], half: Int) -> [Float] {
        let n = db.count
        var sm = [Float](repeating: 0, count: n)
        db.withUnsafeBufferPointer { db in
            var sum = 0.0, count = 0
            for i in 0..<min(n, half) { sum += Double(db[i]); count += 1 }
            for i in 0..<n {
                if i + half < n { sum += Double(db[i + half]); count += 1 }
                if i - half - 1 >= 0 { sum -= Double(db[i - half - 1]); count -= 1 }
                sm[i] = Float(sum / Double(count))
            }
        }
        return sm
    }

    /// Convenience: voicing from a pitch track (f0 > 0 at the nearest frame).
    public static func analyze(
        speech: [Span], intensity: IntensityTrack, pitch: PitchTrack,
        otherSpeech: [Span] = [], range: Span? = nil,
        config: TimingConfig = TimingConfig()
    ) -> TimingFeatures {
        analyze(
            speech: speech, intensity: intensity, voiced: { pitch.f0(at: $0) > 0 },
            otherSpeech: otherSpeech, range: range, config: config)
    }

    /// The pipeline's form: nuclei from `frames.syllableDb` (Praat intensity, 50 Hz minimum
    /// pitch, as de Jong & Wempe), voiced where the pitch track is voiced or the frame's
    /// periodicity reaches `nucleusPeriodicity`. Without a pitch track, periodicity alone.
    public static func analyze(
        speech: [Span], frames: SpeechFrames, pitch: PitchTrack? = nil,
        otherSpeech: [Span] = [], range: Span? = nil,
        config: TimingConfig = TimingConfig()
    ) -> TimingFeatures {
        let g = frames.grid
        let th = Float(config.nucleusPeriodicity)
        return analyze(
            speech: speech, intensity: frames.syllableTrack,
            voiced: { t in
                if let pitch, pitch.f0(at: t) > 0 { return true }
                return g.count > 0 && frames.periodicity[g.nearest(t)] >= th
            },
            otherSpeech: otherSpeech, range: range, config: config)
    }

    /// Times (s) of the syllable nuclei inside `speech`.
    public static func syllableNuclei(
        speech: [Span], intensity: IntensityTrack, voiced: (Double) -> Bool,
        config: TimingConfig = TimingConfig()
    ) -> [Double] {
        let g = intensity.grid
        let n = g.count
        guard n > 2, !speech.isEmpty else { return [] }
        let half = max(0, Int((config.smoothingS / g.dt / 2).rounded()))
        let sm = smoothed(intensity.db, half: half)
        let mask = spanMask(speech, grid: g)
        // Loud reference: 99th percentile of smoothed intensity inside speech.
        var inSpeech: [Float] = []
        for i in 0..<n where mask[i] { inSpeech.append(sm[i]) }
        guard !inSpeech.isEmpty else { return [] }
        inSpeech.sort()
        let threshold = Double(percentileSorted(inSpeech, 0.99)) - config.nucleusBelowMaxDb
        var nuclei: [Double] = []
        for run in frameRuns(mask) {
            // Local maxima inside the run.
            var peaks: [Int] = []
            for i in run where i > run.lowerBound && i < run.upperBound - 1 {
                if sm[i] > sm[i - 1] && sm[i] >= sm[i + 1] { peaks.append(i) }
            }
            for (k, p) in peaks.enumerated() {
                guard Double(sm[p]) > threshold else { continue }
                let nextEnd = k + 1 < peaks.count ? peaks[k + 1] : run.upperBound - 1
                var dip = sm[p]
                for j in p...nextEnd { dip = min(dip, sm[j]) }
                guard Double(sm[p] - dip) >= config.nucleusDipDb else { continue }
                let t = g.time(p)
                if voiced(t) { nuclei.append(t) }
            }
        }
        return nuclei
    }
}
