import Foundation
import Testing
import CandorAudio
@testable import CandorFeatures
import CandorInterchange

/// The committed stereo mock interview (`samples/interview.flac`, espeak-ng English and
/// Mandarin, interviewer left, interviewee right) against its exact truth
/// (`samples/interview.truth.json`: turn extents to the sample, pauses ≥ 0.25 s,
/// the Q6-over-A5 interruption, response latencies).
struct InterviewTruth: Decodable {
    struct Turn: Decodable { var speaker: String; var label: String; var role: String; var start: Double; var end: Double }
    struct Latency: Decodable { var question: String; var answer: String; var latency_s: Double }
    struct Overlap: Decodable { var start: Double; var end: Double }
    struct Interruption: Decodable { var by: String; var of: String; var time: Double }
    var sample_rate: Int
    var turns: [Turn]
    var pauses: [String: [[Double]]]
    var overlaps: [Overlap]
    var interruptions: [Interruption]
    var response_latencies: [Latency]
}

enum InterviewSample {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let audio = root.appendingPathComponent("samples/interview.flac").path

    static func truth() throws -> InterviewTruth {
        try JSONDecoder().decode(InterviewTruth.self, from: Data(contentsOf: root.appendingPathComponent("samples/interview.truth.json")))
    }

    /// Both channels, de-interleaved.
    static func channels() throws -> (channels: [[Float]], rate: Double) {
        let r = try AudioReader(path: audio)
        let nc = r.info.channels
        var out = [[Float]](repeating: [], count: nc)
        var buf = [Float](repeating: 0, count: 4096 * nc)
        while true {
            let n = try buf.withUnsafeMutableBufferPointer { try r.read(into: $0, frames: 4096) }
            if n == 0 { break }
            for c in 0..<nc { for f in 0..<n { out[c].append(buf[f * nc + c]) } }
        }
        return (out, Double(r.info.sampleRate))
    }
}

struct InterviewErrors {
    var boundary = 0.0, latency = 0.0, share = 0.0
    var pausesOK = true
}

func checkInterview(_ channels: [[Float]], rate: Double, truth: InterviewTruth, label: String) -> InterviewErrors {
    let roles = ["interviewer", "interviewee"]
    let results = channels.map { analyzeChannel($0, rate: rate) }
    let conv = ConversationAnalysis.analyze(
        channels: results.enumerated().map { k, r in
            ConversationChannel(role: roles[k], speech: r.speech, level: r.frames.levelTrack)
        })
    var e = InterviewErrors()
    #expect(
        conv.turns.map(\.speaker) == truth.turns.map(\.speaker),
        "\(label): turns \(conv.turns.map { "\($0.speaker) \($0.start)–\($0.end)" })")
    for (g, w) in zip(conv.turns, truth.turns) {
        let d = max(abs(g.start - w.start), abs(g.end - w.end))
        if d > 0.05 { print("[timing] interview \(label): \(w.label) got \(g.start)–\(g.end), truth \(w.start)–\(w.end)") }
        e.boundary = max(e.boundary, d)
    }
    let trueLat = truth.response_latencies.map(\.latency_s)
    #expect(conv.responseLatenciesS.count == trueLat.count, "\(label): latencies \(conv.responseLatenciesS)")
    for (g, w) in zip(conv.responseLatenciesS, trueLat) { e.latency = max(e.latency, abs(g - w)) }
    // Truth talk: each speaker's turn time minus their silent pauses.
    var talk: [String: Double] = [:]
    for t in truth.turns { talk[t.speaker, default: 0] += t.end - t.start }
    for (s, ps) in truth.pauses { for p in ps { talk[s, default: 0] -= p[1] - p[0] } }
    let total = talk.values.reduce(0, +)
    for r in roles { e.share = max(e.share, abs((conv.talkShare[r] ?? -1) - talk[r]! / total)) }
    var counts: [Int] = []
    for (k, r) in roles.enumerated() {
        let others = conv.speech.enumerated().filter { $0.offset != k }.flatMap(\.element)
        let f = Timing.analyze(speech: conv.speech[k], frames: results[k].frames, pitch: results[k].pitch, otherSpeech: others)
        counts.append(f.pauseCount)
        let want = truth.pauses[r]?.count ?? 0
        if f.pauseCount != want {
            e.pausesOK = false; print("[timing] interview \(label): \(r) pauses \(f.pauses) vs \(truth.pauses[r] ?? [])")
        }
    }
    // The interviewer's cut-in (Q6 over A5).
    #expect(
        conv.interruptions.contains {
            $0.speaker == "interviewer" && $0.interrupted == "interviewee" && abs($0.time - truth.interruptions[0].time) <= 0.1
        },
        "\(label): interruptions \(conv.interruptions)")
    #expect(conv.overlaps.count == truth.overlaps.count, "\(label): overlaps \(conv.overlaps)")
    print(
        "[timing] interview \(label): max turn-boundary error \(ms(e.boundary)) ms, max latency error \(ms(e.latency)) ms, talk-share error \(String(format: "%.2f", e.share * 100)) points, pauses \(counts) (truth \(roles.map { truth.pauses[$0]?.count ?? 0 }))"
    )
    return e
}

@Suite(.serialized) struct ConversationSampleTests {
    @Test func stereoInterviewMatchesTruth() throws {
        let truth = try InterviewSample.truth()
        let (ch, rate) = try InterviewSample.channels()
        try #require(ch.count == 2 && Int(rate) == truth.sample_rate)
        let e = checkInterview(ch, rate: rate, truth: truth, label: "clean")
        #expect(e.boundary <= 0.05)
        #expect(e.latency <= 0.05)
        #expect(e.share <= 0.03)
        #expect(e.pausesOK)
    }

    @Test func noisyInterviewAt10dB() throws {
        // Like make_interview.py --noisy: white Gaussian noise per channel at 10 dB SNR over
        // that channel's speech (turn) samples; our own seed.
        // Three noise draws.
        let truth = try InterviewSample.truth()
        let (clean, rate) = try InterviewSample.channels()
        for seed in [2026, 7, 99] as [UInt64] {
            var ch = clean
            for (k, r) in ["interviewer", "interviewee"].enumerated() {
                let spans = truth.turns.filter { $0.speaker == r }.map { Span($0.start, $0.end) }
                TimingFixture.addNoise(&ch[k], snrDb: 10, spans: spans, seed: seed * 2 + UInt64(k), rate: rate)
            }
            let e = checkInterview(ch, rate: rate, truth: truth, label: "10 dB SNR seed \(seed)")
            #expect(e.boundary <= 0.1)
            #expect(e.latency <= 0.1)
            #expect(e.share <= 0.03)
            #expect(e.pausesOK)
        }
    }

    @Test func pinkNoiseInterviewAt10dB() throws {
        // Pink (1/f) noise carries most of its power at low frequencies, like room rumble.
        let truth = try InterviewSample.truth()
        var (ch, rate) = try InterviewSample.channels()
        for (k, r) in ["interviewer", "interviewee"].enumerated() {
            let spans = truth.turns.filter { $0.speaker == r }.map { Span($0.start, $0.end) }
            TimingFixture.addPinkNoise(&ch[k], snrDb: 10, spans: spans, seed: UInt64(31 + k), rate: rate)
        }
        let e = checkInterview(ch, rate: rate, truth: truth, label: "10 dB SNR pink noise")
        // Not an acceptance criterion (white noise is): measured 104 ms (A5's weak ending,
        // under the noise) and 100 ms; the bound guards against regressions.
        #expect(e.boundary <= 0.12)
        #expect(e.latency <= 0.12)
        #expect(e.share <= 0.03)
        #expect(e.pausesOK)
    }

    @Test func pipelineAndSegmentsOnInterview() throws {
        // The one-call pipeline the CLI uses, with the sample's segment files.
        let truth = try InterviewSample.truth()
        let (ch, rate) = try InterviewSample.channels()
        let roles = ["interviewer", "interviewee"]
        let inputs = ch.enumerated().map { k, x -> TimingChannelInput in
            let r = analyzeChannel(x, rate: rate)
            return TimingChannelInput(role: roles[k], frames: r.frames, pitch: r.pitch)
        }
        let rec = try TimingAnalysis.run(channels: inputs)
        let conv = try #require(rec.conversation)
        #expect(!conv.estimate && conv.turns.count == truth.turns.count)
        #expect(rec.channels.map(\.pauseCount) == roles.map { truth.pauses[$0]?.count ?? 0 })
        let duration = Double(ch[0].count) / rate
        for file in ["interview.segments.csv", "interview.TextGrid"] {
            let path = InterviewSample.root.appendingPathComponent("samples/" + file).path
            let segs = try Segments.validate(try SegmentReader.read(path: path), duration: duration, path: path)
            #expect(segs.count == truth.turns.count, "\(file)")
            let st = try TimingAnalysis.segments(segs, channels: inputs, recording: rec)
            for (seg, t) in zip(segs, st) {
                #expect(roles[t.source] == seg.speaker, "\(file) \(seg.label) measured on \(roles[t.source])")
                let turn = truth.turns.first { $0.label == seg.label }!
                // The segment is the turn: its speech spans it (within the VAD's edge error).
                if let first = t.timing.speech.first, let last = t.timing.speech.last {
                    #expect(abs(first.start - turn.start) <= 0.05 && abs(last.end - turn.end) <= 0.05, "\(file) \(seg.label)")
                } else {
                    Issue.record("\(file) \(seg.label): no speech")
                }
            }
            if file.hasSuffix(".csv") {
                // Answers: latency 0.55 s after the question (the CSV has roles).
                let answers = zip(segs, st).filter { $0.0.role == .answer }
                #expect(answers.count == 3)
                for (seg, t) in answers {
                    let want = truth.response_latencies.first { $0.answer == seg.label }!.latency_s
                    #expect(
                        t.responseLatencyS.map { abs($0 - want) <= 0.05 } == true, "\(seg.label) \(String(describing: t.responseLatencyS))")
                }
                let z = Segments.baselineZScores(segments: segs, features: st.map(\.numbers))
                for (seg, zz) in zip(segs, z) where seg.role == .answer {
                    #expect(zz["articulation_rate_syll_per_s"] != nil, "\(seg.label) has a z-score against B1–B3")
                }
                print(
                    "[timing] interview segment z-scores (articulation rate): \(zip(segs, z).filter { $0.0.role == .answer }.map { "\($0.0.label) \(String(format: "%.2f", $0.1["articulation_rate_syll_per_s"] ?? .nan))" })"
                )
            }
        }
    }

    @Test func monoDownmixOfInterviewIsAnEstimate() throws {
        // The same interview mixed to one channel: the two-speaker clustering fallback.
        let truth = try InterviewSample.truth()
        let (ch, rate) = try InterviewSample.channels()
        let mono = zip(ch[0], ch[1]).map { 0.5 * ($0 + $1) }
        let r = analyzeChannel(mono, rate: rate)
        let input = TimingChannelInput(role: "unknown", frames: r.frames, pitch: r.pitch)
        let rec = try TimingAnalysis.run(channels: [input], monoSpeakers: ["interviewer", "interviewee"])
        let conv = try #require(rec.conversation)
        #expect(conv.estimate && conv.method == "mono-clustering")
        var talk: [String: Double] = [:]
        for t in truth.turns { talk[t.speaker, default: 0] += t.end - t.start }
        for (sp, ps) in truth.pauses { for p in ps { talk[sp, default: 0] -= p[1] - p[0] } }
        let share = talk["interviewer"]! / (talk["interviewer"]! + talk["interviewee"]!)
        let got = conv.talkShare["interviewer"] ?? -1
        // Turn starts outside the overlap, matched to the nearest estimated turn of that speaker.
        var maxStart = 0.0
        for (k, t) in truth.turns.enumerated() where !(k > 0 && truth.turns[k - 1].end > t.start) {
            let near = conv.turns.filter { $0.speaker == t.speaker }.map { abs($0.start - t.start) }.min() ?? .infinity
            maxStart = max(maxStart, near)
        }
        print(
            "[timing] interview mono estimate: \(conv.turns.count) turns (truth \(truth.turns.count)), talk share \(String(format: "%.3f", got)) vs \(String(format: "%.3f", share)), max turn-start error outside the overlap \(ms(maxStart)) ms, latencies \(conv.responseLatenciesS)"
        )
        #expect(abs(got - share) <= 0.05)
        #expect(maxStart <= 0.1)
        // Per estimated speaker, turn exchanges are not pauses: the speakers' own pause counts.
        #expect(
            rec.speakers.map(\.pauseCount) == ["interviewer", "interviewee"].map { truth.pauses[$0]?.count ?? 0 },
            "\(rec.speakers.map(\.pauses))")
    }

    @Test func identicalChannelsAreTreatedAsMono() throws {
        // A mono recording stored as stereo: one speaker per channel cannot be assumed.
        let truth = try InterviewSample.truth()
        let (ch, rate) = try InterviewSample.channels()
        let mono = zip(ch[0], ch[1]).map { 0.5 * ($0 + $1) }
        let r = analyzeChannel(mono, rate: rate)
        let input = { (role: String) in TimingChannelInput(role: role, frames: r.frames, pitch: r.pitch) }
        let rec = try TimingAnalysis.run(channels: [input("interviewer"), input("interviewee")])
        let conv = try #require(rec.conversation)
        #expect(conv.estimate && conv.method.hasPrefix("mono-clustering"))
        #expect(conv.turns.map(\.speaker) == truth.turns.map(\.speaker))
        // Real stereo is not mistaken for copies.
        let stereo = ch.map { analyzeChannel($0, rate: rate) }
        #expect(
            !ConversationAnalysis.channelsAreCopies(
                stereo.enumerated().map { k, c in
                    ConversationChannel(role: "\(k)", speech: c.speech, level: c.frames.levelTrack)
                }))
    }
}
