import Foundation
import Testing
@testable import CandorModels

/// Student t, beta and Clopper–Pearson against reference values (computed with SciPy 1.17:
/// `stats.t.isf`, `stats.t.sf`, `stats.beta.ppf`).
@Suite struct StudentTTests {
    @Test(arguments: [
        (1.0, 0.05, 12.706204736174705), (2.0, 0.05, 4.302652729749464), (4.0, 0.05, 2.7764451051977943),
        (9.0, 0.05, 2.2621571627982053), (4.0, 0.013815789473684212, 4.189166926102238),
        (2.0, 0.003289473684210527, 17.39255081128783), (30.0, 0.001, 3.645958635042021),
    ])
    func quantilesMatchSciPy(df: Double, p: Double, want: Double) {
        let got = StudentT.twoSidedQuantile(p: p, df: df)
        #expect(abs(got / want - 1) < 1e-9, "df \(df) p \(p): \(got) vs \(want)")
    }

    @Test(arguments: [
        (3.0, 2.0, 0.09546596626670913), (1.0, 4.0, 0.37390096630005887),
        (10.0, 9.0, 3.578237431924736e-06), (0.5, 1.0, 0.7048327646991335),
    ])
    func pValuesMatchSciPy(t: Double, df: Double, want: Double) {
        let got = StudentT.twoSidedP(t, df: df)
        #expect(abs(got / want - 1) < 1e-9, "t \(t) df \(df): \(got) vs \(want)")
        #expect(StudentT.twoSidedP(-t, df: df) == got)
    }

    @Test(arguments: [
        (0, 10, 0.0, 0.3084971078187607), (5, 100, 0.016431879182052155, 0.11283491110546275),
        (10, 10, 0.6915028921812392, 1.0), (3, 57, 0.010988255898587256, 0.14619906431052349),
    ])
    func clopperPearsonMatchesSciPy(k: Int, n: Int, low: Double, high: Double) {
        let p = Proportion(count: k, total: n)
        #expect(abs(p.ciLow! - low) < 1e-9 && abs(p.ciHigh! - high) < 1e-9, "\(k)/\(n): \(p.ciLow!)–\(p.ciHigh!)")
        #expect(p.rate == Double(k) / Double(n))
    }

    @Test func predictionIntervalByHand() throws {
        // Baseline 10, 11, 12: mean 11, SD 1, scale √(4/3); t₂ quantile at 5% two-sided = 4.3027.
        let pi = try #require(PredictionInterval(values: [10, 11, 12], sdFloor: 0.25))
        #expect(pi.mean == 11 && abs(pi.sd - 1) < 1e-15 && !pi.floorApplied)
        #expect(abs(pi.scale - (4.0 / 3).squareRoot()) < 1e-15)
        let iv = pi.interval(alpha: 0.05)
        #expect(abs(iv.high - (11 + 4.302652729749464 * (4.0 / 3).squareRoot())) < 1e-9)
        #expect(abs(pi.p(iv.high) - 0.05) < 1e-9)
        // A floor above the SD widens the interval and is reported.
        let floored = try #require(PredictionInterval(values: [10, 10, 10.01], sdFloor: 0.25))
        #expect(floored.floorApplied && floored.sdUsed == 0.25)
    }
}

/// Draws from N(0, 1) by Box–Muller on the package's seeded generator.
struct Normals {
    var rng: SeededGenerator
    var spare: Double? = nil
    init(seed: UInt64) { rng = SeededGenerator(seed: seed) }
    mutating func uniform() -> Double { (Double(rng.next() >> 11) + 0.5) / 9_007_199_254_740_992 }
    mutating func next() -> Double {
        if let s = spare { spare = nil; return s }
        let r = (-2 * log(uniform())).squareRoot(), th = 2 * Double.pi * uniform()
        spare = r * sin(th)
        return r * cos(th)
    }
}

@Suite struct BaselineDeviationTests {
    let model = try! ModelRegistry.load(directory: Fixture.modelsDir).baselineDeviation()

    func seg(_ id: String, _ speaker: String, _ role: SegmentRole, f0: Double?, lat: Double?, rate: Double?) -> SegmentFeatures {
        SegmentFeatures(
            id: id, speaker: speaker, role: role,
            features: ["f0_mean_st": f0, "response_latency_s": lat, "speech_rate_syll_per_s": rate])
    }

    @Test func predictionIntervalsAgainstTheSpeakersOwnBaseline() throws {
        let segments = [
            seg("b1", "A", .baseline, f0: 10, lat: 0.5, rate: 4.0),
            seg("b2", "A", .baseline, f0: 11, lat: 0.7, rate: 4.4),
            seg("b3", "A", .baseline, f0: 12, lat: 0.9, rate: 4.8),
            seg("b4", "B", .baseline, f0: 30, lat: 0.1, rate: 6.0),  // another speaker: must not be used for A
            seg("b5", "B", .baseline, f0: 31, lat: 0.2, rate: 6.0),
            seg("b6", "B", .baseline, f0: 32, lat: 0.2, rate: 6.0),
            seg("q1", "I", .question, f0: nil, lat: nil, rate: nil),
            seg("a1", "A", .answer, f0: 40, lat: 0.7, rate: 4.4),
            seg("a2", "A", .answer, f0: 15, lat: 0.7, rate: 4.4),
        ]
        let scores = model.score(segments: segments)
        #expect(scores.count == 2)
        // f0: mean 11, SD 1, n 3 → t = (x − 11)/√(4/3) with 2 df. Usable weights 0.21 + 0.15 + 0.05.
        let share = 0.05 * 0.21 / 0.41
        for (s, x) in zip(scores, [40.0, 15.0]) {
            let f0 = try #require(s.contributions.first { $0.feature == "f0_mean_st" })
            let ev = try #require(f0.baseline)
            #expect(ev.n == 3 && ev.mean == 11 && abs(ev.sd - 1) < 1e-12 && ev.df == 2 && !ev.sdFloorApplied)
            #expect(abs(ev.t - (x - 11) / (4.0 / 3).squareRoot()) < 1e-12)
            #expect(abs(ev.alphaShare - share) < 1e-12)
            let k = StudentT.twoSidedQuantile(p: share, df: 2)
            #expect(abs(ev.intervalHigh - (11 + k * (4.0 / 3).squareRoot())) < 1e-9)
            #expect(ev.outside == (x > ev.intervalHigh))
            // Index = α/(α + q), q = min_j p_j·W/w_j; flag exactly when q ≤ α.
            let q = ev.p / (0.21 / 0.41)
            #expect(abs(s.value! - 0.05 / (0.05 + q)) < 1e-12)
            #expect((s.flag != nil) == (q <= 0.05))
            #expect(s.evidence?.baselineN == 3 && s.evidence?.alpha == 0.05)
            #expect(abs(s.contributions.compactMap(\.contribution).reduce(0, +) - s.value!) < 1e-9)
        }
        // 40 st is 29 SDs out: flagged on f0. 15 st is 3.5 scale units out, inside the 2-df interval: not flagged.
        #expect(scores[0].flag == ModelScore.followUpFlag && scores[0].topCues == ["f0_mean_st"])
        #expect(scores[1].flag == nil)
        // Unmeasured features are listed as not available, not silently dropped.
        #expect(scores[0].contributions.filter { $0.status == "not available" }.count == 7)
    }

    @Test func answersLikeTheBaselineScoreLowAndAreNotFlagged() {
        let segments = [
            seg("b1", "A", .baseline, f0: 10, lat: 0.5, rate: 4.0),
            seg("b2", "A", .baseline, f0: 11, lat: 0.7, rate: 4.4),
            seg("b3", "A", .baseline, f0: 12, lat: 0.9, rate: 4.8),
            seg("a1", "A", .answer, f0: 11.2, lat: 0.8, rate: 4.5),
        ]
        let s = model.score(segments: segments)[0]
        #expect(s.value! < 0.05 && s.flag == nil)
    }

    @Test func abstainsBelowThreeBaselinesInsteadOfUsingPopulationNorms() {
        let noBaseline = [seg("a1", "A", .answer, f0: 15, lat: 0.7, rate: 4.4)]
        let s = model.score(segments: noBaseline)[0]
        #expect(s.abstained && s.value == nil && s.flag == nil)
        #expect(s.reason!.contains("0 baseline segment"))
        #expect(s.reason!.contains("population norms are not used"))

        let twoBaselines = [
            seg("b1", "A", .baseline, f0: 10, lat: 0.5, rate: 4), seg("b2", "A", .baseline, f0: 11, lat: 0.6, rate: 4.1),
            seg("a1", "A", .answer, f0: 40, lat: 0.7, rate: 4.4),
        ]
        let two = model.score(segments: twoBaselines)[0]
        #expect(two.abstained && two.reason!.contains("at least 3"))
        #expect(two.evidence?.baselineN == 2)

        // Another speaker's baseline is never borrowed.
        let otherSpeaker = [
            seg("b1", "B", .baseline, f0: 10, lat: 0.5, rate: 4), seg("b2", "B", .baseline, f0: 11, lat: 0.6, rate: 4.1),
            seg("b3", "B", .baseline, f0: 12, lat: 0.6, rate: 4.1), seg("a1", "A", .answer, f0: 15, lat: 0.7, rate: 4.4),
        ]
        #expect(model.score(segments: otherSpeaker)[0].abstained)
    }

    @Test func sdFloorIsAppliedAndShown() throws {
        let segments = [
            seg("b1", "A", .baseline, f0: 10, lat: 0.5, rate: 4),
            seg("b2", "A", .baseline, f0: 10, lat: 0.5, rate: 4),
            seg("b3", "A", .baseline, f0: 10, lat: 0.5, rate: 4),
            seg("a1", "A", .answer, f0: 100, lat: 50, rate: 40),
        ]
        let s = model.score(segments: segments)[0]
        #expect(s.contributions.compactMap(\.z).allSatisfy { abs($0) <= 5 })
        #expect(s.value! <= 1 && s.value! > 0.5 && s.flag != nil)
        let f0 = try #require(s.contributions.first { $0.feature == "f0_mean_st" })
        #expect(f0.note!.contains("SD floor") && f0.baseline!.sdFloorApplied && f0.baseline!.zClipped)
        let floor = try #require(model.model.file.features.first { $0.name == "f0_mean_st" }?.sdFloor)
        #expect(f0.baseline!.sdUsed == floor && floor >= 0.25)
    }

    @Test func logScaleCuesAreComparedOnTheirLogs() throws {
        // f0_sd_st is compared on ln: baseline 1, 2, 4 st → ln mean ln 2, SD ln 2; an answer of 8 st is t = ln 4/(ln 2·√(4/3)).
        func s(_ id: String, _ role: SegmentRole, _ sd: Double) -> SegmentFeatures {
            SegmentFeatures(
                id: id, speaker: "A", role: role,
                features: ["f0_mean_st": 10 + Double(id.count), "response_latency_s": 0.7, "f0_sd_st": sd])
        }
        let segments = [s("b1", .baseline, 1), s("b22", .baseline, 2), s("b333", .baseline, 4), s("a1", .answer, 8)]
        let score = try #require(model.score(segments: segments).first)
        let c = try #require(score.contributions.first { $0.feature == "f0_sd_st" })
        let b = try #require(c.baseline)
        #expect(b.scale == "log" && c.value == 8)
        #expect(abs(b.mean - 2) < 1e-12 && abs(b.sd - log(2)) < 1e-12 && !b.sdFloorApplied)
        #expect(abs(b.t - log(4) / (log(2) * (4.0 / 3).squareRoot())) < 1e-12)
        // The interval is given back in semitones, around the geometric mean.
        let k = StudentT.twoSidedQuantile(p: b.alphaShare, df: 2)
        #expect(abs(b.intervalHigh - exp(log(2) + k * log(2) * (4.0 / 3).squareRoot())) < 1e-9)
        #expect(abs(b.intervalLow * b.intervalHigh - 4) < 1e-9)
        #expect(c.note!.contains("log scale"))
        // A value of 0 cannot be put on a log scale: the cue is not available, and says why.
        let zero = try #require(model.score(segments: segments.dropLast() + [s("a1", .answer, 0)]).first)
        #expect(zero.contributions.first { $0.feature == "f0_sd_st" }?.status == "not available")
    }

    // MARK: - Simulation: the per-answer false-flag rate when nothing changed

    /// Simulated speakers with all ten cues of the shipped model: `baselineN` baseline answers and
    /// `answers` further answers drawn from the same distribution per cue: normal with SD 10× the
    /// cue's floor (so floors do not bind and the bound is tested, not the floors), and for the
    /// log-scale cues log-normal, exp(σ·e) with σ = `logSD` (default 10× their ln floor), i.e.
    /// right-skewed on the raw scale. `rho` correlates the cues through a shared factor.
    /// `shift(cue index, sd)` moves the answers (none: the null). `scorer`: the model under test.
    func simulate(
        baselineN: Int, speakers: Int, answers: Int, rho: Double, seed: UInt64, logSD: Double? = nil,
        scorer: BaselineDeviationModel? = nil, shift: (Int, Double) -> Double = { _, _ in 0 }
    ) -> (flagged: Int, scored: Int, values: [Double]) {
        let model = scorer ?? self.model
        let specs = self.model.model.file.features
        var g = Normals(seed: seed)
        var flagged = 0, scored = 0
        var values: [Double] = []
        var segs: [SegmentFeatures] = []
        for sp in 0..<speakers {
            for k in 0..<(baselineN + answers) {
                let common = g.next()
                var f: [String: Double?] = [:]
                for (j, spec) in specs.enumerated() {
                    let sd = 10 * (spec.sdFloor ?? 1)
                    let e = rho.squareRoot() * common + (1 - rho).squareRoot() * g.next()
                    if spec.scale == "log" {
                        let sigma = logSD ?? sd
                        f[spec.name] = exp(sigma * e + (k < baselineN ? 0 : shift(j, sigma)))
                        continue
                    }
                    let base = 100 + sd * e
                    f[spec.name] = k < baselineN ? base : base + shift(j, sd)
                }
                segs.append(SegmentFeatures(id: "s\(sp)-\(k)", speaker: "S\(sp)", role: k < baselineN ? .baseline : .answer, features: f))
            }
        }
        for s in model.score(segments: segs) where !s.abstained {
            scored += 1
            if s.flag != nil { flagged += 1 }
            values.append(s.value!)
        }
        return (flagged, scored, values)
    }

    @Test(arguments: [3, 5, 10])
    func nullFalseFlagRateIsAtMostAlpha(baselineN: Int) {
        for rho in [0.0, 0.6] {
            let r = simulate(baselineN: baselineN, speakers: 1000, answers: 8, rho: rho, seed: 42 + UInt64(baselineN))
            let ci = Proportion(count: r.flagged, total: r.scored)
            print(
                "[flags] simulated null, n = \(baselineN), rho = \(rho): \(r.flagged)/\(r.scored) = \(String(format: "%.4f", ci.rate!)) (95% CI \(String(format: "%.4f–%.4f", ci.ciLow!, ci.ciHigh!)))"
            )
            #expect(r.scored == 8000)
            // The bound is α = 0.05; independent cues sit just under it (1 − Π(1 − αⱼ) ≈ 0.049).
            #expect(ci.rate! <= 0.05, "n = \(baselineN), rho = \(rho): \(ci.rate!)")
            #expect(ci.ciLow! <= 0.05)
        }
    }

    /// Heavier tails: the SD-like cues log-normal with σ = 1 (on the raw scale the largest of 100
    /// values is typically 10× the median). On their log scale the bound still holds; the 2.0.0
    /// rule, which compared them in their own units, exceeds α on the same data (so the test can fail).
    @Test(arguments: [3, 5, 10])
    func skewedCuesStayWithinAlphaOnTheLogScale(baselineN: Int) throws {
        let r = simulate(baselineN: baselineN, speakers: 1000, answers: 8, rho: 0.3, seed: 77 + UInt64(baselineN), logSD: 1)
        let rate = Double(r.flagged) / Double(r.scored)
        var linear = model.model.file
        let oldFloors = ["f0_sd_st": 0.1, "jitter_local": 0.001, "shimmer_local": 0.005]
        for j in linear.features.indices where linear.features[j].scale == "log" {
            let name = linear.features[j].name
            guard let floor = oldFloors[name] else {
                Issue.record("no 2.0.0 floor for the log-scale cue \(name)")
                return
            }
            linear.features[j].scale = nil
            linear.features[j].sdFloor = floor
        }
        let old = try BaselineDeviationModel(LoadedModel(file: linear, sha256: "", path: "linear"))
        let o = simulate(
            baselineN: baselineN, speakers: 1000, answers: 8, rho: 0.3, seed: 77 + UInt64(baselineN), logSD: 1, scorer: old)
        let oldRate = Double(o.flagged) / Double(o.scored)
        print(
            "[flags] simulated null, log-normal SD-like cues (σ = 1), n = \(baselineN): log scale \(r.flagged)/\(r.scored), "
                + "own units (2.0.0) \(o.flagged)/\(o.scored)")
        #expect(r.scored == 8000 && rate <= 0.05, "n = \(baselineN): \(rate)")
        if baselineN >= 5 { #expect(oldRate > 0.06, "the own-units rule should exceed alpha here: \(oldRate)") }
    }

    /// The same simulation can fail: the plain-z rule the model used before (|z| ≥ 1.96 on any cue
    /// against the baseline SD) flags far more than 5% of unchanged answers.
    @Test func plainZWouldFailTheSameSimulation() {
        var g = Normals(seed: 7)
        var flagged = 0
        let trials = 4000
        for _ in 0..<trials {
            var any = false
            for _ in 0..<10 {
                let base = (0..<5).map { _ in g.next() }
                let m = base.reduce(0, +) / 5
                let sd = (base.reduce(0) { $0 + ($1 - m) * ($1 - m) } / 4).squareRoot()
                if abs((g.next() - m) / sd) >= 1.96 { any = true }
            }
            if any { flagged += 1 }
        }
        #expect(Double(flagged) / Double(trials) > 0.3)
    }

    /// Power: a pitch rise of 4 baseline SDs (about +2 semitones for a typical reader) is flagged
    /// often with 10 baseline answers, less often with 5, and the index separates it from the null.
    @Test func shiftedPitchIsFlaggedAndSeparated() throws {
        let f0 = try #require(model.model.file.features.firstIndex { $0.name == "f0_mean_st" })
        let shifted = simulate(baselineN: 10, speakers: 300, answers: 4, rho: 0, seed: 9) { j, sd in j == f0 ? 4 * sd : 0 }
        let null = simulate(baselineN: 10, speakers: 300, answers: 4, rho: 0, seed: 10)
        let power = Double(shifted.flagged) / Double(shifted.scored)
        let auc = try Metrics.rocAUC(
            labels: [Int](repeating: 1, count: shifted.values.count) + [Int](repeating: 0, count: null.values.count),
            scores: shifted.values + null.values)
        print("[flags] simulated +4 SD pitch shift, n = 10: power \(String(format: "%.3f", power)), AUC \(String(format: "%.3f", auc))")
        #expect(power > 0.5)
        #expect(auc > 0.95)
    }
}
