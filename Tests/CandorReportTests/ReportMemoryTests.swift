import Foundation
import Testing
@testable import CandorReport

/// `candor report` reads the analysis file streaming and keeps only the plotted resolution of
/// the frame tracks: its peak memory does not grow with the recording's length.
@Suite(.serialized) struct ReportMemoryTests {
    /// A stereo analysis document of `minutes` minutes: pitch and intensity frames every 10 ms,
    /// speech and pauses, a turn every 6 s and a segment every 30 s (what grows with length).
    static let generator = """
        import json, math, sys
        minutes, path = float(sys.argv[1]), sys.argv[2]
        dur = minutes * 60
        n = int(dur * 100)
        with open(path, "w") as f:
            f.write('{"schema":"candor.analysis/1","input":{"path":"long.wav","sha256":"%s","format":"WAV","sample_rate":16000,"channels":2,"duration_s":%.2f},' % ("ab" * 32, dur))
            f.write('"software":{"name":"candor","version":"test"},"parameters":{},"channels":[')
            for ch in range(2):
                f.write('%s{"index":%d,"role":"%s","pitch":{"method":"ac","time_step_s":0.01,"frames":[' % ("," if ch else "", ch, ["interviewer", "interviewee"][ch]))
                f.write(",".join("[%.2f,%s]" % (i / 100, "null" if (i // 40) % 3 == 0 else "%.2f" % (120 + 30 * ch + 10 * math.sin(i / 50))) for i in range(n)))
                f.write(']},"intensity":{"time_step_s":0.01,"frames":[')
                f.write(",".join("[%.2f,%.2f]" % (i / 100, 55 + 10 * math.sin(i / 70)) for i in range(n)))
                f.write(']},"timing":{"speech":[' + ",".join("[%.2f,%.2f]" % (t, t + 2.5) for t in range(ch * 3, int(dur), 6)) + '],')
                f.write('"pauses":[' + ",".join("[%.2f,%.2f]" % (t + 1, t + 1.3) for t in range(ch * 3, int(dur), 6)) + ']}}')
            f.write('],"conversation":{"speakers":["interviewer","interviewee"],"turns":[')
            f.write(",".join('{"speaker":"%s","start":%d,"end":%.1f}' % (["interviewer", "interviewee"][(t // 3) % 2], t, t + 2.5) for t in range(0, int(dur), 3)))
            f.write('],"talk_share":{"interviewer":0.5,"interviewee":0.5},"response_latencies_s":[0.5],"overlaps":[],"interruptions":[]},')
            f.write('"segments":[' + ",".join('{"id":"s%d","label":"answer %d","speaker":"interviewee","start":%d,"end":%d,"role":"answer","features":{"f0_mean_hz":150},"scores":[]}' % (k, k, k * 30, k * 30 + 20) for k in range(int(dur // 30))) + ']}')
        """

    /// Peak resident memory (KiB) of `candor report` on a generated analysis of `minutes`.
    func reportPeakKB(minutes: Int, dir: String) throws -> Int {
        let json = "\(dir)/m\(minutes).analysis.json"
        let made = try python(Self.generator, [String(minutes), json])
        try #require(made.status == 0, "\(made.stderr)")
        let time = try #require(
            TestPaths.tool("time") ?? (FileManager.default.isExecutableFile(atPath: "/usr/bin/time") ? "/usr/bin/time" : nil),
            "GNU time is not installed (scripts/setup-test.sh installs it)")
        let r = try runProcess(
            time, ["-f", "PEAK_KB %M", TestPaths.candor, "report", "--analysis", json, "--out", "\(dir)/m\(minutes).html"])
        try #require(r.status == 0, "\(r.stderr)")
        let line = try #require(r.stderr.split(separator: "\n").last { $0.hasPrefix("PEAK_KB ") })
        let bytes = (try FileManager.default.attributesOfItem(atPath: json)[.size] as? Int) ?? 0
        print("[report-memory] \(minutes) min: analysis \(bytes / 1_000_000) MB, report peak \(line.dropFirst(8)) KiB")
        return try #require(Int(line.dropFirst(8)))
    }

    @Test func peakMemoryDoesNotGrowWithDuration() throws {
        let dir = tempDir("candor-report-memory")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let short = try reportPeakKB(minutes: 10, dir: dir)
        let long = try reportPeakKB(minutes: 60, dir: dir)
        #expect(Double(long) <= Double(short) * 1.15, "10 min: \(short) KiB, 60 min: \(long) KiB")
        // The long report is still complete: every timeline row and both contours.
        let html = try String(contentsOfFile: "\(dir)/m60.html", encoding: .utf8)
        #expect(html.contains("id=\"timeline-12\"") && html.contains("id=\"contour-1\""))
        #expect(html.contains("class=\"f0\""))
    }

    /// The streamed, reduced read draws the same contour as the whole read.
    @Test func reducedReadDrawsTheSameContour() throws {
        let full = try AnalysisData.read(path: TestPaths.fullFixture, frames: .all)
        let reduced = try AnalysisData.read(path: TestPaths.fullFixture, frames: .plotted)
        #expect(reduced.channels.allSatisfy { $0.pitch == nil && $0.pitchColumns != nil })
        for (a, b) in zip(full.channels, reduced.channels) {
            #expect(Plots.contour(a, analysis: full) == Plots.contour(b, analysis: reduced))
        }
    }
}
