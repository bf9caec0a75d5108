import Foundation
import Testing
import CandorTestSupport

/// Interview rooms: stereo recordings of real speech with lapel-microphone crosstalk and room
/// noise (built by scripts/make_rooms.py from the Keele laryngograph corpus in
/// ../shared/data/keele and from samples/interview.flac), analysed end to end by `candor`.
///
/// Keele room: interviewer m1 (left), interviewee f1 (right), eight turns, one real overlap
/// (the interviewer's third turn starts 1.0 s before the second answer ends and takes the
/// floor: one interruption). The other voice leaks in at none, −24 or −18 dB, 1 ms (left) /
/// 2 ms (right) late; −50 dBFS white noise on each channel. Truth: turn extents from the
/// slices placed, each speaker's laryngograph median F0 over the slices used.
/// Espeak room: the mock interview with its overlap removed, −20 dB crosstalk 1.5 ms late.
enum Rooms {
    static let keele = Paths.packageRoot.appendingPathComponent("../shared/data/keele").standardizedFileURL.path
    /// Built once per test process: the m1/f1 room the rules were developed on, the espeak
    /// room, a development room with slices cut automatically (m3/f3), and the held-out
    /// m4/f4 rooms (never used to set a rule or threshold).
    static let dir: String? = {
        let d = tempDir("candor-rooms")
        let script = Paths.packageRoot.appendingPathComponent("scripts/make_rooms.py").path
        let r = try? run("/usr/bin/env", ["python3", script, keele, d])
        guard let r, r.status == 0, (try? run("/usr/bin/env", ["python3", script, keele, d, "m3f3", "m4f4"]))?.status == 0 else {
            print("[rooms] make_rooms.py failed: \(r?.stderr ?? "not run")")
            return nil
        }
        return d
    }()
    static let sounds = "/usr/share/asterisk/sounds"
    /// The held-out rooms for turn edges, built once per test process from the Asterisk
    /// prompts (`make_rooms.py SOUND_DIR OUT it-m:en-f fr-f:it-m`: Carlo (Italian, male) and
    /// Allison (US English, female); June (Canadian French, female) and Carlo), installed by
    /// scripts/setup-test.sh. Measured once, after the turn-edge rule was fixed on the Keele
    /// rooms; no rule or threshold was set on them.
    static let promptDir: String? = {
        let d = tempDir("candor-prompt-rooms")
        let script = Paths.packageRoot.appendingPathComponent("scripts/make_rooms.py").path
        let r = try? run("/usr/bin/env", ["python3", script, sounds, d, "it-m:en-f", "fr-f:it-m"])
        guard let r, r.status == 0 else {
            print("[rooms] make_rooms.py (prompts) failed: \(r?.stderr ?? "not run")")
            return nil
        }
        return d
    }()
    struct Truth: Decodable {
        struct Turn: Decodable { var speaker: String; var start: Double; var end: Double }
        var turns: [Turn]
        var overlaps: [[Double]]
        var median_f0_hz: [String: Double]
    }

    static func truth(_ room: String = "keele") throws -> Truth {
        let d = try #require(room.hasPrefix("prompt-") ? promptDir : dir, "rooms not built (needs \(keele), \(sounds), numpy and sox)")
        return try JSONDecoder().decode(Truth.self, from: Data(contentsOf: URL(fileURLWithPath: d + "/\(room).truth.json")))
    }

    /// Each channel's median F0 within 4% of its speaker's laryngograph median.
    static func expectMedianF0(_ d: [String: Any], _ truth: Truth, _ label: String) {
        for c in d["channels"] as! [[String: Any]] {
            let role = c["role"] as! String
            let median = (c["pitch_summary"] as! [String: Any])["median_hz"] as? Double ?? 0
            let want = truth.median_f0_hz[role]!
            let err = 100 * (median - want) / want
            print("[rooms] \(label) \(role): median F0 \(median) Hz vs laryngograph \(want) Hz (\(String(format: "%+.2f", err))%)")
            #expect(abs(err) <= 4, "\(label) \(role)")
        }
    }

    /// One overlap, one interruption and every turn in order; returns the turn edges' signed
    /// errors against the truth (start, end per turn).
    static func turnTaking(_ d: [String: Any], _ truth: Truth, _ label: String) -> [Double] {
        let conv = d["conversation"] as! [String: Any]
        #expect((conv["overlaps"] as! [Any]).count == 1, "\(label) overlaps \(conv["overlaps"]!)")
        #expect((conv["interruptions"] as! [Any]).count == 1, "\(label) interruptions \(conv["interruptions"]!)")
        let turns = conv["turns"] as! [[String: Any]]
        #expect(turns.map { $0["speaker"] as! String } == truth.turns.map(\.speaker), "\(label) turns \(turns)")
        return zip(turns, truth.turns).flatMap { g, w in
            [(g["start"] as! Double) - w.start, (g["end"] as! Double) - w.end]
        }
    }

    /// The JSON of a room analysed earlier in this test process (`analyze` writes it next to
    /// the room), or a new analysis.
    static func analyzedOnce(_ name: String) throws -> (json: [String: Any], run: RunResult?) {
        let d = try #require(name.hasPrefix("prompt-") ? promptDir : dir, "rooms not built")
        if let data = FileManager.default.contents(atPath: d + "/\(name).json"),
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        {
            return (json, nil)
        }
        let (json, r) = try analyze(name)
        return (json, r)
    }

    /// Analyses a room with roles; returns the JSON and the process result.
    static func analyze(_ name: String, _ extra: [String] = []) throws -> (json: [String: Any], run: RunResult) {
        let d = try #require(name.hasPrefix("prompt-") ? promptDir : dir, "rooms not built (needs \(keele), \(sounds), numpy and sox)")
        let out = d + "/\(name).json"
        let r = try run(Paths.candor, ["analyze", d + "/\(name).wav", "--roles", "interviewer,interviewee", "--out", out] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as! [String: Any]
        return (json, r)
    }
}

@Suite(.serialized) struct InterviewRoomTests {
    @Test(arguments: ["clean", "24", "18"])
    func keeleRoomOwnVoicePitchTurnsOverlapsAndInterruptions(_ bleed: String) throws {
        let truth = try Rooms.truth()
        let (d, r) = try Rooms.analyze("keele-\(bleed)")
        let chans = d["channels"] as! [[String: Any]]
        for c in chans {
            let role = c["role"] as! String
            let median = (c["pitch_summary"] as! [String: Any])["median_hz"] as? Double ?? 0
            let want = truth.median_f0_hz[role]!
            let err = abs(median - want) / want
            print(
                "[rooms] keele-\(bleed) \(role): median F0 \(median) Hz vs laryngograph \(want) Hz (\(String(format: "%.2f", 100 * err))%)")
            #expect(err <= 0.04, "keele-\(bleed) \(role): median F0 \(median) vs \(want)")
            #expect(c["measured_over"] as? String == "own-voice speech")
            let bleedDb = (c["bleed"] as? [String: Any])?["bleed_db"] as? Double
            print("[rooms] keele-\(bleed) \(role): estimated bleed \(bleedDb.map { "\($0) dB" } ?? "none measurable")")
            if let level = Double(bleed) {
                #expect(abs((bleedDb ?? 0) + level) <= 3, "bleed estimate \(String(describing: bleedDb)) for −\(level) dB")
                #expect((c["bleed"] as? [String: Any])?["warning"] as? Bool == true)
            } else {
                #expect(bleedDb == nil || bleedDb! < -30)
            }
        }
        if Double(bleed) != nil {
            #expect(r.stderr.contains("warning") && r.stderr.contains("crosstalk"), "\(r.stderr)")
            #expect(!((d["warnings"] as? [String]) ?? []).isEmpty)
        } else {
            #expect(!r.stderr.contains("crosstalk"), "\(r.stderr)")
        }
        let conv = d["conversation"] as! [String: Any]
        let overlaps = conv["overlaps"] as! [[Double]]
        let interruptions = conv["interruptions"] as! [[String: Any]]
        print(
            "[rooms] keele-\(bleed): overlaps \(overlaps), interruptions \(interruptions.map { "\($0["speaker"]!)@\($0["time"]!)" }), backchannels \((conv["backchannels"] as? [Any])?.count ?? -1)"
        )
        #expect(overlaps.count == truth.overlaps.count, "overlaps \(overlaps)")
        if let o = overlaps.first, let w = truth.overlaps.first {
            #expect(abs(o[0] - w[0]) <= 0.1 && abs(o[1] - w[1]) <= 0.1, "overlap \(o) vs \(w)")
        }
        #expect(interruptions.count == 1, "interruptions \(interruptions)")
        #expect(interruptions.first?["speaker"] as? String == "interviewer")
        let measures = conv["measures"] as! [String: Any]
        let dirs = measures["interruptions_by_direction"] as! [[String: Any]]
        #expect(dirs.count == 1 && dirs.first?["by"] as? String == "interviewer" && dirs.first?["count"] as? Int == 1)
        let turns = conv["turns"] as! [[String: Any]]
        #expect(turns.map { $0["speaker"] as! String } == truth.turns.map(\.speaker), "turns \(turns)")
        // Edges against the placed speech (energy within 30 dB of each slice's peak).
        let errors = zip(turns, truth.turns).flatMap { g, w in
            [abs(g["start"] as! Double - w.start), abs(g["end"] as! Double - w.end)]
        }
        let within = errors.filter { $0 <= 0.1 }.count
        print(
            "[rooms] keele-\(bleed): \(turns.count) turns, \(within)/\(errors.count) edges within 0.1 s of truth, worst \(String(format: "%.3f", errors.max() ?? 0)) s"
        )
        #expect(within == errors.count, "edges off: \(errors)")
        if bleed != "clean" {
            // Crosstalk does not move any turn edge: every edge within 0.1 s of the clean room's.
            let (c, _) = try Rooms.analyze("keele-clean")
            let clean = (c["conversation"] as! [String: Any])["turns"] as! [[String: Any]]
            #expect(clean.count == turns.count)
            var moved = 0.0
            for (a, b) in zip(turns, clean) {
                moved = max(moved, abs(a["start"] as! Double - (b["start"] as! Double)), abs(a["end"] as! Double - (b["end"] as! Double)))
            }
            print("[rooms] keele-\(bleed): edges moved by at most \(String(format: "%.3f", moved)) s from the clean room")
            #expect(moved <= 0.1, "crosstalk moved a turn edge by \(moved) s")
        }
    }

    /// A room with slices cut automatically at the readings' pauses (Keele m3/f3; held out
    /// for the first turn-edge rules, used to develop the edge trim since), at −18 dB
    /// crosstalk: pitch, overlap and interruption hold; the turn edges are printed (14 of 16
    /// within 0.1 s with the turn-edge rule, 12 without) and must stay within 0.5 s.
    @Test func heldOutRoomAtMinus18dB() throws {
        let truth = try Rooms.truth("m3f3")
        let (d, _) = try Rooms.analyze("m3f3-18")
        Rooms.expectMedianF0(d, truth, "m3f3-18")
        let conv = d["conversation"] as! [String: Any]
        #expect((conv["overlaps"] as! [Any]).count == 1)
        #expect((conv["interruptions"] as! [Any]).count == 1)
        let turns = conv["turns"] as! [[String: Any]]
        #expect(turns.map { $0["speaker"] as! String } == truth.turns.map(\.speaker), "turns \(turns)")
        let errors = zip(turns, truth.turns).flatMap { g, w in
            [abs(g["start"] as! Double - w.start), abs(g["end"] as! Double - w.end)]
        }
        print(
            "[rooms] m3f3-18: \(errors.filter { $0 <= 0.1 }.count)/\(errors.count) edges within 0.1 s, worst \(String(format: "%.3f", errors.max() ?? 0)) s"
        )
        #expect(errors.allSatisfy { $0 <= 0.5 }, "edges \(errors)")
    }

    /// Keele m4/f4 rooms (slices cut automatically; held out for the attribution, breath,
    /// turn-join and edge-trim rules, seen since), at no, −24 and −18 dB crosstalk: each
    /// speaker's median F0 within 4% of the laryngograph, one overlap, one interruption, every
    /// turn found. Turn edges within 0.1 s: 10, 9 and 10 of 16 before the turn-edge rule,
    /// 14, 14 and 14 with it (two turn starts 0.28 s late), so the 100 ms bound does not hold
    /// on every edge here; the test asserts the 0.5 s bound and at least 13 edges within 0.1 s.
    @Test(arguments: ["clean", "24", "18"])
    func heldOutM4F4Room(_ bleed: String) throws {
        let truth = try Rooms.truth("m4f4")
        let (d, _) = try Rooms.analyze("m4f4-\(bleed)")
        Rooms.expectMedianF0(d, truth, "m4f4-\(bleed)")
        let errors = Rooms.turnTaking(d, truth, "m4f4-\(bleed)")
        print(
            "[rooms] m4f4-\(bleed): \(errors.filter { abs($0) <= 0.1 }.count)/\(errors.count) edges within 0.1 s, signed errors (start, end per turn) \(errors.map { String(format: "%+.2f", $0) })"
        )
        #expect(errors.allSatisfy { abs($0) <= 0.5 }, "edges \(errors)")
        #expect(errors.filter { abs($0) <= 0.1 }.count >= 13, "edges \(errors)")
    }

    /// Held-out rooms for turn edges (Asterisk prompts, see `Rooms.promptDir`), the same
    /// layout (eight turns, one real overlap that is an interruption; crosstalk 1 ms / 2 ms
    /// late; −50 dBFS noise), at no, −24 and −18 dB crosstalk: every turn found in order, one
    /// overlap, one interruption, every edge within 0.1 s of the placed speech (times in the
    /// JSON are rounded to the millisecond), and each speaker's median F0 within 4% of the
    /// clean room's (no laryngograph here). Measured once: 16 of 16 edges in all six rooms,
    /// worst 0.100 s, mean 0.003–0.009 s (0.027–0.034 s before the turn-edge rule, also 16/16).
    @Test(arguments: ["clean", "24", "18"])
    func heldOutPromptRooms(_ bleed: String) throws {
        for room in ["prompt-it-m-en-f", "prompt-fr-f-it-m"] {
            let truth = try Rooms.truth(room)
            let (d, _) = try Rooms.analyze("\(room)-\(bleed)")
            let errors = Rooms.turnTaking(d, truth, "\(room)-\(bleed)")
            let latencies = (d["conversation"] as! [String: Any])["response_latencies_s"]!
            print(
                "[rooms] \(room)-\(bleed): \(errors.filter { abs($0) <= 0.1005 }.count)/\(errors.count) edges within 0.1 s, signed errors \(errors.map { String(format: "%+.3f", $0) }), latencies \(latencies)"
            )
            #expect(errors.count == 16 && errors.allSatisfy { abs($0) <= 0.1005 }, "\(room)-\(bleed) edges \(errors)")
            if bleed != "clean" {
                let (c, _) = try Rooms.analyzedOnce("\(room)-clean")
                for (a, b) in zip(d["channels"] as! [[String: Any]], c["channels"] as! [[String: Any]]) {
                    let fa = (a["pitch_summary"] as! [String: Any])["median_hz"] as? Double ?? 0
                    let fb = (b["pitch_summary"] as! [String: Any])["median_hz"] as? Double ?? 1
                    #expect(abs(fa / fb - 1) <= 0.04, "\(room)-\(bleed) \(a["role"]!): median F0 \(fa) vs \(fb) Hz in the clean room")
                }
            }
        }
    }

    @Test func espeakRoomWithCrosstalkAndNoOverlapReportsNone() throws {
        let (d, _) = try Rooms.analyze("espeak-20")
        let conv = d["conversation"] as! [String: Any]
        let overlaps = conv["overlaps"] as! [Any]
        print(
            "[rooms] espeak-20: overlaps \(overlaps), interruptions \((conv["interruptions"] as! [Any]).count), turns \((conv["turns"] as! [Any]).count)"
        )
        #expect(overlaps.isEmpty)
        #expect((conv["interruptions"] as! [Any]).isEmpty)
        #expect((conv["turns"] as! [Any]).count == 13)
    }
}
