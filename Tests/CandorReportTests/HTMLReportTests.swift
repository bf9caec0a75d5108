import Foundation
import Testing
@testable import CandorReport

@Suite struct HTMLReportTests {
    static let card = """
        # Model card
        ## Intended use
        - not this
        ## Limitations
        - **Base rates.** At a 10% base rate most flags are false alarms.
        - **Baseline quality.** Few baseline segments make the SD
          very uncertain.
        ## References
        - none
        """

    func render(_ a: AnalysisData, audit: AuditStatus? = nil) -> String {
        HTMLReport.render(
            a,
            options: ReportOptions(
                caseID: "C1", sessionID: "S1", generatedAt: "2026-11-25T12:00:00Z",
                modelCards: ["baseline-deviation": Self.card], audit: audit))
    }

    @Test func fullReportHasEverySection() throws {
        let html = render(try loadFixture())
        for needle in [
            "id=\"timeline\"", "id=\"contour-0\"", "id=\"contour-1\"", "class=\"f0\"", "class=\"intensity\"",
            "class=\"turn\"", "class=\"pause\"", "class=\"segment role-answer flagged\"", "class=\"overlap\"",
            "Interview practice", "Interviewee&#39;s talk share (%)", "≥ 0.6", "above range",
            "flagged for follow-up (index 0.61)", "Mean pitch (semitones) ★", "abstained: speaker interviewer has 0 baseline segments",
            "Base rates. At a 10% base rate most flags are false alarms.",
            "Few baseline segments make the SD very uncertain.", "Audit status not available",
            "74c0b134721bff6de91a1dee9c7414c4ee3378adbb600b1a00911494c033d4de",
        ] {
            #expect(html.contains(needle), "missing \(needle)")
        }
        // Only the Limitations section of the card is shown.
        #expect(!html.contains("not this"))
        // Segment features are tabulated: s5's mean F0 from the fixture.
        #expect(html.contains("<td>s5</td><td>Account of the evening</td>"))
        #expect(html.contains("119.16"))
    }

    @Test func noScriptsNoExternalResourcesNoVerdictWords() throws {
        let html = render(try loadFixture())
        let lower = html.lowercased()
        #expect(!lower.contains("<script"))
        // The SVG namespace is an identifier, not a fetched resource; nothing else may name a URL.
        let stripped = lower.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        #expect(!stripped.contains("http:") && !stripped.contains("https:") && !stripped.contains("url("))
        #expect(!lower.contains("src="))
        #expect(!lower.contains("<link"))
        #expect(lower.contains("content-security-policy"))
        #expect(verdictWordsIn(html).isEmpty, "\(verdictWordsIn(html))")
    }

    @Test func hostileInputsComeOutInert() throws {
        let text = try fixtureText(replacing: [
            ("Account of the evening", "<script>alert('x')</script> & \\\"quoted\\\""),
            ("samples/interview-2ch.flac", "a&b<img src=x onerror=alert(1)>.flac"),
            ("\"role\": \"interviewee\"", "\"role\": \"</title><script>alert(2)</script>\""),
        ])
        let a = try AnalysisData.parse(Array(text.utf8))
        let html = render(a)
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("<img"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;"))
        #expect(html.contains("a&amp;b&lt;img src=x onerror=alert(1)&gt;.flac"))
        #expect(html.contains("&lt;/title&gt;&lt;script&gt;alert(2)&lt;/script&gt;"))
        // Every '<' left in the document starts a tag of our own vocabulary.
        let allowed: Set<String> = [
            "!doctype", "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "h4", "p", "br",
            "strong", "span", "div", "section", "aside", "figure", "figcaption", "svg", "g", "rect", "path",
            "line", "text", "table", "thead", "tbody", "tr", "th", "td", "details", "summary", "ul", "li",
            "pre", "footer",
        ]
        var tags: Set<String> = []
        var i = html.startIndex
        while let lt = html[i...].firstIndex(of: "<") {
            var name = ""
            var j = html.index(after: lt)
            if j < html.endIndex, html[j] == "/" { j = html.index(after: j) }
            while j < html.endIndex, html[j].isLetter || html[j].isNumber || html[j] == "!" {
                name.append(html[j]); j = html.index(after: j)
            }
            tags.insert(name.lowercased())
            i = j
        }
        #expect(tags.subtracting(allowed).isEmpty, "unexpected tags \(tags.subtracting(allowed))")
    }

    @Test func baseAnalysisShowsNotComputed() throws {
        // Only what `candor analyze` wrote before the other modules existed.
        let text = """
            {"schema": "candor.analysis/1", "input": {"path": "x.wav", "duration_s": 1},
             "channels": [{"index": 0, "role": "unknown", "pitch": {"frames": [[0.5, 120], [0.51, null]]},
                           "pitch_summary": {"mean_hz": 120}, "intensity": {"frames": [[0.5, 60], [0.51, 61]], "mean_db": 60.5}}]}
            """
        let html = render(try AnalysisData.parse(Array(text.utf8)))
        for needle in [
            "Conversation measures (turns, talk share, latencies, overlaps, interruptions): not computed",
            "Interview-quality metrics: not computed", "Baseline-deviation scores: not computed",
            "Segments (no segment file was given to the analysis): not computed", "id=\"contour-0\"",
            "Timeline (no turns, speech or segments): not computed",
        ] {
            #expect(html.contains(needle), "missing \(needle)")
        }
    }

    @Test func auditStatusIsShown() throws {
        let lines = [
            #"{"case":"C1","operator":"alice","seq":0,"session":"S1","time":"2026-11-25T10:00:00.000Z","type":"session_opened"}"#,
            #"{"action":"viewed","case":"C1","operator":"bob","seq":1,"session":"S1","time":"2026-11-25T11:00:00.000Z","type":"accessed","what":"report <b>.html"}"#,
            #"{"case":"C1","concerns_seq":1,"kind":"disregard","note":"bad mic","operator":"sup","seq":2,"session":"S1","time":"2026-11-25T12:00:00.000Z","type":"review"}"#,
            "not json",
        ].map { Array($0.utf8) }
        let good = AuditStatus.parse(
            recordLines: lines, checkpoint: "log/C1/S1\n4\nAAAA\n\n— log sig\n",
            verification: .intact(size: 4, root: "ab12"), source: "workspace ws")
        let html = render(try loadFixture(), audit: good)
        #expect(html.contains("Verification: intact — 4 records, Merkle root ab12"))
        #expect(html.contains("<td>1</td><td>2026-11-25T11:00:00.000Z</td><td>bob</td><td>viewed</td><td>report &lt;b&gt;.html</td>"))
        #expect(html.contains("disregard on seq 1: bad mic"))
        #expect(html.contains("unreadable record"))
        #expect(html.contains("log/C1/S1\n4\nAAAA"))
        let bad = AuditStatus(source: "ws", checkpoint: nil, verification: .failed("seq 1: signature: bad"), entries: [])
        let html2 = render(try loadFixture(), audit: bad)
        #expect(html2.contains("Verification FAILED: seq 1: signature: bad"))
        #expect(html2.contains("No signed checkpoint."))
        #expect(!html2.contains("Quarantined records"))  // unknown for a bundle: not claimed
        // Records set aside by a repair are always listed for a workspace log.
        var repaired = good
        repaired.quarantined = []
        #expect(render(try loadFixture(), audit: repaired).contains("No records were set aside by a repair."))
        repaired.quarantined =
            AuditStatus.parse(recordLines: [lines[2]], checkpoint: nil, verification: .notPerformed(""), source: "").entries
        let html3 = render(try loadFixture(), audit: repaired)
        #expect(html3.contains("1 record(s) were set aside by `candor audit repair`"))
        #expect(html3.contains("disregard on seq 1: bad mic</td>"))
    }

    @Test func threeHourContourIsDecimated() throws {
        var a = try loadFixture()
        // Three hours at 10 ms: 1,080,000 frames per track on both channels.
        let n = 1_080_000
        let times = (0..<n).map { Double($0) * 0.01 }
        let f0 = (0..<n).map { i -> Double in i % 50 < 30 ? 120 + 30 * sin(Double(i) * 0.001) : .nan }
        let db = (0..<n).map { i -> Double in 50 + 10 * sin(Double(i) * 0.0003) }
        for k in a.channels.indices {
            a.channels[k].pitch = FrameTrack(times: times, values: f0)
            a.channels[k].intensity = FrameTrack(times: times, values: db)
        }
        a.duration = Double(n) * 0.01
        let html = render(a)
        #expect(html.utf8.count < 400_000, "report is \(html.utf8.count) bytes")
        #expect(html.contains("id=\"contour-1\""))
        // The axis reaches 3:00:00.
        #expect(html.contains(">3:00:00<"))
    }

    @Test func decimationKeepsColumnExtremes() {
        // Reference: brute force over each column's frames.
        let times = (0..<10_000).map { Double($0) * 0.01 }
        let values = (0..<10_000).map { i -> Double in i % 7 == 0 ? .nan : Double((i * 7919) % 1000) }
        let track = FrameTrack(times: times, values: values)
        let end = 100.0, columns = 37
        let cols = Plots.decimate(track, end: end, columns: columns)
        #expect(cols.count == columns)
        for c in 0..<columns {
            let inCol = (0..<times.count).filter { Int(times[$0] * Double(columns) / end) == c && values[$0].isFinite }.map { values[$0] }
            let cell = cols[c]
            #expect(cell?.min == inCol.min())
            #expect(cell?.max == inCol.max())
            #expect(cell?.count == inCol.count)
        }
    }

    @Test func spansMergeOnlyBelowHalfAPixel() {
        let spans = [TimeSpan(0, 1), TimeSpan(1.04, 2), TimeSpan(2.2, 3), TimeSpan(2.5, 2.6)]
        let merged = Plots.mergeForPixels(spans, secondsPerPixel: 0.1)
        #expect(merged == [TimeSpan(0, 2), TimeSpan(2.2, 3)])
    }

    @Test func escapeCoversAllSpecialCharacters() {
        #expect(htmlEscape("<a href='x'>\"&\"</a>\u{07}") == "&lt;a href=&#39;x&#39;&gt;&quot;&amp;&quot;&lt;/a&gt;")
    }
}

@Suite struct FormatTests {
    @Test func formatValueMatchesPrintfRounding() {
        // Reference: C printf with the same number of decimals, trailing zeros trimmed.
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let d = Double.random(in: -1e6...1e6, using: &rng) * (Bool.random() ? 1 : 1e-5)
            for digits in [0, 2, 3, 6] {
                let ref = trimZeros(String(format: "%.\(digits)f", d))
                let got = formatValue(d, digits: digits)
                // printf rounds the binary value half-to-even; ours rounds the scaled value half away
                // from zero: they may differ only on exact ties, by one unit in the last place.
                if got != ref {
                    let step = pow(10.0, Double(-digits))
                    #expect(abs(Double(got)! - Double(ref)!) <= step * 1.0001, "\(d) digits \(digits): \(got) vs \(ref)")
                }
            }
        }
        #expect(formatValue(0.1 + 0.2, digits: 3) == "0.3")
        #expect(formatValue(-0.0004, digits: 3) == "0")
        #expect(formatValue(-1.05, digits: 1) == "-1.1" || formatValue(-1.05, digits: 1) == "-1")
        #expect(formatValue(123.456, digits: 2) == "123.46")
        #expect(formatValue(1e20, digits: 2) == "100000000000000000000")
        #expect(formatValue(nil) == "–" && formatValue(.nan) == "–")
        #expect(formatValue(0.000001, digits: 6) == "0.000001")
    }
}
