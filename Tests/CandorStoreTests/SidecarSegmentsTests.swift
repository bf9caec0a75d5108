import CandorStore
import CandorTestSupport
import Foundation
import Testing

/// `candor batch submit` picks up `x.segments.csv` / `x.TextGrid` next to `x.wav`, and
/// `candor export --format csv --analyses DIR` turns the batch's results into one table.
@Suite("Batch with segment files next to the recordings, and the multi-analysis table", .serialized)
struct SidecarSegmentsTests {
    static let csvSegments = """
        start,end,label,speaker,role
        0.1,0.9,b1,,baseline
        1.0,1.8,b2,,baseline
        1.9,2.7,b3,,baseline
        2.8,3.6,a1,,answer
        """

    static let textGrid = """
        File type = "ooTextFile"
        Object class = "TextGrid"

        xmin = 0
        xmax = 4
        tiers? <exists>
        size = 1
        item []:
            item [1]:
                class = "IntervalTier"
                name = "segments"
                xmin = 0
                xmax = 4
                intervals: size = 3
                intervals [1]:
                    xmin = 0
                    xmax = 1.5
                    text = "baseline: intro"
                intervals [2]:
                    xmin = 1.5
                    xmax = 3
                    text = "answer: q1"
                intervals [3]:
                    xmin = 3
                    xmax = 4
                    text = ""
        """

    @Test("sidecar segment files are used, hashed into the job key, logged as evidence, and tabulated (read back with pandas)")
    func sidecarsAndTable() async throws {
        let dir = tempDir("candor-sidecar")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ws = dir + "/ws", inputs = dir + "/in", results = dir + "/results"
        for d in [inputs, results] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        for (k, f0) in [110.0, 150, 190, 230].enumerated() {
            writeWAV(inputs + "/rec\(k).wav", samples: buzz(f0: f0, seconds: 4))
        }
        try Self.csvSegments.write(toFile: inputs + "/rec0.segments.csv", atomically: true, encoding: .utf8)
        try Self.textGrid.write(toFile: inputs + "/rec1.TextGrid", atomically: true, encoding: .utf8)
        // rec2 has none; rec3 has two (ambiguous: refused at submit, the others still queued).
        try Self.csvSegments.write(toFile: inputs + "/rec3.segments.csv", atomically: true, encoding: .utf8)
        try Self.textGrid.write(toFile: inputs + "/rec3.TextGrid", atomically: true, encoding: .utf8)
        #expect(try candor(["keys", "init", "--operator", "op", "--workspace", ws]).status == 0)

        let submit = try candor(["batch", "submit", inputs, "--workspace", ws, "--case", "S-1", "--formants"])
        #expect(submit.status == 3, "\(submit.stderr)")
        #expect(submit.stderr.contains("rec3.wav") && submit.stderr.contains("more than one segment file"), "\(submit.stderr)")
        #expect(submit.stdout.contains("3 new job(s)") && submit.stdout.contains("2 with a segment file"), "\(submit.stdout)")

        let store = try await openStore(ws + "/queue.sqlite")
        var jobs = try await store.jobs()
        let job0 = try #require(jobs.first { $0.inputPath.hasSuffix("/rec0.wav") })

        // The segment file is part of the job key: edited, it makes a new job.
        try (Self.csvSegments + "\n3.7,3.9,a2,,answer\n").write(toFile: inputs + "/rec0.segments.csv", atomically: true, encoding: .utf8)
        let again = try candor(["batch", "submit", inputs + "/rec0.wav", "--workspace", ws, "--case", "S-1", "--formants"])
        #expect(again.status == 0 && again.stdout.contains("1 new job(s)"), "\(again.stdout) \(again.stderr)")
        // …and the worker re-checks the hash: the first rec0 job (old hash) fails, the new one runs.
        let worker = try candor(["worker", "--workspace", ws, "--exit-when-empty", "--threads", "1", "--retry-base", "0.05"])
        #expect(worker.status == 0, "\(worker.stderr)")
        jobs = try await store.jobs()
        let old = try #require(jobs.first { $0.id == job0.id })
        #expect(old.state == .failed && (old.lastError ?? "").contains("changed since it was submitted"), "\(old.lastError ?? "")")
        #expect(jobs.filter { $0.state == .done }.count == 3)
        for job in jobs where job.state == .done {
            let out = results + "/job\(job.id).json"
            let r = try candor(["batch", "result", String(job.id), "--workspace", ws, "--out", out])
            #expect(r.status == 0, "\(r.stderr)")
            // The analysis names the segment file it used, with its hash (rec2 has none).
            let text = try String(contentsOfFile: out, encoding: .utf8)
            if job.inputPath.hasSuffix("/rec0.wav") {
                #expect(text.contains(sha256(ofFile: inputs + "/rec0.segments.csv")))
            } else if job.inputPath.hasSuffix("/rec2.wav") {
                #expect(!text.contains("segments_sha256"))
            }
        }
        await store.close()

        // Logged as evidence in the recording's session, before the analysis record.
        let show = try candor(["audit", "show", "--case", "S-1", "--session", "rec1", "--workspace", ws, "--json"])
        #expect(show.status == 0, "\(show.stderr)")
        let lines = show.stdout.split(separator: "\n").map(String.init)
        let segLine = try #require(lines.firstIndex { $0.contains("\"what\":\"segments\"") }, "\(show.stdout)")
        #expect(lines[segLine].contains(sha256(ofFile: inputs + "/rec1.TextGrid")))
        #expect(lines.firstIndex { $0.contains("analysis_completed") }.map { $0 > segLine } == true)

        // One table of all segments, read back with pandas.
        let table = dir + "/all.csv"
        let export = try candor(["export", "--format", "csv", "--analyses", results, "--out", table])
        #expect(export.status == 0, "\(export.stderr)")
        let files = dir + "/files.csv"
        #expect(try candor(["export", "--format", "csv", "--analyses", results, "--per", "file", "--out", files]).status == 0)
        let script = """
            import sys, pandas as pd
            t = pd.read_csv(sys.argv[1]); f = pd.read_csv(sys.argv[2])
            print(len(t), sorted(t.recording.unique()), sorted(t.role.unique()), int(t.duration_s.notna().sum()),
                  round(float(t[t.recording == "rec0.wav"].f0_mean_hz.median()), 1), len(f), sorted(f.columns)[:3],
                  int(f["pitch_summary.median_hz"].notna().sum()))
            print(int(f["formants.frames"].notna().sum()), int(f["formants.f1_median_hz"].notna().sum()),
                  int(t["formants.f1_median_hz"].notna().sum()))
            """
        let py = try run("/usr/bin/env", ["python3", "-c", script, table, files])
        try #require(py.status == 0, "pandas could not read the table: \(py.stderr)")
        // rec0: 5 segments (the edited file), rec1: 2 labelled intervals (the empty one is not a segment).
        #expect(py.stdout.hasPrefix("7 ['rec0.wav', 'rec1.wav'] ['answer', 'baseline'] 7 "), "\(py.stdout)")
        let f0 = Double(py.stdout.split(separator: " ")[6]) ?? 0
        #expect(abs(f0 - 110) < 5, "rec0's median segment F0 \(f0) Hz, made at 110 Hz: \(py.stdout)")
        let out = py.stdout.split(separator: "\n")
        #expect(out.first?.hasSuffix(" 3") == true, "three files, one channel each, each with a median F0: \(py.stdout)")
        // Formant medians per channel and per segment (the new optional blocks). A steady buzz
        // is not speech to the voice-activity detector, so the channels' medians (over speech)
        // are empty; the segments' (over their time span) are not.
        #expect(out.last == "3 0 7", "formants per file (frames, F1) and per segment (F1): \(py.stdout)")

        // Hostile: a folder with a non-analysis JSON is refused with one line naming the file (exit 3).
        try "{\"schema\": \"other\"}".write(toFile: results + "/zz.json", atomically: true, encoding: .utf8)
        let bad = try candor(["export", "--format", "csv", "--analyses", results, "--out", dir + "/bad.csv"])
        #expect(bad.status == 3 && bad.stderr.contains("zz.json"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/bad.csv"))
    }
}
