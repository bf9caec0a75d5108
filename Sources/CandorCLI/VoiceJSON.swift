import CandorFeatures

extension VoiceReport {
    /// The `voice` object of the analysis JSON (DESIGN.md keys first, then uncertainty).
    /// Missing measures are null, and `reason` says why.
    public var jsonValue: JSONValue {
        .object([
            ("pulses", .int(pulses)),
            ("jitter_local", .num(jitterLocal, 7)),
            ("jitter_local_abs_s", .num(jitterLocalAbs, 9)),
            ("jitter_rap", .num(jitterRap, 7)),
            ("jitter_ppq5", .num(jitterPpq5, 7)),
            ("jitter_ddp", .num(jitterDdp, 7)),
            ("shimmer_local", .num(shimmerLocal, 6)),
            ("shimmer_local_db", .num(shimmerLocalDB, 5)),
            ("shimmer_apq3", .num(shimmerApq3, 6)),
            ("shimmer_apq5", .num(shimmerApq5, 6)),
            ("shimmer_apq11", .num(shimmerApq11, 6)),
            ("shimmer_dda", .num(shimmerDda, 6)),
            ("hnr_db", .num(hnrDB, 3)),
            ("periods_used", .int(periodsUsed)),
            ("amplitudes_used", .int(amplitudesUsed)),
            ("hnr_frames", .int(hnrFrames)),
            ("jitter_local_se", .num(jitterLocalSE, 7)),
            ("jitter_local_abs_s_se", .num(jitterLocalAbsSE, 9)),
            ("jitter_rap_se", .num(jitterRapSE, 7)),
            ("jitter_ppq5_se", .num(jitterPpq5SE, 7)),
            ("jitter_ddp_se", .num(jitterDdpSE, 7)),
            ("shimmer_local_se", .num(shimmerLocalSE, 6)),
            ("shimmer_local_db_se", .num(shimmerLocalDBSE, 5)),
            ("shimmer_apq3_se", .num(shimmerApq3SE, 6)),
            ("shimmer_apq5_se", .num(shimmerApq5SE, 6)),
            ("shimmer_apq11_se", .num(shimmerApq11SE, 6)),
            ("shimmer_dda_se", .num(shimmerDdaSE, 6)),
            ("hnr_db_se", .num(hnrDBSE, 3)),
            ("reliable", .bool(reliable)),
            ("reason", reason.map { .string($0) } ?? .null),
        ])
    }
}
