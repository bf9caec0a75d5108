import Foundation
import Testing
import CandorAudio
@testable import CandorFeatures
@testable import CandorInterchange

func parseSegments(_ text: String, name: String) throws -> [Segment] {
    try SegmentReader.parse(bytes: Array(text.utf8), path: name)
}

/// Expects an InputError naming the file and the line.
func expectError(
    _ text: String, name: String, line: Int, containing: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    do {
        let s = try parseSegments(text, name: name)
        Issue.record("no error for malformed \(name): \(s)", sourceLocation: sourceLocation)
    } catch let e as InputError {
        #expect(e.path == name, sourceLocation: sourceLocation)
        #expect(e.problem.hasPrefix("line \(line):"), "\(e.problem)", sourceLocation: sourceLocation)
        if let c = containing { #expect(e.problem.contains(c), "\(e.problem)", sourceLocation: sourceLocation) }
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}

let longTextGrid = """
    File type = "ooTextFile"
    Object class = "TextGrid"

    xmin = 0
    xmax = 10
    tiers? <exists>
    size = 2
    item []:
        item [1]:
            class = "IntervalTier"
            name = "interviewer"
            xmin = 0
            xmax = 10
            intervals: size = 3
            intervals [1]:
                xmin = 0
                xmax = 1.5
                text = "baseline: state your name"
            intervals [2]:
                xmin = 1.5
                xmax = 4
                text = ""
            intervals [3]:
                xmin = 4
                xmax = 5.25
                text = "[question] where were you ""then""?"
        item [2]:
            class = "IntervalTier"
            name = "interviewee"
            xmin = 0
            xmax = 10
            intervals: size = 2
            intervals [1]:
                xmin = 0
                xmax = 5.5
                text = ""
            intervals [2]:
                xmin = 5.5
                xmax = 9
                text = "answer"
    """

let shortTextGrid = """
    File type = "ooTextFile"
    Object class = "TextGrid"

    0
    10
    <exists>
    2
    "IntervalTier"
    "interviewer"
    0
    10
    2
    0
    1.5
    "baseline: state your name"
    4
    5.25
    "question: where were you"
    "TextTier"
    "marks"
    0
    10
    1
    2.5
    "click"
    """

@Suite struct SegmentTests {
    @Test func textGridLongFormat() throws {
        let s = try parseSegments(longTextGrid, name: "s.TextGrid")
        #expect(s.count == 3)
        #expect(s[0] == Segment(id: "s1", label: "state your name", speaker: "interviewer", start: 0, end: 1.5, role: .baseline, line: 16))
        #expect(s[1].role == .question && s[1].label == "where were you \"then\"?" && s[1].start == 4 && s[1].end == 5.25)
        #expect(s[2].speaker == "interviewee" && s[2].role == .answer && s[2].start == 5.5 && s[2].end == 9)
    }

    @Test func textGridShortFormatAndPointTiers() throws {
        let s = try parseSegments(shortTextGrid, name: "short.TextGrid")
        #expect(s.map(\.role) == [.baseline, .question])
        #expect(s.map(\.speaker) == ["interviewer", "interviewer"])
        #expect(s[1].start == 4 && s[1].end == 5.25 && s[1].label == "where were you")
    }

    @Test func textGridUTF16() throws {
        var bytes: [UInt8] = [0xFE, 0xFF]
        for u in shortTextGrid.utf16 { bytes += [UInt8(u >> 8), UInt8(u & 0xFF)] }
        let s = try SegmentReader.parse(bytes: bytes, path: "u16.TextGrid")
        #expect(s.count == 2)
    }

    @Test func textGridsWrittenByPraat() throws {
        // Praat itself writes the same annotation in both text formats.
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("candor-praat-tg-\(UUID().uuidString)").path
        let script = """
            Create TextGrid: 0, 10, "interviewer interviewee", ""
            Insert boundary: 1, 1.5
            Insert boundary: 1, 4
            Insert boundary: 1, 5.25
            Set interval text: 1, 1, "baseline: state your name"
            Set interval text: 1, 3, "[question] where were you ""then""?"
            Insert boundary: 2, 5.5
            Insert boundary: 2, 9
            Set interval text: 2, 2, "answer"
            Save as text file: "\(out).long.TextGrid"
            Save as short text file: "\(out).short.TextGrid"

            """
        try script.write(toFile: out + ".praat", atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["praat", "--run", out + ".praat"]
        try p.run()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "praat must be installed (scripts/setup-test.sh)")
        defer {
            try? FileManager.default.removeItem(atPath: out + ".long.TextGrid")
            try? FileManager.default.removeItem(atPath: out + ".short.TextGrid")
            try? FileManager.default.removeItem(atPath: out + ".praat")
        }
        let long = try SegmentReader.read(path: out + ".long.TextGrid")
        let short = try SegmentReader.read(path: out + ".short.TextGrid")
        let expected: [(String, SegmentRole, String, Double, Double)] = [
            ("interviewer", .baseline, "state your name", 0, 1.5),
            ("interviewer", .question, "where were you \"then\"?", 4, 5.25),
            ("interviewee", .answer, "answer", 5.5, 9),
        ]
        for segs in [long, short] {
            #expect(segs.count == 3)
            for (s, e) in zip(segs, expected) {
                #expect(s.speaker == e.0 && s.role == e.1 && s.label == e.2 && s.start == e.3 && s.end == e.4, "\(s)")
            }
        }
    }

    @Test func webVTT() throws {
        let vtt = """
            WEBVTT - interview

            NOTE roles in brackets

            q1
            00:00:01.000 --> 00:00:02.500 align:start
            <v Det. Smith>[question] Where were you?</v>

            00:03.000 --> 00:05.250
            <v Jones>answer: At home.
            """
        let s = try parseSegments(vtt, name: "s.vtt")
        #expect(s.count == 2)
        #expect(s[0].id == "q1" && s[0].speaker == "Det. Smith" && s[0].role == .question && s[0].label == "Where were you?")
        #expect(s[0].start == 1 && s[0].end == 2.5 && s[0].line == 6)
        #expect(s[1].speaker == "Jones" && s[1].role == .answer && s[1].start == 3 && s[1].end == 5.25)
    }

    @Test func srt() throws {
        let srt = """
            1
            00:00:01,000 --> 00:00:02,500
            baseline: Please state your name.

            2
            00:00:03,000 --> 00:00:05,250
            John Smith.
            """
        let s = try parseSegments(srt, name: "s.srt")
        #expect(s.count == 2)
        // SRT cue numbers are positions, not ids: ids are the same as for any other format.
        #expect(s[0].role == .baseline && s[0].id == "s1" && s[0].start == 1 && s[0].end == 2.5)
        #expect(s[1].role == .other && s[1].label == "John Smith.")
    }

    /// The same segments as TextGrid, CSV, SRT and WebVTT get the same ids: in time order, the
    /// label when it is unique and identifier-like, else s<k>.
    @Test func idsDoNotDependOnTheFormat() throws {
        let csv = """
            start,end,label,speaker,role
            0.5,2.0,Q1,interviewer,question
            2.5,4.0,A1,interviewee,answer
            4.5,6.0,where were you,interviewer,question
            6.5,8.0,A1,interviewee,answer
            """
        let textGrid = """
            File type = "ooTextFile"
            Object class = "TextGrid"
            xmin = 0
            xmax = 8
            tiers? <exists>
            size = 2
            item []:
                item [1]:
                    class = "IntervalTier"
                    name = "interviewer"
                    xmin = 0
                    xmax = 8
                    intervals: size = 2
                    intervals [1]:
                        xmin = 0.5
                        xmax = 2.0
                        text = "[question] Q1"
                    intervals [2]:
                        xmin = 4.5
                        xmax = 6.0
                        text = "[question] where were you"
                item [2]:
                    class = "IntervalTier"
                    name = "interviewee"
                    xmin = 0
                    xmax = 8
                    intervals: size = 2
                    intervals [1]:
                        xmin = 2.5
                        xmax = 4.0
                        text = "[answer] A1"
                    intervals [2]:
                        xmin = 6.5
                        xmax = 8.0
                        text = "[answer] A1"
            """
        let srt = """
            1
            00:00:00,500 --> 00:00:02,000
            question: Q1

            2
            00:00:02,500 --> 00:00:04,000
            answer: A1

            3
            00:00:04,500 --> 00:00:06,000
            question: where were you

            4
            00:00:06,500 --> 00:00:08,000
            answer: A1
            """
        let expected = ["Q1", "s2", "s3", "s4"]
        #expect(try parseSegments(csv, name: "x.csv").map(\.id) == expected)
        #expect(try parseSegments(textGrid, name: "x.TextGrid").map(\.id) == expected)
        #expect(try parseSegments(srt, name: "x.srt").map(\.id) == expected)
    }

    @Test func csvWithAndWithoutHeader() throws {
        let a = try parseSegments(
            """
            start,end,label,speaker,role
            0,1.5,"state your name, please",interviewer,baseline
            4,5.25,where,interviewer,question
            5.5,9,,interviewee,answer
            """, name: "s.csv")
        #expect(a.count == 3)
        #expect(a[0].label == "state your name, please" && a[0].role == .baseline && a[0].line == 2)
        #expect(a[2].speaker == "interviewee" && a[2].role == .answer && a[2].label == "")
        let b = try parseSegments("speaker,role,start,end\nme,question,1,2\n", name: "reordered.csv")
        #expect(b == [Segment(id: "s1", label: "", speaker: "me", start: 1, end: 2, role: .question, line: 2)])
        let c = try parseSegments("1,2,x,me,answer\n", name: "noheader.csv")
        #expect(c.first?.role == .answer && c.first?.start == 1)
    }

    @Test func malformedTextGrids() {
        expectError(
            longTextGrid.replacingOccurrences(of: "xmax = 5.25", with: "xmax = five"),
            name: "bad.TextGrid", line: 25, containing: "five")
        expectError(
            longTextGrid.replacingOccurrences(of: "text = \"answer\"", with: "text = \"answer"),
            name: "bad.TextGrid", line: 40, containing: "unterminated")
        expectError(
            longTextGrid.replacingOccurrences(of: "intervals: size = 2", with: "intervals: size = 3"),
            name: "bad.TextGrid", line: 40, containing: "end of file")
        expectError(
            shortTextGrid.replacingOccurrences(of: "5.25", with: "3"),
            name: "bad.TextGrid", line: 17, containing: "before it starts")
        expectError(
            longTextGrid.replacingOccurrences(
                of: "\"IntervalTier\"\n        name = \"interviewee\"", with: "\"Tier\"\n        name = \"interviewee\""),
            name: "bad.TextGrid", line: 28, containing: "unknown tier class")
        expectError("File type = \"ooTextFile\"\nObject class = \"Pitch 1\"\n", name: "p.TextGrid", line: 2, containing: "TextGrid")
    }

    @Test func malformedVTTAndSRT() {
        expectError("WEBVTT\n\n00:01.000 --> 00:xx.000\nhello\n", name: "bad.vtt", line: 3, containing: "end time")
        expectError("WEBVTT\n\nhello\nthere\nworld\n", name: "bad.vtt", line: 3, containing: "timing")
        expectError("00:01.000 --> 00:02.000\nhello\n", name: "nohead.vtt", line: 1, containing: "WEBVTT")
        expectError("1\n00:00:01,000 -> 00:00:02,000\nhi\n", name: "bad.srt", line: 1, containing: "timing")
        expectError(
            "1\n00:00:01,000 --> 00:00:02,000\nhi\n\nx\n00:00:03,000 --> 00:00:04,000\nyo\n", name: "bad.srt", line: 5,
            containing: "cue number")
    }

    @Test func malformedCSV() {
        expectError(
            "start,end,label,speaker,role\n0,1,a,b,baseline\n2,abc,a,b,question\n", name: "bad.csv", line: 3, containing: "end time 'abc'")
        expectError("start,end,label,speaker,role\n0,1,a,b,suspicious\n", name: "bad.csv", line: 2, containing: "role 'suspicious'")
        expectError("start,end,label\n0,1,\"open\n", name: "bad.csv", line: 2, containing: "unterminated")
        expectError("start,end,label\n\n\n7\n", name: "bad.csv", line: 4, containing: "at least 2 fields")
        expectError("start,end,label\n0,1,\"a\"b\n", name: "bad.csv", line: 2, containing: "closing quote")
    }

    @Test func invalidUTF8NamesTheLine() {
        let bytes = Array("start,end\n0,1\n".utf8) + [0xFF, 0xFE, 0x2C, 0x0A]
        #expect(throws: InputError.self) { try SegmentReader.parse(bytes: bytes, path: "x.csv") }
        do { _ = try SegmentReader.parse(bytes: Array("start,end\n0,1\n".utf8) + [0x31, 0xC3, 0x0A], path: "x.csv") } catch let e
            as InputError
        {
            #expect(e.problem.hasPrefix("line 3:"), "\(e.problem)")
        } catch { Issue.record("\(error)") }
    }

    @Test func readFromDiskAndMissingFile() throws {
        let p = FileManager.default.temporaryDirectory.appendingPathComponent("candor-seg-\(UUID().uuidString).TextGrid").path
        try longTextGrid.write(toFile: p, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: p) }
        #expect(try SegmentReader.read(path: p).count == 3)
        #expect(throws: InputError.self) { try SegmentReader.read(path: p + ".missing") }
    }

    // MARK: validation

    @Test func outOfRangeSegmentsAreErrors() throws {
        let segs = try parseSegments("start,end,label,speaker,role\n0,1,a,x,baseline\n8,12,b,x,answer\n", name: "r.csv")
        do {
            _ = try Segments.validate(segs, duration: 10, path: "r.csv")
            Issue.record("no error")
        } catch let e as InputError {
            #expect(e.path == "r.csv" && e.problem.hasPrefix("line 3:") && e.problem.contains("outside the recording"), "\(e.problem)")
        }
        // Within the tolerance: clamped to the end.
        let ok = try Segments.validate(try parseSegments("0,10.03,a,x,answer\n", name: "t.csv"), duration: 10, path: "t.csv")
        #expect(ok[0].end == 10)
        #expect(throws: InputError.self) {
            try Segments.validate(try parseSegments("-1,2,a,x,answer\n", name: "n.csv"), duration: 10, path: "n.csv")
        }
        #expect(throws: InputError.self) {
            try Segments.validate(try parseSegments("3,2,a,x,answer\n", name: "n.csv"), duration: 10, path: "n.csv")
        }
        #expect(throws: InputError.self) {
            try Segments.validate(try parseSegments("10.5,11,a,x,answer\n", name: "n.csv"), duration: 10, path: "n.csv")
        }
    }

    @Test func overlappingSegmentsOfOneSpeakerAreErrors() throws {
        let segs = try parseSegments("start,end,label,speaker,role\n0,2,a,x,question\n3,5,b,x,answer\n4.5,6,c,x,answer\n", name: "o.csv")
        do {
            _ = try Segments.validate(segs, duration: 10, path: "o.csv")
            Issue.record("no error")
        } catch let e as InputError {
            #expect(e.problem.hasPrefix("line 4:") && e.problem.contains("line 3") && e.problem.contains("overlaps"), "\(e.problem)")
        }
        // Different speakers may overlap (cross-talk); a touching boundary is fine.
        let other = try parseSegments("0,2,a,x,question\n1.5,3,b,y,answer\n3,4,c,y,answer\n", name: "ok.csv")
        #expect(try Segments.validate(other, duration: 10, path: "ok.csv").count == 3)
    }

    // MARK: per-segment measures

    @Test func responseLatencyOfAnAnswerSegment() throws {
        let segs = try Segments.validate(try parseSegments(longTextGrid, name: "s.TextGrid"), duration: 10, path: "s.TextGrid")
        let answer = segs.firstIndex { $0.role == .answer }!
        let q = try #require(Segments.questionFor(answerAt: answer, in: segs))
        #expect(segs[q].role == .question)
        let lat = Segments.responseLatency(
            question: segs[q], questionSpeech: [Span(4.1, 5.0)],
            answer: segs[answer], answerSpeech: [Span(5.8, 8.0)])
        #expect(lat.map { abs($0 - 0.8) < 1e-9 } == true)
        #expect(Segments.responseLatency(question: segs[q], questionSpeech: [], answer: segs[answer], answerSpeech: [Span(5.8, 8)]) == nil)
    }

    @Test func baselineZScoresMatchHandComputation() {
        let segs = [
            Segment(id: "b1", label: "", speaker: "x", start: 0, end: 1, role: .baseline),
            Segment(id: "b2", label: "", speaker: "x", start: 1, end: 2, role: .baseline),
            Segment(id: "b3", label: "", speaker: "x", start: 2, end: 3, role: .baseline),
            Segment(id: "by", label: "", speaker: "y", start: 2, end: 3, role: .baseline),
            Segment(id: "a1", label: "", speaker: "x", start: 5, end: 6, role: .answer),
            Segment(id: "q1", label: "", speaker: "y", start: 4, end: 5, role: .question),
        ]
        let feats: [[String: Double]] = [
            ["rate": 4, "p": 1], ["rate": 5, "p": 1], ["rate": 6, "p": 1], ["rate": 100], ["rate": 8, "p": 3], ["rate": 1],
        ]
        let z = Segments.baselineZScores(segments: segs, features: feats)
        // Baseline of x: mean 5, sample sd 1 → z = 3; "p" has sd 0 → left out; y's baseline is ignored.
        #expect(z[4] == ["rate": 3])
        #expect(z[5].isEmpty && z[0].isEmpty)
    }

    @Test func segmentJSONKeys() throws {
        let s = Segment(id: "s1", label: "l", speaker: "x", start: 1, end: 2, role: .answer, line: 9)
        let obj = try JSONSerialization.jsonObject(with: JSONEncoder().encode(s)) as! [String: Any]
        #expect(Set(obj.keys) == ["id", "label", "speaker", "start", "end", "role"])
        #expect(obj["role"] as? String == "answer")
    }
}
