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
