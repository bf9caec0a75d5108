/// A regular frame grid: frame `i` is centred at `t1 + i * dt` seconds.
public struct FrameGrid: Sendable, Equatable, Codable {
    public var t1: Double
    public var dt: Double
    public var count: Int
    public init(t1: Double, dt: Double, count: Int) {
        self.t1 = t1
        self.dt = dt
        self.count = count
    }
    @inlinable public func time(_ i: Int) -> Double { t1 + Double(i) * dt }
    /// Index of the frame whose centre is nearest to `t` (clamped).
    public func nearest(_ t: Double) -> Int {
        guard count > 0 else { return 0 }
        return min(count - 1, max(0, Int(((t - t1) / dt).rounded())))
    }
}

/// The pitch contour of one channel: F0 per frame (0 = unvoiced) and the strength
/// (normalised correlation) of the chosen candidate.
public struct PitchTrack: Sendable {
    public var grid: FrameGrid
    /// F0 in Hz per frame; 0 where the frame is unvoiced.
    public var f0: [Float]
    /// Correlation strength of the chosen candidate (0 for unvoiced frames).
    public var strength: [Float]
    public init(grid: FrameGrid, f0: [Float], strength: [Float]) {
        self.grid = grid
        self.f0 = f0
        self.strength = strength
    }
    public func isVoiced(_ i: Int) -> Bool { f0[i] > 0 }
    /// F0 at time t (nearest frame), 0 if unvoiced or outside.
    public func f0(at t: Double) -> Float {
        guard grid.count > 0 else { return 0 }
        let i = ((t - grid.t1) / grid.dt).rounded()
        guard i >= 0, Int(i) < grid.count else { return 0 }
        return f0[Int(i)]
    }
}

/// Intensity contour in dB (re 2e-5, samples taken as pascals, as Praat does).
public struct IntensityTrack: Sendable {
    public var grid: FrameGrid
    public var db: [Float]
    public init(grid: FrameGrid, db: [Float]) {
        self.grid = grid
        self.db = db
    }
}

/// Random access to one channel's frame tracks by frame range, so that long recordings
/// need not hold whole tracks in memory: `candor analyze` pages them from its spill file.
/// `load(r)` returns tracks whose grids start at `grid.time(r.lowerBound)` (same `dt`)
/// and hold `r.count` frames. `r` must lie within `0..<grid.count`.
public struct ChannelFrameSource: Sendable {
    public var grid: FrameGrid
    public var load: @Sendable (Range<Int>) throws -> ChannelFrames

    public init(grid: FrameGrid, load: @escaping @Sendable (Range<Int>) throws -> ChannelFrames) {
        self.grid = grid
        self.load = load
    }

    /// Tracks already in memory (tests, short signals); all three must share `pitch.grid`
    /// (an empty `speech` is allowed when voice activity was not computed).
    init(pitch: PitchTrack, intensity: IntensityTrack, speech: SpeechFrames) {
        grid = pitch.grid
        load = { r in ChannelFrames(pitch: pitch, intensity: intensity, speech: speech).slice(r) }
    }
}

/// The tracks of one channel over a frame range (see `ChannelFrameSource`).
public struct ChannelFrames: Sendable {
    public var pitch: PitchTrack
    public var intensity: IntensityTrack
    public var speech: SpeechFrames
    public init(pitch: PitchTrack, intensity: IntensityTrack, speech: SpeechFrames) {
        self.pitch = pitch
        self.intensity = intensity
        self.speech = speech
    }

    /// Frames `r` (indices relative to this object's grid).
    public func slice(_ r: Range<Int>) -> ChannelFrames {
        let g = FrameGrid(t1: pitch.grid.time(r.lowerBound), dt: pitch.grid.dt, count: r.count)
        let nb = SpeechFrames.shapeBands
        let sp =
            speech.grid.count == 0
            ? SpeechFrames(grid: FrameGrid(t1: g.t1, dt: g.dt, count: 0))
            : SpeechFrames(
                grid: g, bandDb: Array(speech.bandDb[r]), periodicity: Array(speech.periodicity[r]),
                f0: Array(speech.f0[r]), syllableDb: Array(speech.syllableDb[r]),
                shape: Array(speech.shape[(r.lowerBound * nb)..<(r.upperBound * nb)]))
        return ChannelFrames(
            pitch: PitchTrack(grid: g, f0: Array(pitch.f0[r]), strength: Array(pitch.strength[r])),
            intensity: IntensityTrack(grid: g, db: Array(intensity.db[r])), speech: sp)
    }
}
