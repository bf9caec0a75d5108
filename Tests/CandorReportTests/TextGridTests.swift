import Foundation
import Testing
@testable import CandorReport

/// Praat (a test-only dependency, installed by scripts/setup-test.sh) reads the exported
/// TextGrid back; its tier names and counts must match the analysis.
@Suite struct TextGridTests {
    struct PraatTier: Equatable {
        var name: String
        var kind: String
        var count: Int
        var labelled: Int
    }

    func readWithPraat(_ text: String) throws -> (tiers: [PraatTier], labels: [[String]], points: [[String]], xmax: Double) {
        let praat = try #require(TestPaths.tool("praat"), "praat is not installed (scripts/setup-test.sh installs it)")
        let dir = tempDir()
        let path = dir + "/export.TextGrid"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try runProcess(praat, ["--run", TestPaths.praatScript, path])
        #expect(r.status == 0, "praat failed: \(r.stderr)")
        var tiers: [PraatTier] = [], labels: [[String]] = [], points: [[String]] = []
        var xmax = -1.0
        for line in r.stdout.split(separator: "\n") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            switch f.first {
            case "tiers": xmax = Double(f[2]) ?? -1
            case "tier": tiers.append(PraatTier(name: f[2], kind: f[3], count: Int(f[4]) ?? -1, labelled: Int(f[5]) ?? -1))
            case "label": labels.append(Array(f.dropFirst()))
            case "point": points.append(Array(f.dropFirst()))
            default: break
            }
        }
        return (tiers, labels, points, xmax)
    }

    @Test func praatReadsTheFixtureExport() throws {
        let a = try loadFixture()
        let read = try readWithPraat(TextGridWriter.write(a))
        // Expected labelled counts, straight from the analysis document.
        func turns(_ s: String) -> Int { a.conversation!.turns.filter { $0.speaker == s }.count }
        func pauses(_ s: String) -> Int { a.channels.first { $0.speaker == s }!.timing!.pauses.count }
        func segs(_ s: String) -> Int { a.segments!.filter { $0.speaker == s }.count }
        func voiced(_ s: String) -> Int { a.channels.first { $0.speaker == s }!.pitch!.values.filter { $0.isFinite && $0 > 0 }.count }
        let names = read.tiers.map(\.name)
        #expect(
            names == [
                "turns-interviewer", "turns-interviewee", "pauses-interviewer", "pauses-interviewee",
                "segments-interviewer", "segments-interviewee", "flagged", "pitch-interviewer", "pitch-interviewee",
            ])
        let byName = Dictionary(uniqueKeysWithValues: read.tiers.map { ($0.name, $0) })
        for s in ["interviewer", "interviewee"] {
            #expect(byName["turns-\(s)"]?.labelled == turns(s))
            #expect(byName["pauses-\(s)"]?.labelled == pauses(s))
            #expect(byName["segments-\(s)"]?.labelled == segs(s))
            #expect(byName["pitch-\(s)"] == PraatTier(name: "pitch-\(s)", kind: "point", count: voiced(s), labelled: voiced(s)))
        }
        #expect(turns("interviewer") == 3 && pauses("interviewer") == 2 && segs("interviewee") == 4)
        #expect(byName["flagged"]?.labelled == 1)
        #expect(abs(read.xmax - 27) < 1e-9)
        // Segment times and labels survive the round trip.
        let s5 = try #require(read.labels.first { $0[3] == "[answer] Account of the evening" })
        #expect(s5[0] == "segments-interviewee" && s5[1] == "13.900000" && s5[2] == "19.950000")
        let flagged = try #require(read.labels.first { $0[0] == "flagged" })
        #expect(flagged[3].hasPrefix("s5: f0_mean_st"))
        // The first pitch point is the first voiced frame.
        let ch0 = a.channels[0].pitch!
        let first = ch0.values.firstIndex { $0.isFinite }!
        let p = try #require(read.points.first { $0[0] == "pitch-interviewer" })
        #expect(abs(Double(p[1])! - ch0.times[first]) < 1e-6)
        #expect(abs(Double(p[2])! - ch0.values[first]) < 0.006)
    }

    @Test func quotesAndOverlapsSurvive() throws {
        let text = try fixtureText(replacing: [("Names the people present", "He said \\\"no\\\" — ünïcode, tab\\there")])
        var a = try AnalysisData.parse(Array(text.utf8))
        // A second flagged segment overlapping the first: the flagged tier clips it.
        a.scores?.append(
            ScoreData(
                model: "m", modelVersion: "1", modelSHA256: "x", target: "s4", value: 0.9, flag: "follow-up suggested",
                contributions: [], abstained: false, reason: nil, topCues: ["a"]))
        a.segments![3].start = 13.0
        a.segments![3].end = 15.0
        let read = try readWithPraat(TextGridWriter.write(a))
        #expect(read.labels.contains { $0[3] == "[answer] He said \"no\" — ünïcode, tab here" })
        let flagged = read.labels.filter { $0[0] == "flagged" }
        #expect(flagged.count == 2)
        #expect(flagged.map { $0[1] } == ["13.000000", "15.000000"])
        #expect(flagged.map { $0[2] } == ["15.000000", "19.950000"])
    }

    @Test func analysisWithoutTimingStillOpens() throws {
        let text = """
            {"schema": "candor.analysis/1", "input": {"duration_s": 1.5},
             "channels": [{"index": 0, "role": "unknown", "pitch": {"frames": [[0.5, 120], [0.51, null], [0.52, 130.25]]}}]}
            """
        let read = try readWithPraat(TextGridWriter.write(try AnalysisData.parse(Array(text.utf8))))
        #expect(read.tiers == [PraatTier(name: "pitch-channel 0", kind: "point", count: 2, labelled: 2)])
        #expect(read.points.first?[2] == "120")
    }
}
