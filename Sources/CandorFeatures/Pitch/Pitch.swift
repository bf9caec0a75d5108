#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import CandorDSP

/// Pitch analysis method: Praat's "To Pitch (ac)" (Hann-windowed autocorrelation) or
/// "To Pitch (cc)" (normalised forward cross-correlation), or `robust`: a SWIPE′-style
/// spectral-template tracker for noisy rooms (see `RobustPitchScorer`), not Praat-compatible.
public enum PitchMethod: String, Sendable, Codable, CaseIterable {
    case ac, cc, robust
}

/// Settings of the pitch analysis. The defaults are Praat's.
public struct PitchSettings: Sendable, Equatable, Codable {
    public var method: PitchMethod = .ac
    /// Seconds between frames; 0 means automatic (periodsPerWindow / floor / 4: 10 ms for ac at 75 Hz).
    public var timeStep: Double = 0
    public var floor: Double = 75
    public var ceiling: Double = 600
    public var maxCandidates: Int = 15
    public var silenceThreshold: Double = 0.03
    public var voicingThreshold: Double = 0.45
    public var octaveCost: Double = 0.01
    public var octaveJumpCost: Double = 0.35
    public var voicedUnvoicedCost: Double = 0.14
    /// 0 means the method's default (3 for ac, 1 for cc).
    public var periodsPerWindow: Double = 0

    /// Praat's defaults for ac and cc; the robust method's own voicing threshold and costs
    /// (its strengths are template scores, not correlations).
    public init(method: PitchMethod = .ac) {
        self.method = method
        if method == .robust {
            floor = RobustPitchDefaults.floor
            voicingThreshold = RobustPitchDefaults.voicingThreshold
            silenceThreshold = RobustPitchDefaults.silenceThreshold
            octaveCost = RobustPitchDefaults.octaveCost
            octaveJumpCost = RobustPitchDefaults.octaveJumpCost
            voicedUnvoicedCost = RobustPitchDefaults.voicedUnvoicedCost
        }
    }

    public var effectivePeriodsPerWindow: Double {
        if periodsPerWindow > 0 { return periodsPerWindow }
        switch method {
        case .ac: return 3
        case .cc: return 1
        case .robust: return RobustPitchDefaults.periodsPerWindow
        }
    }
    public var effectiveTimeStep: Double {
        if timeStep > 0 { return timeStep }
        return method == .robust ? RobustPitchDefaults.timeStep : effectivePeriodsPerWindow / floor / 4
    }
    /// The span of signal one frame needs (Praat's analysis window for the frame grid).
    public var windowDuration: Double {
        let w = effectivePeriodsPerWindow / floor
        return method == .cc ? w + 1 / floor : w
    }

    /// Checks the settings, returning a problem description or nil.
    public func validate(sampleRate: Double) -> String? {
        if !(floor > 0) { return "pitch floor must be positive" }
        if !(ceiling > floor) { return "pitch ceiling must be above the floor" }
        if ceiling > sampleRate / 2 { return "pitch ceiling \(ceiling) Hz is above the Nyquist frequency \(sampleRate / 2) Hz" }
        if timeStep < 0 { return "time step must not be negative" }
        if maxCandidates < 2 { return "at least 2 candidates are needed" }
        return nil
    }
}

/// Praat's frame grid for a signal of `samples` samples: frames fit the window inside the
/// signal and are centred on it. Returns nil when the signal is shorter than one window.
public func analysisGrid(samples: Int, sampleRate: Double, windowDuration: Double, timeStep: Double) -> FrameGrid? {
    let duration = Double(samples) / sampleRate
    guard duration >= windowDuration else { return nil }
    let n = Int(((duration - windowDuration) / timeStep).rounded(.down)) + 1
    guard n >= 1 else { return nil }
    let t1 = 0.5 * duration - 0.5 * Double(n - 1) * timeStep
    return FrameGrid(t1: t1, dt: timeStep, count: n)
}

/// Voiced candidates of one frame (the unvoiced candidate is implicit).
struct FrameCandidates {
    var intensity: Float = 0  // local peak / global peak, in [0, 1]
    var count: Int = 0
    var frequency: [Float]
    var strength: [Float]
    init(capacity: Int) {
        frequency = [Float](repeating: 0, count: capacity)
        strength = [Float](repeating: 0, count: capacity)
    }

    /// Adds a candidate while fewer than `limit` are held; else it replaces the weakest if it
    /// is stronger.
    mutating func offer(_ f: Float, _ s: Float, limit: Int) {
        if count < limit {
            frequency[count] = f
            strength[count] = s
            count += 1
            return
        }
        var weakest = 0
        for k in 1..<count where strength[k] < strength[weakest] { weakest = k }
        if s > strength[weakest] {
            frequency[weakest] = f
            strength[weakest] = s
        }
    }
}

/// The per-frame part of Praat's pitch analysis (Boersma 1993), for one channel.
/// One analyzer per task: it owns FFT buffers. The FFT plans come from the shared cache.
public final class PitchFrameAnalyzer {
    public let settings: PitchSettings
    public let sampleRate: Double
    let nsampWindow: Int
    let halfWindow: Int
    let nsampPeriod: Int
    let halfPeriod: Int
    let minimumLag: Int
    let maximumLag: Int
    let brentMax: Int
    let window: [Float]
    let windowR: [Float]
    let inverseWindowR: [Float]
    let fft: FFTWorkspace
    let fft2: FFTWorkspace?
    var r: [Float]
    let maxVoiced: Int
    /// cc: sliding energies of the lagged window (scratch, one per analyzer).
    let energies: UnsafeMutableBufferPointer<Double>
    /// robust: the spectral-template scorer.
    let robust: RobustPitchScorer?

    public init(settings: PitchSettings, sampleRate: Double) {
        self.settings = settings
        self.sampleRate = sampleRate
        let ppw = settings.effectivePeriodsPerWindow
        let dtWindow = ppw / settings.floor
        var hw = Int((dtWindow * sampleRate).rounded(.down)) / 2 - 1
        hw = max(hw, 2)
        halfWindow = hw
        nsampWindow = 2 * hw
        nsampPeriod = max(1, Int((sampleRate / settings.floor).rounded(.down)))
        halfPeriod = nsampPeriod / 2 + 1
        minimumLag = max(2, Int((sampleRate / settings.ceiling).rounded(.down)))
        maxVoiced = settings.maxCandidates - 1
        if settings.method == .ac {
            maximumLag = min(Int((Double(nsampWindow) / ppw).rounded(.down)) + 2, nsampWindow)
            brentMax = Int((Double(nsampWindow) * 0.5).rounded(.down))
            let n = nextPowerOfTwo(Int((Double(nsampWindow) * 1.5).rounded(.up)))
            fft = FFTWorkspace(size: n)
            fft2 = nil
            var w = [Float](repeating: 0, count: nsampWindow)
            for j in 0..<nsampWindow {
                w[j] = Float(0.5 - 0.5 * cos(2 * Double.pi * Double(j + 1) / Double(nsampWindow + 1)))
            }
            window = w
            // The window's own autocorrelation, normalised: divides r(τ) to undo the taper.
            for j in 0..<nsampWindow { fft.real[j] = w[j] }
            fft.autocorrelateInPlace(count: nsampWindow)
            let r0 = fft.real[0]
            var wr = [Float](repeating: 0, count: brentMax + 2)
            for i in 0..<wr.count { wr[i] = fft.real[i] / r0 }
            windowR = wr
            inverseWindowR = wr.map { $0 > 0 ? 1 / $0 : 0 }
            r = [Float](repeating: 0, count: brentMax + 2)
            robust = nil
        } else if settings.method == .robust {
            maximumLag = 0
            brentMax = 0
            fft = FFTWorkspace(size: nextPowerOfTwo(4 * nsampWindow))
            fft2 = nil
            window = []
            windowR = []
            inverseWindowR = []
            r = []
            robust = RobustPitchScorer(settings: settings, sampleRate: sampleRate, halfWindow: hw, fft: fft)
        } else {
            maximumLag = max(minimumLag + 1, Int((sampleRate / settings.floor).rounded(.down)) + 1)
            brentMax = maximumLag
            let n = nextPowerOfTwo(nsampWindow + maximumLag + 2)
            fft = FFTWorkspace(size: n)
            fft2 = FFTWorkspace(size: n)
            window = []
            windowR = []
            inverseWindowR = []
            r = [Float](repeating: 0, count: maximumLag + 2)
            robust = nil
        }
        energies = .allocate(capacity: settings.method == .cc ? maximumLag + 2 : 0)
        energies.initialize(repeating: 0)
    }

    deinit { energies.deallocate() }

    /// Samples a frame needs on each side of its centre sample.
    public var contextSamples: Int { halfWindow + maximumLag + nsampPeriod + 4 }

    /// Frames whose intensity (local peak / global peak) is below this value are unvoiced on
    /// every best path of `findPitchPath` with frame step `timeStep`, so their voiced
    /// candidates need not be computed (a saving only, the path is the same):
    /// a voiced candidate scores at most 1 (strength ≤ 1, octave cost ≥ 0), the unvoiced one
    /// `vt + 2 − intensity / silenceScale`, and replacing a voiced frame by an unvoiced one
    /// changes the transition costs around it by at most 2 × the voiced/unvoiced cost. So
    /// when `vt + 2 − intensity / silenceScale > 1 + 2·vuCost + margin`, the unvoiced
    /// choice is strictly better whatever the neighbours are. The margin (0.05) covers
    /// Float rounding of the path scores. Returns 0 (never skip) for negative costs.
    public func silentIntensity(timeStep: Double) -> Float {
        guard settings.silenceThreshold > 0, settings.octaveCost >= 0, settings.octaveJumpCost >= 0,
            settings.voicedUnvoicedCost >= 0, timeStep > 0
        else { return 0 }
        let vuCost = settings.voicedUnvoicedCost * 0.01 / timeStep
        let silenceScale = settings.silenceThreshold / (1 + settings.voicingThreshold)
        let room = settings.voicingThreshold + 1 - 2 * vuCost - 0.05
        return room > 0 ? Float(silenceScale * room) : 0
    }

    /// Analyses the frame centred at global time `t`, from `x` holding global samples
    /// `[start, start + x.count)`. `mean` is the channel's DC offset, `globalPeak` its
    /// largest |x - mean|.
    /// Frames with intensity below `skipBelow` (see `silentIntensity`) get no voiced candidates.
    func analyze(
        t: Double, x: UnsafeBufferPointer<Float>, start: Int, globalPeak: Float, skipBelow: Float = 0,
        into c: inout FrameCandidates
    ) {
        c.count = 0
        c.intensity = 0
        // Sample i is centred at (i + 0.5) / fs.
        let left = Int((t * sampleRate - 0.5).rounded(.down))
        let right = left + 1
        let n = x.count
        @inline(__always) func sample(_ g: Int) -> Float {
            let i = g - start
            return (i >= 0 && i < n) ? x[i] : 0
        }
        // Local mean over one longest period to both sides.
        var sum: Double = 0
        var cnt = 0
        let m0 = max(right - nsampPeriod, start), m1 = min(left + nsampPeriod, start + n - 1)
        if m1 >= m0 {
            sum = sumAsDouble(x.baseAddress! + (m0 - start), m1 - m0 + 1)
            cnt = m1 - m0 + 1
        }
        let localMean = cnt > 0 ? Float(sum / Double(cnt)) : 0
        let frameStart = right - halfWindow
        if let robust {
            var localPeak: Float = 0
            for g in max(start, right - halfPeriod)...max(start, min(start + n - 1, left + halfPeriod)) where g < start + n {
                localPeak = max(localPeak, abs(x[g - start] - localMean))
            }
            c.intensity = globalPeak > 0 ? min(1, localPeak / globalPeak) : 0
            if localPeak == 0 || c.intensity < skipBelow { return }
            robust.analyze(frameStart: frameStart, localMean: localMean, x: x, start: start, into: &c)
        } else if settings.method == .ac {
            let buf = fft.real
            let off = frameStart - start
            window.withUnsafeBufferPointer { w in
                if off >= 0 && off + nsampWindow <= n {
                    let src = x.baseAddress! + off
                    for j in 0..<nsampWindow { buf[j] = (src[j] - localMean) * w[j] }
                } else {
                    for j in 0..<nsampWindow { buf[j] = (sample(frameStart + j) - localMean) * w[j] }
                }
            }
            var localPeak: Float = 0
            let p0 = max(0, halfWindow - halfPeriod), p1 = min(nsampWindow - 1, halfWindow + halfPeriod)
            if p1 >= p0 { localPeak = maxAbs(buf.baseAddress! + p0, p1 - p0 + 1) }
            c.intensity = globalPeak > 0 ? min(1, localPeak / globalPeak) : 0
            if localPeak == 0 || c.intensity < skipBelow { return }
            fft.autocorrelateInPlace(count: nsampWindow)
            let r0 = buf[0]
            guard r0 > 0 else { return }
            let upper = min(brentMax, maximumLag + 1)
            r.withUnsafeMutableBufferPointer { rr in
                let inv = 1 / r0
                inverseWindowR.withUnsafeBufferPointer { iw in
                    for i in 0...upper { rr[i] = buf[i] * inv * iw[i] }
                }
                collectCandidates(rr, upper: upper, into: &c)
            }
        } else {
            // Forward cross-correlation of one window with the signal `lag` samples later.
            let a = fft.real, b = fft2!.real
            let total = nsampWindow + maximumLag
            let size = fft.plan.size
            var localPeak: Float = 0
            let off = frameStart - maximumLag / 2 - start
            if off >= 0 && off + total <= n {
                let src = x.baseAddress! + off
                for j in 0..<total { b[j] = src[j] - localMean }
            } else {
                for j in 0..<total { b[j] = sample(frameStart + j - maximumLag / 2) - localMean }
            }
            let centre = halfWindow + maximumLag / 2
            let p0 = max(0, centre - halfPeriod), p1 = min(total - 1, centre + halfPeriod)
            if p1 >= p0 { localPeak = maxAbs(b.baseAddress! + p0, p1 - p0 + 1) }
            c.intensity = globalPeak > 0 ? min(1, localPeak / globalPeak) : 0
            if localPeak == 0 || c.intensity < skipBelow { return }
            for j in 0..<nsampWindow { a[j] = b[j] }
            for j in nsampWindow..<size { a[j] = 0 }
            for j in total..<size { b[j] = 0 }
            // Prefix energies of b for the sliding denominator.
            var energyA: Double = 0
            for j in 0..<nsampWindow { energyA += Double(a[j]) * Double(a[j]) }
            var energyB: Double = energyA
            let energies = self.energies
            energies[0] = energyB
            for lag in 1...(maximumLag + 1) where lag + nsampWindow - 1 < total {
                let out = Double(b[lag - 1]), inn = Double(b[lag + nsampWindow - 1])
                energyB += inn * inn - out * out
                energies[lag] = max(energyB, 0)
            }
            fft.forward()
            fft2!.forward()
            let sa = fft.spectrum, sb = fft2!.spectrum
            let scale = 1 / Float(size)
            var k = 0
            while k < sa.count {
                // conj(A) * B
                let ar = sa[k], ai = sa[k + 1], br = sb[k], bi = sb[k + 1]
                sa[k] = (ar * br + ai * bi) * scale
                sa[k + 1] = (ar * bi - ai * br) * scale
                k += 2
            }
            fft.backward()
            let upper = min(maximumLag, total - nsampWindow)
            r.withUnsafeMutableBufferPointer { rr in
                // Two lags at a time: IEEE square root and division are correctly rounded,
                // so the vector form gives the scalar results exactly.
                var lag = 0
                let ea = SIMD2<Double>(repeating: energyA)
                while lag + 1 <= upper {
                    let d = (ea * SIMD2(energies[lag], energies[lag + 1])).squareRoot()
                    let q = SIMD2(Double(a[lag]), Double(a[lag + 1])) / d
                    rr[lag] = d[0] > 0 ? Float(q[0]) : 0
                    rr[lag + 1] = d[1] > 0 ? Float(q[1]) : 0
                    lag += 2
                }
                while lag <= upper {
                    let d = (energyA * energies[lag]).squareRoot()
                    rr[lag] = d > 0 ? Float(Double(a[lag]) / d) : 0
                    lag += 1
                }
                collectCandidates(rr, upper: upper, into: &c)
            }
        }
    }

    /// Local maxima of r above half the voicing threshold, refined by parabolic
    /// interpolation; the strongest `maxCandidates - 1` are kept.
    private func collectCandidates(_ r: UnsafeMutableBufferPointer<Float>, upper: Int, into c: inout FrameCandidates) {
        let threshold = Float(0.5 * settings.voicingThreshold)
        let lo = max(minimumLag, 1)
        guard upper - 1 >= lo else { return }
        for i in lo..<upper {
            let ri = r[i]
            guard ri > threshold, ri > r[i - 1], ri >= r[i + 1] else { continue }
            let dr = 0.5 * (r[i + 1] - r[i - 1])
            let d2r = 2 * ri - r[i - 1] - r[i + 1]
            var place = Float(i)
            var strength = ri
            if d2r > 0 {
                let shift = dr / d2r
                place += shift
                strength = ri + 0.5 * dr * shift
            }
            if strength > 1 { strength = 1 / strength }
            let f = Float(sampleRate) / place
            if Double(f) > settings.ceiling || Double(f) < settings.floor * 0.5 { continue }
            c.offer(f, strength, limit: maxVoiced)
        }
    }
}

/// Praat's path finder: chooses one candidate per frame (or unvoiced) maximising the summed
/// candidate strengths minus transition costs, by dynamic programming over the frames.
func findPitchPath(_ frames: [FrameCandidates], settings: PitchSettings, timeStep: Double) -> (f0: [Float], strength: [Float]) {
    let n = frames.count
    var f0 = [Float](repeating: 0, count: n)
    var st = [Float](repeating: 0, count: n)
    guard n > 0 else { return (f0, st) }
    let correction = 0.01 / timeStep
    let octaveJump = Float(settings.octaveJumpCost * correction)
    let vuCost = Float(settings.voicedUnvoicedCost * correction)
    let vt = Float(settings.voicingThreshold)
    let silenceScale = Float(settings.silenceThreshold / (1 + settings.voicingThreshold))
    let octaveCost = Float(settings.octaveCost)
    let ceilingLog = Float(log2(settings.ceiling))
    let width = settings.maxCandidates  // slot 0 = unvoiced, 1... = voiced
    var delta = [Float](repeating: -.infinity, count: n * width)
    var logf = [Float](repeating: 0, count: n * width)
    var back = [Int32](repeating: 0, count: n * width)
    var score = [Float](repeating: 0, count: width)
    var next = [Float](repeating: 0, count: width)
    for i in 0..<n {
        let fr = frames[i]
        let unvoiced = settings.silenceThreshold <= 0 ? vt : vt + max(0, 2 - fr.intensity / silenceScale)
        delta[i * width] = unvoiced
        for k in 0..<fr.count {
            let f = fr.frequency[k]
            let lf = log2(f)
            logf[i * width + k + 1] = lf
            delta[i * width + k + 1] = fr.strength[k] - octaveCost * (ceilingLog - lf)
        }
    }
    for k in 0..<width { score[k] = delta[k] }
    for i in 1..<n {
        let prevCount = frames[i - 1].count + 1
        let curCount = frames[i].count + 1
        for k in 0..<curCount {
            var best = -Float.infinity
            var arg = 0
            let lfk = logf[i * width + k]
            for p in 0..<prevCount {
                var cost: Float
                if k == 0 {
                    cost = p == 0 ? 0 : vuCost
                } else if p == 0 {
                    cost = vuCost
                } else {
                    cost = octaveJump * abs(logf[(i - 1) * width + p] - lfk)
                }
                let s = score[p] - cost
                if s > best { best = s; arg = p }
            }
            next[k] = best + delta[i * width + k]
            back[i * width + k] = Int32(arg)
        }
        for k in curCount..<width { next[k] = -.infinity }
        swap(&score, &next)
    }
    var k = 0
    for j in 1..<(frames[n - 1].count + 1) where score[j] > score[k] { k = j }
    var i = n - 1
    while true {
        if k > 0 {
            f0[i] = frames[i].frequency[k - 1]
            st[i] = frames[i].strength[k - 1]
        }
        if i == 0 { break }
        k = Int(back[i * width + k])
        i -= 1
    }
    return (f0, st)
}

/// Analyses the frames `range` of `grid` from a block of samples, running the path finder
/// over `contextRange` ⊇ `range` and returning the result for `range` only.
public func analyzePitchBlock(
    analyzer: PitchFrameAnalyzer, grid: FrameGrid, contextRange: Range<Int>, range: Range<Int>,
    samples: UnsafeBufferPointer<Float>, start: Int, globalPeak: Float
) -> (f0: [Float], strength: [Float]) {
    var frames: [FrameCandidates] = []
    frames.reserveCapacity(contextRange.count)
    var c = FrameCandidates(capacity: analyzer.settings.maxCandidates)
    let skipBelow = analyzer.silentIntensity(timeStep: grid.dt)
    for i in contextRange {
        analyzer.analyze(t: grid.time(i), x: samples, start: start, globalPeak: globalPeak, skipBelow: skipBelow, into: &c)
        frames.append(c)
    }
    let path = findPitchPath(frames, settings: analyzer.settings, timeStep: grid.dt)
    let a = range.lowerBound - contextRange.lowerBound
    let b = a + range.count
    return (Array(path.f0[a..<b]), Array(path.strength[a..<b]))
}

/// Whole-signal convenience: the pitch track of an in-memory signal (tests, short clips).
public func pitchTrack(samples: [Float], sampleRate: Double, settings: PitchSettings = PitchSettings()) -> PitchTrack? {
    guard
        let grid = analysisGrid(
            samples: samples.count, sampleRate: sampleRate,
            windowDuration: settings.windowDuration, timeStep: settings.effectiveTimeStep)
    else { return nil }
    let peak = peakAboveMean(samples)
    let analyzer = PitchFrameAnalyzer(settings: settings, sampleRate: sampleRate)
    let r = samples.withUnsafeBufferPointer {
        analyzePitchBlock(
            analyzer: analyzer, grid: grid, contextRange: 0..<grid.count, range: 0..<grid.count,
            samples: $0, start: 0, globalPeak: peak)
    }
    return PitchTrack(grid: grid, f0: r.f0, strength: r.strength)
}

/// Largest |x − mean| of an in-memory signal: the global peak of the whole-signal helpers
/// (streamed files take it from `AudioScan.globalPeaks`).
func peakAboveMean(_ samples: [Float]) -> Float {
    var mean: Double = 0
    for v in samples { mean += Double(v) }
    mean /= Double(max(1, samples.count))
    var peak: Float = 0
    for v in samples { peak = max(peak, abs(v - Float(mean))) }
    return peak
}
