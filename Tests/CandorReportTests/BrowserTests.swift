import Foundation
import Testing
@testable import CandorReport

/// A real browser (headless Chromium, installed by scripts/setup-test.sh) renders the report
/// made by `candor report`: the DOM must hold the SVG plots, the console no script errors,
/// and the screenshot must be a page-sized PNG.
@Suite(.serialized) struct BrowserTests {
    func chromium(_ args: [String], dir: String) throws -> ProcessResult {
        let exe = try #require(
            TestPaths.tool("chromium") ?? TestPaths.tool("chromium-browser"),
            "chromium is not installed (scripts/setup-test.sh installs it)")
        return try runProcess(
            exe,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(dir)/profile",
                "--enable-logging=stderr", "--v=0",
            ] + args, env: ["HOME": dir])
    }

    /// PNG width and height from the IHDR chunk.
    func pngSize(_ path: String) throws -> (Int, Int) {
        let d = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(d.count > 24 && Array(d[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        func be32(_ i: Int) -> Int { d[i..<i + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be32(16), be32(20))
    }

    @Test func reportRendersItsPlotsInChromium() throws {
        let dir = tempDir("candor-browser")
        // A hostile label too: it must reach the DOM as text, not as an element.
        let text = try fixtureText(replacing: [("Account of the evening", "<script>document.title='pwned'</script>evening")])
        try text.write(toFile: dir + "/in.analysis.json", atomically: true, encoding: .utf8)
        let made = try candor("report", "--analysis", dir + "/in.analysis.json", "--out", dir + "/report.html")
        #expect(made.status == 0, "\(made.stderr)")
        let url = "file://\(dir)/report.html"
        // The model cards are found in the checkout's models/ folder and shown beside the flags.
        let source = try String(contentsOfFile: dir + "/report.html", encoding: .utf8)
        #expect(source.contains("Limitations (model card of baseline-deviation)"))
        #expect(!source.contains("model card was not found"))

        let dom = try chromium(["--dump-dom", url], dir: dir)
        #expect(dom.status == 0, "\(dom.stderr)")
        let html = dom.stdout
        for id in ["timeline", "contour-0", "contour-1"] { #expect(html.contains("<svg class=\"plot") && html.contains("id=\"\(id)\"")) }
        #expect(html.components(separatedBy: "<svg").count - 1 == 3)
        #expect(html.components(separatedBy: "class=\"f0\"").count - 1 == 2)
        #expect(html.components(separatedBy: "class=\"turn\"").count - 1 == 6)
        #expect(html.contains("<title>Candor session report</title>"), "the page title was changed: a script ran")
        #expect(!html.lowercased().contains("<script"))
        #expect(html.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;evening"))
        for bad in ["Uncaught", "Refused to", "SyntaxError", "Failed to load resource"] {
            #expect(!dom.stderr.contains(bad), "browser log: \(bad)")
        }

        let png = dir + "/report.png"
        let shot = try chromium(["--screenshot=\(png)", "--window-size=1200,2000", "--hide-scrollbars", url], dir: dir)
        #expect(shot.status == 0, "\(shot.stderr)")
        let (w, h) = try pngSize(png)
        #expect(w == 1200 && h == 2000)
        let bytes = (try FileManager.default.attributesOfItem(atPath: png)[.size] as? Int) ?? 0
        #expect(bytes > 50_000, "screenshot is only \(bytes) bytes: a blank page?")
        #expect(!shot.stderr.contains("Uncaught"))
    }

    /// The whole pipeline on the committed sample interview: analyse, report, render.
    @Test func sampleInterviewReportRenders() throws {
        let sample = TestPaths.packageRoot.appendingPathComponent("samples/interview.flac").path
        try #require(FileManager.default.fileExists(atPath: sample))
        let dir = tempDir("candor-browser")
        let an = try candor("analyze", sample, "--roles", "interviewer,interviewee", "--out", dir + "/interview.analysis.json")
        #expect(an.status == 0, "\(an.stderr)")
        let made = try candor("report", "--analysis", dir + "/interview.analysis.json", "--out", dir + "/interview.html")
        #expect(made.status == 0, "\(made.stderr)")
        let dom = try chromium(["--dump-dom", "file://\(dir)/interview.html"], dir: dir)
        #expect(dom.status == 0)
        #expect(dom.stdout.contains("id=\"contour-0\"") && dom.stdout.contains("id=\"contour-1\""))
        #expect(dom.stdout.components(separatedBy: "class=\"f0\"").count - 1 == 2)
        #expect(dom.stdout.contains("samples/interview.flac") || dom.stdout.contains("interview.flac"))
        #expect(!dom.stderr.contains("Uncaught"))
        let png = dir + "/interview.png"
        let shot = try chromium(
            ["--screenshot=\(png)", "--window-size=1200,2000", "--hide-scrollbars", "file://\(dir)/interview.html"], dir: dir)
        #expect(shot.status == 0)
        let (w, h) = try pngSize(png)
        #expect(w == 1200 && h == 2000)
    }

    /// Printed to PDF by headless Chromium, the segments table is whole: every segment label and
    /// every column header is in the PDF's text, in English and in Traditional Chinese.
    @Test(arguments: ["en", "zh-TW"]) func printedReportKeepsTheSegmentsTable(lang: String) throws {
        let pdftotext = try #require(
            TestPaths.tool("pdftotext"), "pdftotext is not installed (scripts/setup-test.sh installs poppler-utils)")
        let root = TestPaths.packageRoot.appendingPathComponent("samples").path
        let dir = tempDir("candor-print")
        let an = try candor(
            "analyze", root + "/interview.flac", "--roles", "interviewer,interviewee",
            "--segments", root + "/interview.segments.csv", "--out", dir + "/a.json")
        #expect(an.status == 0, "\(an.stderr)")
        let made = try candor("report", "--analysis", dir + "/a.json", "--lang", lang, "--out", dir + "/r.html")
        #expect(made.status == 0, "\(made.stderr)")
        let pdf = try chromium(["--print-to-pdf=\(dir)/r.pdf", "--no-pdf-header-footer", "file://\(dir)/r.html"], dir: dir)
        #expect(pdf.status == 0, "\(pdf.stderr)")
        let text = try runProcess(pdftotext, ["-raw", dir + "/r.pdf", "-"])
        #expect(text.status == 0)
        // Words may wrap inside a cell: compare with all white space removed.
        let squeezed = String(text.stdout.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) }.map(Character.init))
        func squeeze(_ s: String) -> String {
            String(s.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) }.map(Character.init))
        }
        let analysis = try AnalysisData.read(path: dir + "/a.json")
        let segments = try #require(analysis.segments)
        #expect(!segments.isEmpty)
        for s in segments { #expect(squeezed.contains(squeeze(s.label)), "label \(s.label) not in the PDF") }
        let strings = try #require(ReportLanguage(option: lang)).strings
        var names: [String] = []
        for s in segments { for f in s.features where !names.contains(f.name) { names.append(f.name) } }
        for header in strings.segmentHeader + names.map(strings.cue) {
            #expect(squeezed.contains(squeeze(header)), "column header \(header) not in the PDF")
        }
    }
}
