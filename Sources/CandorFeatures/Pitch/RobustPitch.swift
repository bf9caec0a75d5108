#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import CandorDSP

/// The frame scorer of `--method robust`: a spectral-template pitch estimator in the manner
/// of SWIPE′ (Camacho & Harris 2008, "A sawtooth waveform inspired pitch estimator for
/// speech and music", JASA 124(3)).
///
/// Each frame's Hann-windowed spectrum is square-root compressed; a pitch candidate f
/// scores the match of that spectrum with a kernel that has a positive lobe at f and at its
/// prime multiples (SWIPE′ keeps only the first and the prime harmonics so that f/2 cannot
/// collect the even harmonics) and half-weight negative lobes half a harmonic spacing to
/// either side, each lobe weighted by 1/√(frequency). As in SWIPE′ the score is the cosine
/// between kernel and spectrum (kernel · spectrum / (‖kernel‖ ‖spectrum‖), the spectrum's
/// norm taken over the kernels' band), so a candidate that explains more harmonics scores
/// higher (f rather than 3f), a flat (white) spectrum scores about 0 whatever its level, and
/// a noise floor lowers the score: it doubles as the voicing strength of the path finder
/// (scaled by `RobustPitchDefaults.strengthGain`, capped at 1).
///
/// Candidates are scored on a grid of 48 steps per octave from the floor to the ceiling;
/// local maxima are refined by parabolic interpolation in log frequency and passed to
/// Praat's path finder (`findPitchPath`) with the robust method's own costs.
final class RobustPitchScorer {
    let sampleRate: Double
    let nsampWindow: Int
    let halfWindow: Int
    let fft: FFTWorkspace
    let window: [Float]
    /// Candidate frequencies (Hz) and their log2.
    let grid: [Float]
    let logGrid: [Float]
    /// Per candidate: the range of its lobes in `lobeBin` / `lobeFrac` / `lobeWeight`.
    let lobeStart: [Int32]
    let lobeBin: [Int32]
    let lobeFrac: [Float]
    let lobeWeight: [Float]
    /// Per candidate: 1 / ‖kernel‖.
    let inverseNorm: [Float]
    /// Spectrum bins of the band the kernels cover.
    let bandBins: Int
    let gain: Float
    /// Square-root magnitude spectrum of the current frame.
    var amplitude: [Float]
    var score: [Float]
    let maxVoiced: Int

    static let stepsPerOctave = 48.0
    /// Highest frequency the kernel reaches (Hz): above it speech harmonics are weak and
    /// noise dominates.
    static let maxHarmonicHz = 3300.0

    /// `fft` is the caller's workspace (at least 4 × the window, for a fine spectrum).
    init(settings: PitchSettings, sampleRate: Double, halfWindow: Int, fft: FFTWorkspace) {
        self.sampleRate = sampleRate
        self.halfWindow = halfWindow
        nsampWindow = 2 * halfWindow
        maxVoiced = settings.maxCandidates - 1
        let size = fft.plan.size
        self.fft = fft
        let len = 2 * halfWindow
        window = (0..<len).map { j in
            Float(0.5 - 0.5 * cos(2 * Double.pi * (Double(j) + 0.5) / Double(len)))
        }
        var g: [Float] = []
        var f = settings.floor
        while f <= settings.ceiling * 1.0001 {
            g.append(Float(f))
            f *= pow(2, 1 / Self.stepsPerOctave)
        }
        grid = g
        logGrid = g.map { log2($0) }
        let binHz = sampleRate / Double(size)
        let top = min(Self.maxHarmonicHz, 0.45 * sampleRate)
        var starts: [Int32] = [0]
        var bins: [Int32] = []
        var fracs: [Float] = []
        var weights: [Float] = []
        var norms: [Float] = []
        func lobe(_ hz: Double, _ w: Double) {
            let b = hz / binHz
            guard b + 1 < Double(size / 2) else { return }
            let i = Int(b.rounded(.down))
            bins.append(Int32(i))
            fracs.append(Float(b - Double(i)))
            weights.append(Float(w / hz.squareRoot()))
        }
        for f0 in g {
            let f0 = Double(f0)
            var p = 1
            while Double(p) * f0 <= top {
                if p == 1 || Self.isPrime(p) {
                    lobe(Double(p) * f0, 1)
                    lobe((Double(p) - 0.5) * f0, -0.5)
                    lobe((Double(p) + 0.5) * f0, -0.5)
                }
                p += 1
            }
            starts.append(Int32(bins.count))
            let lobes = weights[Int(starts[starts.count - 2])...]
            norms.append(1 / max(lobes.reduce(0) { $0 + $1 * $1 }.squareRoot(), .leastNormalMagnitude))
        }
        inverseNorm = norms
        bandBins = min(size / 2, Int((top + 0.5 * settings.ceiling) / binHz) + 2)
        gain = Float(RobustPitchDefaults.strengthGain)
        lobeStart = starts
        lobeBin = bins
        lobeFrac = fracs
        lobeWeight = weights
        amplitude = [Float](repeating: 0, count: size / 2 + 2)
        score = [Float](repeating: 0, count: g.count)
    }

    static func isPrime(_ n: Int) -> Bool {
        if n < 2 { return false }
        var d = 2
        while d * d <= n {
            if n % d == 0 { return false }
            d += 1
        }
        return true
    }

    /// Scores the frame whose first sample is `frameStart` (global index) and fills the
    /// voiced candidates of `c` (its intensity is set by the caller).
    func analyze(
        frameStart: Int, localMean: Float, x: UnsafeBufferPointer<Float>, start: Int,
        into c: inout FrameCandidates
    ) {
        let buf = fft.real
        let n = x.count
        let off = frameStart - start
        window.withUnsafeBufferPointer { w in
            for j in 0..<nsampWindow {
                let i = off + j
                let v = (i >= 0 && i < n) ? x[i] : 0
                buf[j] = (v - localMean) * w[j]
            }
        }
        let size = fft.plan.size
        (buf.baseAddress! + nsampWindow).update(repeating: 0, count: size - nsampWindow)
        fft.forward()
        let s = fft.spectrum
        amplitude.withUnsafeMutableBufferPointer { a in
            for k in 0..<(size / 2 + 1) {
                let re = s[2 * k], im = s[2 * k + 1]
                a[k] = (re * re + im * im).squareRoot().squareRoot()
            }
            a[size / 2 + 1] = 0
            var energy: Float = 0
            for k in 1..<bandBins { energy += a[k] * a[k] }
            guard energy > 0 else {
                for g in 0..<score.count { score[g] = 0 }
                return
            }
            let scale = gain / energy.squareRoot()
            score.withUnsafeMutableBufferPointer { sc in
                lobeBin.withUnsafeBufferPointer { bin in
                    lobeFrac.withUnsafeBufferPointer { frac in
                        lobeWeight.withUnsafeBufferPointer { wt in
                            for g in 0..<grid.count {
                                var num: Float = 0
                                for l in Int(lobeStart[g])..<Int(lobeStart[g + 1]) {
                                    let b = Int(bin[l])
                                    num += wt[l] * (a[b] + frac[l] * (a[b + 1] - a[b]))
                                }
                                sc[g] = num * inverseNorm[g] * scale
                            }
                        }
                    }
                }
            }
        }
        collect(into: &c)
    }

    /// Local maxima of the score above zero, refined by parabolic interpolation in log
    /// frequency; the strongest `maxCandidates − 1` are kept.
    private func collect(into c: inout FrameCandidates) {
        c.count = 0
        let m = score.count
        guard m >= 3 else { return }
        for g in 0..<m {
            let v = score[g]
            let l = g > 0 ? score[g - 1] : -1
            let r = g + 1 < m ? score[g + 1] : -1
            guard v > 0, v > l, v >= r else { continue }
            var lf = logGrid[g]
            var strength = v
            if g > 0 && g + 1 < m {
                let d2 = 2 * v - l - r
                if d2 > 0 {
                    let shift = 0.5 * (r - l) / d2
                    lf += shift / Float(Self.stepsPerOctave)
                    strength = v + 0.25 * (r - l) * shift
                }
            }
            c.offer(exp2(lf), min(strength, 1), limit: maxVoiced)
        }
    }
}

/// Default settings of `--method robust`, chosen on the Keele development speakers f1, f2,
/// m1, m2 in clean speech and 9-talker babble (benchmarks/RESULTS.md); the other six
/// speakers are held out. The floor is lower than Praat's 75 Hz: low male voices (and
/// creak) reach 60 Hz, and the template scorer does not need the floor to set its window
/// short.
public enum RobustPitchDefaults {
    public static let floor = 60.0
    /// Window of 4 periods of the floor (67 ms at 60 Hz): harmonics 1/(2·4) of a floor
    /// period apart stay resolved in the Hann spectrum.
    public static let periodsPerWindow = 4.0
    public static let timeStep = 0.01
    /// Template scores (× `strengthGain`) of voiced frames are lower than Praat's
    /// correlation strengths, so the threshold is lower; the path costs are Praat's.
    public static let voicingThreshold = 0.15
    public static let silenceThreshold = 0.03
    public static let octaveCost = 0.01
    public static let octaveJumpCost = 0.35
    public static let voicedUnvoicedCost = 0.14
    /// Scale from the cosine score to the path finder's strength.
    public static let strengthGain = 4.0
}
