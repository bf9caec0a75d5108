import CandorJSON
import Foundation
import Testing
@testable import CandorReport

/// The CSV tables are read back by Python's csv module (an independent RFC 4180 reader).
@Suite struct CSVTests {
    @Test func framesTableMatchesTheAnalysis() throws {
        let a = try loadFixture()
        var text = ""
        CSVWriter.frames(a) { text += $0 }
        let dir = tempDir()
        try text.write(toFile: dir + "/f.csv", atomically: true, encoding: .utf8)
        let r = try python(
            """
            import csv, sys, math
            rows = list(csv.DictReader(open(sys.argv[1], newline="")))
            print(",".join(rows[0].keys()))
            for ch in sorted(set(r["channel"] for r in rows)):
                sel = [r for r in rows if r["channel"] == ch]
                f0 = [float(r["f0_hz"]) for r in sel if r["f0_hz"] != ""]
                db = [float(r["intensity_db"]) for r in sel if r["intensity_db"] != ""]
                print(ch, sel[0]["speaker"], len(sel), len(f0), repr(sum(f0)), repr(sum(db)), sel[0]["t"])
            """, [dir + "/f.csv"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0] == "channel,speaker,t,f0_hz,intensity_db")
        for c in a.channels {
            let f = lines[1 + c.index].split(separator: " ").map(String.init)
            let voiced = c.pitch!.values.filter { $0.isFinite }
            #expect(f[0] == String(c.index) && f[1] == c.speaker)
            #expect(Int(f[2]) == c.pitch!.count)
            #expect(Int(f[3]) == voiced.count)
            #expect(abs(Double(f[4])! - voiced.reduce(0, +)) < 1e-6)
            #expect(abs(Double(f[5])! - c.intensity!.values.reduce(0, +)) < 1e-6)
            #expect(Double(f[6]) == c.pitch!.times[0])
        }
    }

    @Test func intensityIsInterpolatedOntoThePitchGrid() throws {
        let text = """
            {"schema": "candor.analysis/1", "channels": [{"index": 0, "role": "a",
              "pitch": {"frames": [[0.1, 100], [0.2, null], [0.3, 110]]},
              "intensity": {"frames": [[0.05, 40], [0.25, 60], [0.45, 80]]}}]}
            """
        var out = ""
        CSVWriter.frames(try AnalysisData.parse(Array(text.utf8))) { out += $0 }
        #expect(out == "channel,speaker,t,f0_hz,intensity_db\n0,a,0.1,100,45\n0,a,0.2,,55\n0,a,0.3,110,65\n")
    }

    @Test func segmentsTableRoundTripsHostileLabels() throws {
        let label = "Comma, \"quote\" and\nnewline =SUM(A1)"
        let json = label.replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
        let a = try AnalysisData.parse(Array(try fixtureText(replacing: [("Account of the evening", json)]).utf8))
        let dir = tempDir()
        try CSVWriter.segments(a).write(toFile: dir + "/s.csv", atomically: true, encoding: .utf8)
        let r = try python(
            """
            import csv, sys, json
            rows = list(csv.DictReader(open(sys.argv[1], newline="")))
            print(json.dumps({"header": list(rows[0].keys()), "rows": rows}))
            """, [dir + "/s.csv"])
        #expect(r.status == 0, "\(r.stderr)")
        let parsed = try JSONReader.parse(Array(r.stdout.utf8))
        let header = parsed["header"]?.array?.compactMap(\.string) ?? []
        #expect(Array(header.prefix(7)) == CSVWriter.segmentFixedColumns)
        #expect(
            header.contains("f0_mean_st") && header.contains("baseline-deviation.value") && header.contains("baseline-deviation.top_cues"))
        let rows = parsed["rows"]?.array ?? []
        #expect(rows.count == a.segments!.count)
        let s5 = try #require(rows.first { $0["id"]?.string == "s5" })
        #expect(s5["label"]?.string == label)
        #expect(s5["flagged"]?.string == "true")
        #expect(s5["baseline-deviation.value"]?.string == "0.61")
        #expect(s5["baseline-deviation.top_cues"]?.string == "f0_mean_st;pause_ratio;intensity_mean_db")
        #expect(s5["f0_mean_hz"]?.string == "119.16")
        let s4 = try #require(rows.first { $0["id"]?.string == "s4" })
        #expect(s4["baseline-deviation.abstained"]?.string == "true")
        #expect(s4["baseline-deviation.value"]?.string == "")
        let s1 = try #require(rows.first { $0["id"]?.string == "s1" })
        #expect(s1["response_latency_s"]?.string == "")
    }
}
