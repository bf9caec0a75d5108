import Testing
@testable import CandorFeatures

/// The turn-edge rule (TurnEdges.swift) on hand-made frames: low tails and clicks go, a
/// voiced frame or a long unvoiced run (fricative) stops the walk.
struct TurnEdgeTests {
    static let g = FrameGrid(t1: 0.005, dt: 0.01, count: 100)

    /// The end the rule keeps for frames `db` (dB) with voicing `v`, peak 80 dB (threshold 50).
    func end(_ db: [Float], _ v: [Bool]) -> Int {
        ConversationAnalysis.edgeFrame(
            db: db, voiced: v, from: db.count - 1, step: -1, threshold: 50, g: Self.g, config: ConversationConfig())
    }
    func start(_ db: [Float], _ v: [Bool]) -> Int {
        ConversationAnalysis.edgeFrame(db: db, voiced: v, from: 0, step: 1, threshold: 50, g: Self.g, config: ConversationConfig())
    }
    let word = [Float](repeating: 80, count: 5)
    let voiced = [Bool](repeating: true, count: 5)
    func u(_ n: Int) -> [Bool] { [Bool](repeating: false, count: n) }

    @Test func lowTailAfterTheLastWordIsNotTheTurn() {
        #expect(end(word + [35, 34, 33], voiced + u(3)) == 4)
        #expect(start([33, 34, 35] + word, u(3) + voiced) == 3)
    }

    @Test func anIsolatedClickAfterTheLastWordIsDropped() {
        // 30 ms low gap, a 10 ms burst, a low tail.
        #expect(end(word + [40, 40, 40, 70, 40, 40], voiced + u(6)) == 4)
        // The same before the first word (a lip smack before speaking).
        #expect(start([40, 70, 40, 40] + word, u(4) + voiced) == 4)
    }

    @Test func wordFinalConsonantsStay() {
        // A 40 ms fricative right after voicing stays, its low tail goes.
        #expect(end(word + [65, 65, 65, 65, 40, 40], voiced + u(6)) == 8)
        // A 40 ms burst with aspiration above the threshold after a closure stays.
        #expect(end(word + [40, 40, 40, 70, 60, 55, 52, 40], voiced + u(8)) == 11)
        // A burst with no low gap before it is part of the word.
        #expect(end(word + [70, 40, 40], voiced + u(3)) == 5)
    }

    @Test func aVoicedFrameStopsTheWalk() {
        #expect(end(word + [30, 40, 40], voiced + [true] + u(2)) == 5)
        // A click beyond a weak voiced ending: the click goes, the voiced frame stays.
        #expect(end(word + [30, 40, 40, 70, 40], voiced + [true] + u(4)) == 5)
    }

    @Test func refinedTurnEdgesLeaveSpeechAndTalkShareAlone() throws {
        // Speaker A: a word 0.10–0.60 s, a low tail to 0.80 s; speaker B: a click at 0.95 s,
        // then a word 1.00–1.50 s. Detected speech covers the tail and the click.
        let n = 200
        let grid = FrameGrid(t1: 0.005, dt: 0.01, count: n)
        func track(_ loud: Range<Int>, tail: Range<Int>? = nil, click: Int? = nil) -> TimingChannelInput {
            var db = [Float](repeating: 30, count: n)
            var f0 = [Float](repeating: 0, count: n)
            for i in loud { db[i] = 80; f0[i] = 120 }
            if let tail { for i in tail { db[i] = 40 } }
            if let click { db[click] = 70 }
            let zeros = [Float](repeating: 0, count: n)
            let frames = SpeechFrames(
                grid: grid, bandDb: db, periodicity: zeros, f0: zeros, syllableDb: db,
                shape: [Float](repeating: 0, count: n * SpeechFrames.shapeBands))
            return TimingChannelInput(role: "x", frames: frames, pitch: PitchTrack(grid: grid, f0: f0, strength: zeros))
        }
        let a = track(10..<60, tail: 60..<80)
        let b = track(100..<150, click: 95)
        let speech = [[Span(0.1, 0.8)], [Span(0.95, 1.5)]]
        let edges = try ConversationAnalysis.turnEdgeSpeech(
            sources: [a.source, b.source], speech: speech, config: ConversationConfig(),
            voiceActivity: VoiceActivityConfig(), chunking: TimingChunking())
        #expect(abs(edges[0][0].end - 0.6) < 1e-9, "\(edges)")
        #expect(abs(edges[1][0].start - 1.0) < 1e-9, "\(edges)")
        let c = ConversationAnalysis.analyze(
            speakers: ["interviewer", "interviewee"], speech: speech, turnSpeech: edges, estimate: false, method: "channels")
        #expect(c.speech == speech)
        #expect(abs(c.talkShare["interviewer"]! - 0.7 / 1.25) < 1e-9)
        #expect(c.responseLatenciesS.count == 1 && abs(c.responseLatenciesS[0] - 0.4) < 1e-9, "\(c.responseLatenciesS)")
        // Off: the turns end where the speech ends.
        var off = ConversationConfig()
        off.edgeBelowPeakDb = nil
        let same = try ConversationAnalysis.turnEdgeSpeech(
            sources: [a.source, b.source], speech: speech, config: off, voiceActivity: VoiceActivityConfig(), chunking: TimingChunking())
        #expect(same == speech)
    }
}
