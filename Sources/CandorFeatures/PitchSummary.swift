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

extension PitchSummary {
    /// The summary of a whole channel read in chunks from `source`, in memory bounded
    /// independently of duration, with the same numbers as `init(track:)`: sums are taken
    /// in the same order, and the median is selected exactly (a histogram of the values'
    /// bit patterns in pass 1, the values of the median's bins in pass 2).
    public init(source: ChannelFrameSource, chunk: Int = 1 << 15) throws {
        let g = source.grid
        frames = g.count
        voicedFrames = 0
        func scan(_ body: (UnsafeBufferPointer<Float>) -> Void) throws {
            var a = 0
            while a < g.count {
                let b = min(g.count, a + chunk)
                let f0 = try source.load(a..<b).pitch.f0
                f0.withUnsafeBufferPointer(body)
                a = b
            }
        }
        // Pass 1: count, sums, extremes, histogram of the top 16 bits (positive floats
        // order like their bit patterns).
        var n = 0, sum = 0.0, sumST = 0.0
        var lo = Double.infinity, hi = -Double.infinity
        var histogram = [Int32](repeating: 0, count: 1 << 16)
        try scan { f in
            histogram.withUnsafeMutableBufferPointer { h in
                for v in f where v > 0 {
                    let d = Double(v)
                    n += 1
                    sum += d
                    sumST += 12 * log2(d / 100)
                    lo = Swift.min(lo, d)
                    hi = Swift.max(hi, d)
                    h[Int(v.bitPattern >> 16)] += 1
                }
            }
        }
        voicedFrames = n
        guard n > 0 else { return }
        let count = Double(n)
        let mean = sum / count, mst = sumST / count
        meanHz = mean
        meanST = mst
        minHz = lo
        maxHz = hi
        // The bins holding the middle order statistics (0-based ranks).
        let ranks = n % 2 == 1 ? [n / 2] : [n / 2 - 1, n / 2]
        var bins: [Int] = []
        var below: [Int] = []
        var cum = 0
        var r = 0
        for bin in 0..<histogram.count where histogram[bin] > 0 {
            let c = Int(histogram[bin])
            while r < ranks.count && ranks[r] < cum + c {
                if bins.last != bin { bins.append(bin); below.append(cum) }
                r += 1
            }
            cum += c
            if r == ranks.count { break }
        }
        // Pass 2: squared deviations (same order as the in-memory code) and the median bins' values.
        var ss = 0.0, ssST = 0.0
        var inBins: [[Float]] = bins.map { _ in [] }
        try scan { f in
            for v in f where v > 0 {
                let d = Double(v)
                ss += (d - mean) * (d - mean)
                let st = 12 * log2(d / 100)
                ssST += (st - mst) * (st - mst)
                if let k = bins.firstIndex(of: Int(v.bitPattern >> 16)) { inBins[k].append(v) }
            }
        }
        func value(rank: Int) -> Double {
            for (k, bin) in bins.enumerated() where rank >= below[k] && rank < below[k] + Int(histogram[bin]) {
                return Double(inBins[k].sorted()[rank - below[k]])
            }
            return mean  // unreachable: every rank lies in one of the bins
        }
        medianHz = ranks.count == 1 ? value(rank: ranks[0]) : 0.5 * (value(rank: ranks[0]) + value(rank: ranks[1]))
        if n > 1 {
            let v = ss / (count - 1)
            sdHz = v.squareRoot()
            sdST = (ssST / (count - 1)).squareRoot()
            let effective = Swift.max(1, count * g.dt / 0.03)
            meanHzSE = v.squareRoot() / effective.squareRoot()
        }
    }
}

/// Energy mean of a channel's intensity track read in chunks (as `meanIntensityDB`).
public func meanIntensityDB(source: ChannelFrameSource, chunk: Int = 1 << 15) throws -> Double? {
    let g = source.grid
    var s = 0.0
    var n = 0
    var a = 0
    while a < g.count {
        let b = min(g.count, a + chunk)
        for v in try source.load(a..<b).intensity.db where v > IntensityFrameAnalyzer.floorDB {
            s += pow(10, Double(v) / 10)
            n += 1
        }
        a = b
    }
    guard n > 0 else { return nil }
    return 10 * log10(s / Double(n))
}
