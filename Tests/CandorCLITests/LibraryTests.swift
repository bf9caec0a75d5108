import Candor
import CandorTestSupport
import Foundation
import Testing

/// The CLI is a shell over the library: `Candor.analyze` and `Analysis.jsonBytes()` in this
/// process give exactly the bytes `candor analyze --out -` writes (apart from `software`).
@Suite struct LibraryTests {
    @Test func libraryDocumentEqualsCLIOutput() async throws {
        let file = Paths.sample("interview.flac")
        let segments = Paths.sample("interview.segments.csv")
        var options = AnalyzeOptions()
        options.roles = ["interviewer", "interviewee"]
        options.segmentsFile = segments
        options.threads = 2
        let analysis = try await Candor.analyze(file: file, options: options)
        let library = String(decoding: try analysis.jsonBytes(), as: UTF8.self)
        let r = try candor(
            "analyze", file, "--roles", "interviewer,interviewee", "--segments", segments, "--out", "-", "--quiet",
            cwd: Paths.packageRoot.path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(library.contains("\"segments\": ["))
        #expect(withoutSoftware(library) == withoutSoftware(r.stdout))
    }
}

/// The document with the `software` block's values blanked.
func withoutSoftware(_ text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false)
        .map { $0.hasPrefix("    \"version\": ") || $0.hasPrefix("    \"git_commit\": ") ? "" : String($0) }
        .joined(separator: "\n")
}
