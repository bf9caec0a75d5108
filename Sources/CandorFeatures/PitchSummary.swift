#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Summary statistics of the voiced frames of a pitch track (or of a time range of it).
/// Semitones are relative to 100 Hz, as in Praat.
public struct PitchSummary: Sendable, Equatable {
    public var voicedFrames: Int
    public var frames: Int
    public var meanHz: Double?
    public var medianHz: Double?
    public var sdHz: Double?
    public var minHz: Double?
    public var maxHz: Double?
    public var meanST: Double?
    public var sdST: Double?
    /// Standard error of the mean in Hz, from the frame SD and an effective sample size that
    /// allows for the correlation of neighbouring frames (one independent value per 30 ms).
    public var meanHzSE: Double?
    public var voicedFraction: Double { frames > 0 ? Double(voicedFrames) / Double(frames) : 0 }

    public init(track: PitchTrack, range: Range<Int>? = nil) {
        let r = range ?? 0..<track.f0.count
        frames = r.count
        var values: [Double] = []
        values.reserveCapacity(r.count)
        track.f0.withUnsafeBufferPointer { f in
            for i in r where f[i] > 0 { values.append(Double(f[i])) }
        }
        voicedFrames = values.count
        guard !values.isEmpty else { return }
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        meanHz = mean
        let sorted = values.sorted()
        medianHz = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : 0.5 * (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2])
        minHz = sorted.first
        maxHz = sorted.last
        let st = values.map { 12 * log2($0 / 100) }
        let mst = st.reduce(0, +) / n
        meanST = mst
        if values.count > 1 {
            let v = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
            sdHz = v.squareRoot()
            sdST = (st.reduce(0) { $0 + ($1 - mst) * ($1 - mst) } / (n - 1)).squareRoot()
            let effective = max(1, n * track.grid.dt / 0.03)
            meanHzSE = v.squareRoot() / effective.squareRoot()
        }
    }
}

/// Frame index range of `grid` whose centres fall in [t0, t1).
public func frameRange(_ grid: FrameGrid, from t0: Double, to t1: Double) -> Range<Int> {
    let a = max(0, Int(((t0 - grid.t1) / grid.dt).rounded(.up)))
    let b = min(grid.count, Int(((t1 - grid.t1) / grid.dt).rounded(.up)))
    return a..<max(a, b)
}
