import CandorDSP
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Computes the report from pulses (and their amplitudes) of one range plus HNR frames.
/// `jitterPulses` (default: `pulses`) are the times the jitter measures use. (The same
/// computation as `VoiceData.report`, from arrays.)
func voiceReport(
    pulses t: [Double], amplitudes a: [Double?], jitterPulses: [Double]? = nil,
    hnrFrames: [Double], settings: VoiceSettings = VoiceSettings()
) -> VoiceReport {
    var acc = VoiceAccumulator(settings: settings)
    // One chunk, no cuts: the reference the chunked `VoiceData.report` must reproduce.
    acc.addChunk(times: t, amplitudes: a, jitterTimes: jitterPulses ?? t)
    var hnr = HNRStats()
    for x in hnrFrames { hnr.add(x) }
    return acc.report(hnr: hnr)
}

/// The `voice` object of the analysis JSON (docs/json-schema.md): Praat's jitter, shimmer and HNR as
/// fractions (not percent), plus their uncertainty. A measure that cannot be computed is
/// null, and `reason` says why; it is never a made-up number.
public struct VoiceReport: Sendable, Codable, Equatable {
    public var pulses: Int
    /// Periods counted by the mean period (Praat's rules).
    public var periodsUsed = 0
    /// Pulses with an amplitude (both surrounding intervals are periods).
    public var amplitudesUsed = 0
    public var hnrFrames = 0
    public var jitterLocal: Double?
    public var jitterLocalAbs: Double?
    public var jitterRap: Double?
    public var jitterPpq5: Double?
    public var jitterDdp: Double?
    public var shimmerLocal: Double?
    public var shimmerLocalDB: Double?
    public var shimmerApq3: Double?
    public var shimmerApq5: Double?
    public var shimmerApq11: Double?
    public var shimmerDda: Double?
    public var hnrDB: Double?
    public var jitterLocalSE: Double?
    public var jitterLocalAbsSE: Double?
    public var jitterRapSE: Double?
    public var jitterPpq5SE: Double?
    public var jitterDdpSE: Double?
    public var shimmerLocalSE: Double?
    public var shimmerLocalDBSE: Double?
    public var shimmerApq3SE: Double?
    public var shimmerApq5SE: Double?
    public var shimmerApq11SE: Double?
    public var shimmerDdaSE: Double?
    public var hnrDBSE: Double?
    /// False when fewer than 20 periods were used, a measure is missing, or clipping biases it.
    public var reliable = false
    public var reason: String?

    public init(pulses: Int) { self.pulses = pulses }

    package enum CodingKeys: String, CodingKey {
        case pulses, reliable, reason
        case periodsUsed = "periods_used"
        case amplitudesUsed = "amplitudes_used"
        case hnrFrames = "hnr_frames"
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
        case hnrDB = "hnr_db"
        case jitterLocalSE = "jitter_local_se"
        case jitterLocalAbsSE = "jitter_local_abs_s_se"
        case jitterRapSE = "jitter_rap_se"
        case jitterPpq5SE = "jitter_ppq5_se"
        case jitterDdpSE = "jitter_ddp_se"
        case shimmerLocalSE = "shimmer_local_se"
        case shimmerLocalDBSE = "shimmer_local_db_se"
        case shimmerApq3SE = "shimmer_apq3_se"
        case shimmerApq5SE = "shimmer_apq5_se"
        case shimmerApq11SE = "shimmer_apq11_se"
        case shimmerDdaSE = "shimmer_dda_se"
        case hnrDBSE = "hnr_db_se"
    }

    /// Writes every key, with null for missing values (the JSON contract needs the keys).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(pulses, forKey: .pulses)
        try c.encode(periodsUsed, forKey: .periodsUsed)
        try c.encode(amplitudesUsed, forKey: .amplitudesUsed)
        try c.encode(hnrFrames, forKey: .hnrFrames)
        let values: [(Double?, CodingKeys)] = [
            (jitterLocal, .jitterLocal), (jitterLocalAbs, .jitterLocalAbs), (jitterRap, .jitterRap),
            (jitterPpq5, .jitterPpq5), (jitterDdp, .jitterDdp), (shimmerLocal, .shimmerLocal),
            (shimmerLocalDB, .shimmerLocalDB), (shimmerApq3, .shimmerApq3), (shimmerApq5, .shimmerApq5),
            (shimmerApq11, .shimmerApq11), (shimmerDda, .shimmerDda), (hnrDB, .hnrDB),
            (jitterLocalSE, .jitterLocalSE), (jitterLocalAbsSE, .jitterLocalAbsSE), (jitterRapSE, .jitterRapSE),
            (jitterPpq5SE, .jitterPpq5SE), (jitterDdpSE, .jitterDdpSE), (shimmerLocalSE, .shimmerLocalSE),
            (shimmerLocalDBSE, .shimmerLocalDBSE), (shimmerApq3SE, .shimmerApq3SE), (shimmerApq5SE, .shimmerApq5SE),
            (shimmerApq11SE, .shimmerApq11SE), (shimmerDdaSE, .shimmerDdaSE), (hnrDBSE, .hnrDBSE),
        ]
        for (v, k) in values {
            if let v, v.isFinite { try c.encode(v, forKey: k) } else { try c.encodeNil(forKey: k) }
        }
        try c.encode(reliable, forKey: .reliable)
        try c.encode(reason, forKey: .reason)
    }
}
