import Testing
@testable import CandorFeatures

/// Backchannels are counted apart from interruptions, by the same rule for channels and for
/// the mono estimate (both go through `ConversationAnalysis.analyze(speakers:speech:…)`).
@Suite struct BackchannelTests {
    /// A holds the floor 0–10 s with a pause at 5–5.5 s; B says "mm-hm" at 2.0–2.5 s (inside
    /// A's speech), talks over A for 1.5 s at 7.0 s without taking the floor, then cuts in at
    /// 9.5 s and keeps talking after A stops.
    static let speech = [[Span(0, 5), Span(5.5, 10)], [Span(2, 2.5), Span(7, 8.5), Span(9.5, 12)]]

    @Test(arguments: [false, true])
    func shortFeedbackIsABackchannelNotAnInterruption(_ estimate: Bool) {
        let c = ConversationAnalysis.analyze(
            speakers: ["A", "B"], speech: Self.speech, estimate: estimate,
            method: estimate ? "mono-clustering" : "channels")
        #expect(c.backchannels.count == 1)
        #expect(
            c.backchannels.first.map { ($0.speaker, $0.during, $0.start, $0.end, $0.overlapS) } ?? ("", "", 0, 0, 0) == (
                "B", "A", 2, 2.5, 0.5
            ))
        #expect(c.interruptions.map(\.time) == [7, 9.5])
        #expect(c.interruptions.map(\.tookFloor) == [false, true])
        #expect(c.overlaps.count == 3, "backchannel overlap stays an overlap: \(c.overlaps)")
        let m = ConversationMeasures(c, durationS: 600)
        #expect(m.interruptions == 2 && m.backchannels == 1)
        #expect(m.interruptions(by: "B", of: "A") == 2 && m.interruptions(by: "A", of: "B") == 0)
        #expect(m.speaker("B")?.interruptionsMadePer10Min == 2)
        #expect(m.speaker("B")?.backchannels == 1)
    }

    @Test func medianIsTheMiddleOrTheMeanOfTheTwoMiddles() {
        #expect(ConversationMeasures.median([3, 1, 2]) == 2)
        #expect(ConversationMeasures.median([4, 1, 2, 3]) == 2.5)
        #expect(ConversationMeasures.median([]) == nil)
    }
}
