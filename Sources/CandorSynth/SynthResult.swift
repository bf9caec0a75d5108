import Foundation

/// The rendered voice and its ground truth.
public struct SynthResult: Sendable {
    public let config: SynthVoice.Config
    public let samples: [Float]
    public var sampleRate: Double { Double(config.sampleRate) }
    public var duration: Double { Double(samples.count) / sampleRate }
    /// Glottal closure instants (s), in order.
    public let pulseTimes: [Double]
    /// Relative excitation amplitude of each pulse (≈ 1).
    public let pulseAmplitudes: [Double]
    public let formants: [SynthVoice.Formant]

    /// The true F0 at time t: the contour's value inside a voiced stretch, else 0.
    public func f0Truth(at t: Double) -> Double {
        guard config.voicedSpans.contains(where: { $0.contains(t) }) else { return 0 }
        return config.f0.hz(at: t, duration: config.duration)
    }

    /// True F0 per frame centre `t1 + i·dt` (0 where unvoiced).
    public func f0Truth(t1: Double, dt: Double, count: Int) -> [Double] {
        (0..<count).map { f0Truth(at: t1 + Double($0) * dt) }
    }

    /// Jitter and shimmer realised by the true pulses and amplitudes, with Praat's rules
    /// (periods 0.0001–0.02 s, period factor 1.3, amplitude factor 1.6). Computed here
    /// independently of CandorFeatures, so it can serve as a reference.
    public var realised: RealisedPerturbation { RealisedPerturbation(times: pulseTimes, amplitudes: pulseAmplitudes) }

    /// The truth as a JSON-encodable record.
    public func truth(frameStep: Double = 0.01) -> SynthTruth {
        let count = Int((duration / frameStep).rounded(.down))
        let t1 = frameStep / 2
        let f0 = f0Truth(t1: t1, dt: frameStep, count: count)
        return SynthTruth(
            generator: "candor-synth/1", config: config, sampleRate: config.sampleRate, samples: samples.count,
            pulseTimes: pulseTimes, pulseAmplitudes: pulseAmplitudes,
            f0Frames: zip(0..<count, f0).map { [t1 + Double($0.0) * frameStep, $0.1] },
            realised: realised)
    }
}

/// JSON truth file written next to a synthetic voice.
public struct SynthTruth: Sendable, Codable {
    public var generator: String
    public var config: SynthVoice.Config
    public var sampleRate: Int
    public var samples: Int
    public var pulseTimes: [Double]
    public var pulseAmplitudes: [Double]
    /// [[t, f0 or 0], ...] at frame centres.
    public var f0Frames: [[Double]]
    public var realised: RealisedPerturbation

    enum CodingKeys: String, CodingKey {
        case generator, config, samples, realised
        case sampleRate = "sample_rate"
        case pulseTimes = "pulse_times"
        case pulseAmplitudes = "pulse_amplitudes"
        case f0Frames = "f0_frames"
    }

    public func jsonData() throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try enc.encode(self)
    }
}

/// Praat-rule jitter and shimmer of a known point sequence with known amplitudes.
public struct RealisedPerturbation: Sendable, Codable, Equatable {
    public var periods: Int
    public var meanPeriod: Double
    public var jitterLocal: Double
    public var jitterLocalAbs: Double
    public var jitterRap: Double
    public var jitterPpq5: Double
    public var jitterDdp: Double
    public var shimmerLocal: Double
    public var shimmerLocalDB: Double
    public var shimmerApq3: Double
    public var shimmerApq5: Double
    public var shimmerApq11: Double
    public var shimmerDda: Double

    enum CodingKeys: String, CodingKey {
        case periods
        case meanPeriod = "mean_period_s"
        case jitterLocal = "jitter_local"
        case jitterLocalAbs = "jitter_local_abs_s"
        case jitterRap = "jitter_rap"
        case jitterPpq5 = "jitter_ppq5"
        case jitterDdp = "jitter_ddp"
        case shimmerLocal = "shimmer_local"
        case shimmerLocalDB = "shimmer_local_db"
        case shimmerApq3 = "shimmer_apq3"
        case shimmerApq5 = "shimmer_apq5"
        case shimmerApq11 = "shimmer_apq11"
        case shimmerDda = "shimmer_dda"
    }

    public init(
        times t: [Double], amplitudes a: [Double],
        minPeriod: Double = 0.0001, maxPeriod: Double = 0.02,
        periodFactor: Double = 1.3, amplitudeFactor: Double = 1.6
    ) {
        // Interval i runs from point i to point i+1.
        let iv = t.count > 1 ? (0..<(t.count - 1)).map { t[$0 + 1] - t[$0] } : []
        func inRange(_ p: Double) -> Bool { p >= minPeriod && p <= maxPeriod }
        func close(_ x: Double, _ y: Double, _ f: Double) -> Bool { max(x, y) <= f * min(x, y) }
        // A run of `len` consecutive intervals starting at i, all in range, neighbours within factor.
        func periodRun(_ i: Int, _ len: Int) -> Bool {
            guard i >= 0, i + len <= iv.count else { return false }
            for k in i..<(i + len) where !inRange(iv[k]) { return false }
            for k in i..<(i + len - 1) where !close(iv[k], iv[k + 1], periodFactor) { return false }
            return true
        }
        // Mean period: intervals in range with at least one neighbour that is in range and
        // within the factor (a lone period between two gaps does not count).
        var sumP = 0.0, nP = 0
        for i in iv.indices where inRange(iv[i]) {
            let left = i > 0 && inRange(iv[i - 1]) && close(iv[i], iv[i - 1], periodFactor)
            let right = i + 1 < iv.count && inRange(iv[i + 1]) && close(iv[i], iv[i + 1], periodFactor)
            guard left || right else { continue }
            sumP += iv[i]
            nP += 1
        }
        periods = nP
        meanPeriod = nP > 0 ? sumP / Double(nP) : .nan
        func jitterPQ(_ len: Int) -> Double {
            var s = 0.0, c = 0
            for i in iv.indices where periodRun(i, len) {
                let w = iv[i..<(i + len)]
                s += abs(iv[i + len / 2] - w.reduce(0, +) / Double(len))
                c += 1
            }
            return c > 0 ? s / Double(c) : .nan
        }
        var sd = 0.0, cd = 0
        for i in iv.indices where periodRun(i, 2) {
            sd += abs(iv[i + 1] - iv[i])
            cd += 1
        }
        jitterLocalAbs = cd > 0 ? sd / Double(cd) : .nan
        jitterLocal = jitterLocalAbs / meanPeriod
        jitterRap = jitterPQ(3) / meanPeriod
        jitterPpq5 = jitterPQ(5) / meanPeriod
        jitterDdp = 3 * jitterRap

        // Shimmer: an amplitude point exists for each pulse whose two surrounding intervals
        // are periods (Praat's AmplitudeTier from pulses); pairs/runs then need in-range
        // intervals between the points and amplitude ratios within the factor.
        var at: [Double] = [], av: [Double] = []
        for k in 1..<max(1, t.count - 1) where k + 1 < t.count && periodRun(k - 1, 2) {
            at.append(t[k])
            av.append(a[k])
        }
        let meanA = av.isEmpty ? Double.nan : av.reduce(0, +) / Double(av.count)
        func ampRun(_ i: Int, _ len: Int) -> Bool {
            guard i >= 0, i + len <= av.count else { return false }
            for k in i..<(i + len - 1) {
                if !inRange(at[k + 1] - at[k]) || !close(av[k], av[k + 1], amplitudeFactor) { return false }
            }
            return true
        }
        var sa = 0.0, sdb = 0.0, ca = 0
        for i in av.indices where ampRun(i, 2) {
            sa += abs(av[i + 1] - av[i])
            sdb += abs(20 * log10(av[i + 1] / av[i]))
            ca += 1
        }
        func apq(_ len: Int) -> Double {
            var s = 0.0, c = 0
            for i in av.indices where ampRun(i, len) {
                s += abs(av[i + len / 2] - av[i..<(i + len)].reduce(0, +) / Double(len))
                c += 1
            }
            return c > 0 ? s / Double(c) / meanA : .nan
        }
        shimmerLocal = ca > 0 ? sa / Double(ca) / meanA : .nan
        shimmerLocalDB = ca > 0 ? sdb / Double(ca) : .nan
        shimmerApq3 = apq(3)
        shimmerApq5 = apq(5)
        shimmerApq11 = apq(11)
        shimmerDda = 3 * shimmerApq3
    }
}
