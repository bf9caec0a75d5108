import Foundation
import Testing
@testable import CandorReport

/// The baseline-deviation evidence (prediction interval per cue, error rate and PPV per flag)
/// in the HTML report and the segments CSV.
@Suite struct FlagEvidenceTests {
    /// The fixture with s5's flagged f0 cue carrying its interval, and its score the evidence block.
    /// `scale`: the cue's comparison scale ("log"), if any.
    func analysis(scale: String? = nil) throws -> AnalysisData {
        let cue = """
            "z": 2.41, "baseline": {"n": 5, "mean": 0.2, "sd": 0.4, "sd_used": 0.4, "sd_floor": 0.25, "sd_floor_applied": false,
            "z_clipped": true, "t": 2.93, "df": 4, "p": 0.0427, "alpha_share": 0.0138, "interval_low": -1.63, "interval_high": 2.03,
            "outside": true\(scale.map { ", \"scale\": \"\($0)\"" } ?? "")},
            """
        let evidence = """
            "value": 0.61, "evidence": {"alpha": 0.05, "baseline_n": 5, "method": "t prediction interval per cue", "false_flag_rate_bound": 0.05,
            "measured_false_flag_rate": {"baseline_n": 5, "flagged": 2, "scored": 150, "rate": 0.0133, "ci_low": 0.0016, "ci_high": 0.0473,
            "source": "held-out real speech"}, "ppv": {"base_rate": 0.1, "sensitivity": 0.7, "false_flag_rate": 0.05, "ppv": 0.609,
            "text": "If 10% of answers carried a real change … PPV = 0.609."}},
            """
        let text = try fixtureText(replacing: [("\"z\": 2.41,", cue), ("\"value\": 0.61,", evidence)])
        return try AnalysisData.parse(Array(text.utf8))
    }

    @Test func reportShowsIntervalFloorClipRateAndPPV() throws {
        let a = try analysis()
        let html = HTMLReport.render(
            a, options: ReportOptions(caseID: "C1", sessionID: "S1", generatedAt: "2026-11-25T12:00:00Z", modelCards: [:], audit: nil))
        for needle in [
            "Interval (this cue&#39;s share of α)", "n = 5, mean 0.2, SD 0.4", "[-1.63, 2.03]", "z clipped",
            "at most 5% of unchanged answers", "measured 1.3% (95% CI 0.2%–4.7%) at 5 baseline segments",
            "PPV = 0.609",
        ] {
            #expect(html.contains(needle), "missing \(needle)")
        }
    }

    /// A cue compared on a log scale says so: geometric mean and SD of ln in the report, scale=log in the CSV.
    @Test func logScaleCueIsLabelled() throws {
        let a = try analysis(scale: "log")
        let html = HTMLReport.render(
            a, options: ReportOptions(caseID: "C1", sessionID: "S1", generatedAt: "2026-11-25T12:00:00Z", modelCards: [:], audit: nil))
        #expect(html.contains("n = 5, geometric mean 0.2, SD of ln 0.4"))
        var zhOptions = ReportOptions(caseID: "C1", sessionID: "S1", generatedAt: "2026-11-25T12:00:00Z")
        zhOptions.language = .traditionalChinese
        let zh = HTMLReport.render(a, options: zhOptions)
        #expect(zh.contains("幾何平均 0.2"))
        let s5 = try #require(CSVWriter.segments(a).split(separator: "\n").map(String.init).first { $0.hasPrefix("s5,") })
        #expect(s5.contains("mean=0.2 sd=0.4 scale=log interval=[-1.63;2.03]"))
    }

    @Test func csvCarriesTheEvidenceColumns() throws {
        let csv = CSVWriter.segments(try analysis())
        let lines = csv.split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        for col in ["baseline_n", "alpha", "measured_false_flag_rate", "ppv", "evidence"] {
            #expect(header.contains("baseline-deviation.\(col)"), "missing \(col)")
        }
        let s5 = try #require(lines.first { $0.hasPrefix("s5,") })
        #expect(s5.contains("f0_mean_st value=1.485 n=5 mean=0.2 sd=0.4 interval=[-1.63;2.03] floor=no clip=yes"))
        #expect(s5.contains(",5,0.05,0.0133,0.609,"))
    }
}
