import Foundation
import Testing

/// Roles, channels and segments must line up (docs/user-guide.md, "Roles, channels and
/// segments"), and every conversation number has one value wherever it is shown.
@Suite struct RolesAndMeasuresTests {
    @Test func rolesNotMatchingTheChannelCountExitTwo() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for roles in ["interviewer", "interviewer,interviewee,clerk"] {
            let r = try candor("analyze", Paths.sample("interview.flac"), "--roles", roles, "--out", dir + "/o.json", "--quiet")
            #expect(r.status == 2, "--roles \(roles): \(r.stderr)")
            #expect(r.stderr.contains("--roles") && r.stderr.contains("2 channels"), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/o.json"))
        }
        // Downmixed to one channel, three roles are still wrong.
        let m = try candor("analyze", Paths.sample("interview.flac"), "--mix", "--roles", "a,b,c", "--out", dir + "/o.json", "--quiet")
        #expect(m.status == 2, "\(m.stderr)")
    }

    @Test func segmentSpeakerMatchingNoRoleExitsThreeUnlessMapped() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let seg = dir + "/s.csv"
        try """
        start,end,label,speaker,role
        0.5,3.66,Q1,Det. Lin,question
        4.21,5.55,B1,interviewee,baseline
        """.write(toFile: seg, atomically: true, encoding: .utf8)
        let r = try candor(
            "analyze", Paths.sample("interview.flac"), "--roles", "interviewer,interviewee",
            "--segments", seg, "--out", dir + "/o.json", "--quiet")
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("s.csv") && r.stderr.contains("\"Q1\"") && r.stderr.contains("Det. Lin"), "\(r.stderr)")
        // Missing --roles: no segment speaker can match.
        let none = try candor("analyze", Paths.sample("interview.flac"), "--segments", seg, "--out", dir + "/o.json", "--quiet")
        #expect(none.status == 3, "\(none.stderr)")
        let ok = try candor(
            "analyze", Paths.sample("interview.flac"), "--roles", "interviewer,interviewee",
            "--segments", seg, "--speaker-map", "Det. Lin=interviewer", "--out", dir + "/o.json", "--quiet")
        #expect(ok.status == 0, "\(ok.stderr)")
        let d = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/o.json"))) as! [String: Any]
        let segs = d["segments"] as! [[String: Any]]
        #expect(segs[0]["speaker"] as? String == "Det. Lin")
        #expect(segs[0]["source_channel"] as? Int == 0)
    }

    @Test func swappedRolesWarnOnStderrAndInTheJSON() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try candor(
            "analyze", Paths.sample("interview.flac"), "--roles", "interviewee,interviewer",
            "--segments", Paths.sample("interview.segments.csv"), "--out", dir + "/o.json", "--quiet")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("warning") && r.stderr.contains("swapped?") && r.stderr.contains("\"Q1\""), "\(r.stderr)")
        let d = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/o.json"))) as! [String: Any]
        let segs = d["segments"] as! [[String: Any]]
        // Every segment is on the wrong channel; the two around the one real overlap (A5
        // with Q6 talking over its end) have both voices there, so not every one is clear.
        let warned = segs.filter { $0["warning"] is String }.count
        #expect(warned >= segs.count - 2, "\(warned) of \(segs.count) segments warned")
        #expect(((d["warnings"] as? [String]) ?? []).count == warned)
        // The right roles: no such warning.
        let good = try candor(
            "analyze", Paths.sample("interview.flac"), "--roles", "interviewer,interviewee",
            "--segments", Paths.sample("interview.segments.csv"), "--out", dir + "/g.json", "--quiet")
        #expect(good.status == 0 && !good.stderr.contains("swapped?"), "\(good.stderr)")
    }

    @Test func summaryJSONReportAndModelAgreeOnLatencyAndTalkShare() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let json = dir + "/a.json"
        let r = try candor(
            "analyze", Paths.sample("interview.flac"), "--roles", "interviewer,interviewee",
            "--segments", Paths.sample("interview.segments.csv"), "--out", json)
        #expect(r.status == 0, "\(r.stderr)")
        let d = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
        let conv = d["conversation"] as! [String: Any]
        let m = conv["measures"] as! [String: Any]
        let latency = try #require(m["response_latency_median_s"] as? Double)
        let speakers = m["speakers"] as! [[String: Any]]
        let share = try #require(speakers.first { $0["speaker"] as? String == "interviewee" }?["talk_share"] as? Double)
        // The JSON's own lists give the same numbers.
        let lats = (conv["response_latencies_s"] as! [Double]).sorted()
        let mid = lats.count % 2 == 1 ? lats[lats.count / 2] : (lats[lats.count / 2 - 1] + lats[lats.count / 2]) / 2
        #expect(abs(mid - latency) <= 0.0015)
        #expect(abs(((conv["talk_share"] as! [String: Double])["interviewee"] ?? -1) - share) <= 0.0015)
        // CLI summary.
        let line = try #require(r.stdout.split(separator: "\n").first { $0.contains("conversation") }).description
        let sumShare = try #require(number(in: line, after: "interviewee "), "\(line)")
        let sumLatency = try #require(number(in: line, after: "median "), "\(line)")
        #expect(abs(sumShare / 100 - share) <= 0.0005 + 1e-9, "\(line) vs \(share)")
        #expect(abs(sumLatency - latency) <= 0.0005 + 1e-9, "\(line) vs \(latency)")
        // Model (interview-quality contributions).
        let scores = d["scores"] as! [[String: Any]]
        let iq = try #require(scores.first { $0["model"] as? String == "interview-quality" })
        let contributions = iq["contributions"] as! [[String: Any]]
        func value(_ f: String) -> Double? { contributions.first { $0["feature"] as? String == f }?["value"] as? Double }
        #expect(abs((value("response_latency_median_s") ?? -1) - latency) <= 0.0015)
        #expect(abs((value("interviewee_talk_share") ?? -1) - share) <= 0.0015)
        // HTML report.
        let html = dir + "/r.html"
        let rep = try candor("report", "--analysis", json, "--out", html)
        #expect(rep.status == 0, "\(rep.stderr)")
        let text = try String(contentsOfFile: html, encoding: .utf8)
        let row = try #require(text.components(separatedBy: "Response latency, median (s)").dropFirst().first)
        let repLatency = try #require(number(in: String(row.prefix(200)), after: "<td>"), "\(row.prefix(200))")
        #expect(abs(repLatency - latency) <= 0.0005 + 1e-9, "report latency \(repLatency) vs \(latency)")
        let shareRow = try #require(text.components(separatedBy: "Talk share (own-voice speaking time)").dropFirst().first)
        let repShare = try #require(number(in: String(shareRow.prefix(300)), after: "interviewee "))
        #expect(abs(repShare / 100 - share) <= 0.0005 + 1e-9, "report share \(repShare) vs \(share)")
        // CSV export (conversation table): the same values, one row per speaker.
        let ex = try candor("export", "--format", "csv", "--analysis", json, "--table", "conversation", "--out", "-")
        #expect(ex.status == 0, "\(ex.stderr)")
        let lines = ex.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = try #require(lines.first)
        let rows = lines.dropFirst().filter { !$0.isEmpty }
        #expect(rows.count == 2, "\(ex.stdout)")
        func column(_ name: String) throws -> Int { try #require(header.firstIndex(of: name), "\(header)") }
        let interviewee = try #require(rows.first { $0[try column("speaker")] == "interviewee" }, "\(ex.stdout)")
        #expect(abs((Double(interviewee[try column("talk_share")]) ?? -1) - share) <= 1e-6)
        #expect(abs((Double(interviewee[try column("response_latency_median_s")]) ?? -1) - latency) <= 1e-6)
        #expect(interviewee[try column("estimate")] == "false")
    }

    /// The decimal number right after the first `after` in `text`.
    private func number(in text: String, after: String) -> Double? {
        guard let r = text.range(of: after) else { return nil }
        let digits = text[r.upperBound...].prefix { $0.isNumber || $0 == "." || $0 == "-" }
        return Double(digits)
    }
}
