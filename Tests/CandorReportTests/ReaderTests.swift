import CandorJSON
import Foundation
import Testing
@testable import CandorReport

@Suite struct ReaderTests {
    @Test func fixtureAgreesWithPythonJSON() throws {
        let a = try loadFixture()
        // Independent reference: Python's json module on the same file.
        let py = try python(
            """
            import json, sys
            d = json.load(open(sys.argv[1]))
            for c in d["channels"]:
                f = c["pitch"]["frames"]; i = c["intensity"]["frames"]
                voiced = [v for t, v in f if v is not None]
                print(c["index"], len(f), len(voiced), repr(sum(voiced)), len(i), repr(sum(v for t, v in i)), len(c["timing"]["pauses"]))
            print("segments", len(d["segments"]), len(d["scores"]), len(d["conversation"]["turns"]))
            """, [TestPaths.fullFixture])
        #expect(py.status == 0, "\(py.stderr)")
        let lines = py.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines.count == 3)
        for (k, c) in a.channels.enumerated() {
            let ref = lines[k]
            let pitch = try #require(c.pitch)
            let intensity = try #require(c.intensity)
            let voiced = pitch.values.filter { $0.isFinite }
            #expect(String(c.index) == ref[0])
            #expect(pitch.count == Int(ref[1]))
            #expect(voiced.count == Int(ref[2]))
            #expect(abs(voiced.reduce(0, +) - Double(ref[3])!) < 1e-6)
            #expect(intensity.count == Int(ref[4]))
            #expect(abs(intensity.values.reduce(0, +) - Double(ref[5])!) < 1e-6)
            #expect(c.timing?.pauses.count == Int(ref[6]))
        }
        #expect(
            lines[2] == [
                "segments", String(a.segments?.count ?? -1), String(a.scores?.count ?? -1), String(a.conversation?.turns.count ?? -1),
            ])
        #expect(a.flaggedSegmentIDs == ["s5"])
        #expect(a.speakers == ["interviewer", "interviewee"])
    }

    @Test func pairFastPathMatchesGenericParse() throws {
        // The same data as pairs (fast path) and with a third element in one row (generic path).
        let fast = try JSONReader.parse(Array("[[0.5, null], [1, 2.5e1], [-3, 4]]".utf8))
        let slow = try JSONReader.parse(Array("[[0.5, null], [1, 2.5e1], [-3, 4, 5]]".utf8))
        guard case .pairs(let x, let y) = fast else { Issue.record("expected .pairs"); return }
        #expect(x == [0.5, 1, -3])
        #expect(y[0].isNaN && y[1] == 25 && y[2] == 4)
        guard case .array(let items) = slow else { Issue.record("expected .array"); return }
        #expect(items.count == 3)
        #expect(items[2].array?.count == 3)
        #expect(slow.pairColumns == nil)
    }

    @Test func stringsAndEscapes() throws {
        let v = try JSONReader.parse(Array(#"{"a": "x\"y\\z\n\u00e9\ud83d\ude00", "b": [true, false, null], "c": {}}"#.utf8))
        #expect(v["a"]?.string == "x\"y\\z\né😀")
        #expect(v["b"]?.array?.count == 3)
        #expect(v["c"]?.fields?.isEmpty == true)
    }

    @Test(arguments: [
        ("{\"a\": 1,}", 1), ("[1, 2", 1), ("{\n\"a\": tru}", 2), ("\"abc", 1), ("{\"a\":1} x", 1), ("01", 1),
        ("{\"a\": \"\u{01}\"}", 1), ("", 1), ("[1,\n2,\n-]", 3),
    ])
    func malformedInputIsRejectedWithItsLine(_ text: String, _ line: Int) {
        do {
            _ = try JSONReader.parse(Array(text.utf8))
            Issue.record("accepted \(text.debugDescription)")
        } catch {
            #expect(error.line == line, "\(text.debugDescription): \(error)")
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONReader.parse(Array(deep.utf8)) }
    }

    @Test func documentsThatAreNotAnalysesAreRejected() {
        for text in ["[]", "{\"schema\": \"other/1\"}", "{\"input\": {}}", "not json"] {
            #expect(throws: ReportInputError.self) { try AnalysisData.parse(Array(text.utf8)) }
        }
    }

    @Test func missingPartsAreNilNotErrors() throws {
        // What `candor analyze` wrote before voice/timing/conversation/segments/scores existed,
        // plus malformed optional parts, which are ignored rather than fatal.
        let text = """
            {"schema": "candor.analysis/1", "input": {"path": "x.wav", "duration_s": 2},
             "channels": [{"index": 0, "role": "unknown",
                           "pitch": {"time_step_s": 0.01, "frames": [[0.5, 120], [0.51, null], [0.52, 121]]},
                           "intensity": {"frames": [[0.5, 60], [0.51, 61], [0.52, 62]]},
                           "timing": "garbage"}],
             "conversation": [1, 2], "segments": [{"id": "a", "start": 2, "end": 1},
                {"id": "b", "start": 0, "end": 1, "features": {"f0_mean_st": 1.5, "timing": {"pause_count": 2, "pause_mean_s": null, "speech": [[0, 1]]}}}]}
            """
        let a = try AnalysisData.parse(Array(text.utf8))
        #expect(a.channels.count == 1)
        #expect(a.channels[0].voice == nil)
        #expect(a.channels[0].timing == nil)
        #expect(a.channels[0].speaker == "channel 0")
        #expect(a.conversation == nil)
        #expect(a.segments?.map(\.id) == ["b"])
        // Nested feature objects are flattened with dotted names; arrays are not features.
        #expect(a.segments?[0].features.map(\.name) == ["f0_mean_st", "timing.pause_count", "timing.pause_mean_s"])
        #expect(a.segments?[0].features.map(\.value) == [1.5, 2, nil])
        #expect(a.scores == nil)
        #expect(a.timelineEnd == 2)
    }
}
