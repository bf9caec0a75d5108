import CandorCore
import Foundation

/// A synthetic sustained voice with known truth.
///
/// Source: a Rosenberg (1971) glottal flow pulse per period (rising cosine for 2/3 of the
/// open phase, falling quarter-cosine to closure), differentiated analytically (which models
/// the lip radiation). Each pulse is scaled so that the flow derivative's negative peak at
/// closure equals the pulse's amplitude A_k, so the excitation strength does not drift
/// with the period. The pulse time (glottal closure instant) is the end of each period.
///
/// The source is rendered at 8× the output rate and decimated by a windowed-sinc low-pass,
/// so sub-sample pulse positions are represented faithfully (needed for jitter truth well
/// below one sample). It then runs through a cascade of 2-pole formant resonators
/// (Klatt 1980), gets optional white Gaussian noise at a chosen SNR (measured over the
/// voiced samples), and optional clipping.
public enum SynthVoice {
    /// A time interval in seconds, [start, end).
    public struct Span: Sendable, Codable, Equatable {
        public var start: Double
        public var end: Double
        public init(_ start: Double, _ end: Double) {
            self.start = start
            self.end = end
        }
        public func contains(_ t: Double) -> Bool { t >= start && t < end }
    }

    /// F0 contour: a log-linear glide from `startHz` to `endHz` over the whole duration,
    /// times an optional sinusoidal vibrato of `vibratoSemitones` (peak) at `vibratoRateHz`.
    public struct F0Contour: Sendable, Codable, Equatable {
        public var startHz: Double
        public var endHz: Double
        public var vibratoSemitones: Double
        public var vibratoRateHz: Double
        public init(startHz: Double, endHz: Double? = nil, vibratoSemitones: Double = 0, vibratoRateHz: Double = 5) {
            self.startHz = startHz
            self.endHz = endHz ?? startHz
            self.vibratoSemitones = vibratoSemitones
            self.vibratoRateHz = vibratoRateHz
        }
        public static func constant(_ hz: Double) -> F0Contour { F0Contour(startHz: hz) }
        public static func glide(from a: Double, to b: Double) -> F0Contour { F0Contour(startHz: a, endHz: b) }
        public static func vibrato(_ hz: Double, semitones: Double, rateHz: Double) -> F0Contour {
            F0Contour(startHz: hz, vibratoSemitones: semitones, vibratoRateHz: rateHz)
        }
        /// F0 in Hz at time t of a signal lasting `duration` seconds.
        public func hz(at t: Double, duration: Double) -> Double {
            let x = duration > 0 ? min(1, max(0, t / duration)) : 0
            let glide = startHz * pow(endHz / startHz, x)
            guard vibratoSemitones != 0 else { return glide }
            return glide * pow(2, vibratoSemitones / 12 * sin(2 * Double.pi * vibratoRateHz * t))
        }
    }

    /// A formant resonator: centre frequency and bandwidth in Hz.
    public struct Formant: Sendable, Codable, Equatable {
        public var frequency: Double
        public var bandwidth: Double
        public init(_ frequency: Double, _ bandwidth: Double) {
            self.frequency = frequency
            self.bandwidth = bandwidth
        }
        /// Vowel /a/ of an adult male voice (Peterson & Barney 1952 means, typical bandwidths).
        public static let vowelAMale = [Formant(730, 80), Formant(1090, 90), Formant(2440, 120), Formant(3400, 180)]
        /// Vowel /a/ of an adult female voice.
        public static let vowelAFemale = [Formant(850, 90), Formant(1220, 100), Formant(2810, 140), Formant(3800, 200)]
    }

    public struct Config: Sendable, Codable, Equatable {
        public var sampleRate: Int = 16000
        public var duration: Double = 3
        public var f0: F0Contour = .constant(120)
        /// Target local jitter (fraction): periods get independent Gaussian perturbations
        /// whose expected local jitter (mean |T_i − T_{i−1}| / mean T) equals this value.
        public var jitter: Double = 0
        /// Target local shimmer (fraction), the same construction on pulse amplitudes.
        public var shimmer: Double = 0
        /// Signal-to-noise ratio in dB of added white Gaussian noise (nil = no noise).
        public var snrDB: Double? = nil
        /// Formant cascade; nil picks /a/ male below 165 Hz mean F0, female above.
        public var formants: [Formant]? = nil
        /// Voiced stretches; nil = voiced from 0 to `duration`. Elsewhere there are no pulses.
        public var voiced: [Span]? = nil
        /// Stretches of unvoiced, fricative-like noise (high-passed white noise).
        public var fricatives: [Span] = []
        /// RMS of fricative noise relative to the voiced RMS.
        public var fricativeLevel: Double = 0.3
        /// Open quotient of the glottal cycle.
        public var openQuotient: Double = 0.6
        /// Peak absolute value of the clean signal before noise.
        public var peak: Double = 0.5
        /// If set, the final signal is hard-clipped at ± this value (to test clipping).
        public var clipLevel: Double? = nil
        public var seed: UInt64 = 1

        public init() {}

        public init(
            f0: Double, jitter: Double = 0, shimmer: Double = 0, snrDB: Double? = nil,
            duration: Double = 3, sampleRate: Int = 16000, seed: UInt64 = 1
        ) {
            self.f0 = .constant(f0)
            self.jitter = jitter
            self.shimmer = shimmer
            self.snrDB = snrDB
            self.duration = duration
            self.sampleRate = sampleRate
            self.seed = seed
        }

        var voicedSpans: [Span] { voiced ?? [Span(0, duration)] }
    }

    /// Renders the voice. Deterministic: the same config gives bit-identical samples.
    public static func render(_ config: Config) throws -> SynthResult {
        guard config.sampleRate >= 4000, config.sampleRate <= 192_000 else {
            throw SynthError("sample rate \(config.sampleRate) Hz is outside 4000–192000")
        }
        guard config.duration > 0, config.duration <= 3600 else { throw SynthError("duration must be in (0, 3600] s") }
        guard config.f0.startHz >= 20, config.f0.endHz >= 20,
            config.f0.startHz < Double(config.sampleRate) / 4, config.f0.endHz < Double(config.sampleRate) / 4
        else {
            throw SynthError("F0 must be between 20 Hz and a quarter of the sample rate")
        }
        guard config.jitter >= 0, config.jitter < 0.2, config.shimmer >= 0, config.shimmer < 0.5 else {
            throw SynthError("jitter must be in [0, 0.2) and shimmer in [0, 0.5)")
        }
        guard config.openQuotient > 0.1, config.openQuotient < 1 else { throw SynthError("open quotient must be in (0.1, 1)") }
        var rng = SplitMix64(seed: config.seed)
        let fs = Double(config.sampleRate)
        let n = Int((config.duration * fs).rounded())

        // 1. Glottal closure instants and amplitudes.
        // E|e_i − e_{i−1}| = 2/√π for independent standard normals, hence the factor √π/2.
        let sigmaT = config.jitter * Double.pi.squareRoot() / 2
        let sigmaA = config.shimmer * Double.pi.squareRoot() / 2
        var pulses: [Double] = [], amps: [Double] = [], periods: [Double] = []
        for span in config.voicedSpans {
            var t = max(0, span.start)
            let end = min(span.end, config.duration)
            while true {
                let nominal = 1 / config.f0.hz(at: t, duration: config.duration)
                let T = nominal * min(1.5, max(0.5, 1 + sigmaT * rng.gaussian()))
                let A = min(2, max(0.2, 1 + sigmaA * rng.gaussian()))
                if t + T > end { break }
                t += T
                pulses.append(t)
                periods.append(T)
                amps.append(A)
            }
        }

        // 2. Flow-derivative source at 8× rate.
        let over = 8
        let fsHi = fs * Double(over)
        var source = [Float](repeating: 0, count: n * over + 1)
        let oq = config.openQuotient
        source.withUnsafeMutableBufferPointer { src in
            for k in pulses.indices {
                let closure = pulses[k], T = periods[k]
                let te = oq * T, tp = te * 2 / 3, tn = te - tp
                let open = closure - te
                // Scale so the derivative at closure is −A: flow amplitude = A · 2·tn/π.
                let flow = amps[k] * 2 * tn / Double.pi
                let j0 = max(0, Int((open * fsHi).rounded(.up)))
                let j1 = min(src.count - 1, Int((closure * fsHi).rounded(.down)))
                if j0 > j1 { continue }
                for j in j0...j1 {
                    let tau = Double(j) / fsHi - open
                    let d: Double
                    if tau < tp {
                        d = flow * 0.5 * Double.pi / tp * sin(Double.pi * tau / tp)
                    } else {
                        d = -flow * Double.pi / (2 * tn) * sin(Double.pi * (tau - tp) / (2 * tn))
                    }
                    src[j] += Float(d)
                }
            }
        }

        // 3. Decimate with a Blackman-windowed sinc low-pass at 0.45·fs.
        var out = decimate(source, factor: over, outputCount: n)

        // 4. Formant cascade.
        let meanF0 = config.f0.hz(at: config.duration / 2, duration: config.duration)
        let formants = config.formants ?? (meanF0 < 165 ? Formant.vowelAMale : Formant.vowelAFemale)
        for f in formants where f.frequency < fs / 2 {
            resonate(&out, formant: f, sampleRate: fs)
        }

        // 5. Normalise the peak, add fricatives and noise, clip.
        let peak = out.reduce(Float(0)) { max($0, abs($1)) }
        if peak > 0 {
            let g = Float(config.peak) / peak
            out.withUnsafeMutableBufferPointer { o in for i in o.indices { o[i] *= g } }
        }
        let voicedPower = power(out, spans: config.voicedSpans, sampleRate: fs)
        if !config.fricatives.isEmpty {
            let sd = config.fricativeLevel * voicedPower.squareRoot()
            for span in config.fricatives {
                let i0 = max(0, Int(span.start * fs)), i1 = min(n, Int(span.end * fs))
                var prev = 0.0
                if i0 < i1 {
                    for i in i0..<i1 {
                        let w = rng.gaussian()
                        out[i] += Float(sd * (w - prev) / 2.0.squareRoot())
                        prev = w
                    }
                }
            }
        }
        if let snr = config.snrDB {
            let sd = (voicedPower / pow(10, snr / 10)).squareRoot()
            for i in 0..<n { out[i] += Float(sd * rng.gaussian()) }
        }
        if let c = config.clipLevel {
            let c = Float(c)
            out.withUnsafeMutableBufferPointer { o in for i in o.indices { o[i] = min(c, max(-c, o[i])) } }
        }
        return SynthResult(config: config, samples: out, pulseTimes: pulses, pulseAmplitudes: amps, formants: formants)
    }

    private static func decimate(_ x: [Float], factor: Int, outputCount: Int) -> [Float] {
        let half = 24 * factor
        let cutoff = 0.45 / Double(factor)  // cycles per high-rate sample
        var h = [Float](repeating: 0, count: 2 * half + 1)
        var sum = 0.0
        for m in -half...half {
            let x = Double(m)
            let sinc = m == 0 ? 2 * cutoff : sin(2 * Double.pi * cutoff * x) / (Double.pi * x)
            let w = 0.42 + 0.5 * cos(Double.pi * x / Double(half)) + 0.08 * cos(2 * Double.pi * x / Double(half))
            h[m + half] = Float(sinc * w)
            sum += sinc * w
        }
        for i in h.indices { h[i] /= Float(sum) }
        var y = [Float](repeating: 0, count: outputCount)
        x.withUnsafeBufferPointer { xs in
            h.withUnsafeBufferPointer { hs in
                y.withUnsafeMutableBufferPointer { ys in
                    for i in 0..<outputCount {
                        let c = i * factor
                        var acc: Float = 0
                        let lo = max(-half, -c), hi = min(half, xs.count - 1 - c)
                        if lo <= hi {
                            for m in lo...hi { acc += hs[m + half] * xs[c + m] }
                        }
                        ys[i] = acc
                    }
                }
            }
        }
        return y
    }

    /// Klatt's 2-pole resonator with unity gain at 0 Hz.
    private static func resonate(_ x: inout [Float], formant: Formant, sampleRate fs: Double) {
        let c = -exp(-2 * Double.pi * formant.bandwidth / fs)
        let b = 2 * exp(-Double.pi * formant.bandwidth / fs) * cos(2 * Double.pi * formant.frequency / fs)
        let a = 1 - b - c
        var y1 = 0.0, y2 = 0.0
        x.withUnsafeMutableBufferPointer { s in
            for i in s.indices {
                let y = a * Double(s[i]) + b * y1 + c * y2
                y2 = y1
                y1 = y
                s[i] = Float(y)
            }
        }
    }

    private static func power(_ x: [Float], spans: [Span], sampleRate fs: Double) -> Double {
        var acc = 0.0, count = 0
        for s in spans {
            let i0 = max(0, Int(s.start * fs)), i1 = min(x.count, Int(s.end * fs))
            if i0 < i1 {
                for i in i0..<i1 { acc += Double(x[i]) * Double(x[i]) }
                count += i1 - i0
            }
        }
        return count > 0 ? acc / Double(count) : 0
    }
}

public struct SynthError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ d: String) { description = d }
}
