import CandorCore
import CandorModels
import Foundation
import Testing

/// The models' reader of analysis segments (shared with the report's JSON reader).
@Suite struct AnalysisSegmentTests {
    func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("seg-\(UUID().uuidString).json").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func readsSegmentsFlattensFeaturesAndSkipsFrames() throws {
        let path = try write(
            """
            {"schema": "candor.analysis/1", "channels": [{"pitch": {"frames": [[0, 100], [0.01, null]]}}],
             "segments": [
              {"id": "B1", "label": "B1", "speaker": "interviewee", "role": "baseline", "start": 4.2,
               "features": {"f0_mean_st": 12.5, "pause_ratio": null, "reliable": true, "note": "x", "voice": {"jitter_local": 0.011}}},
              {"id": 7, "role": "mystery", "features": {}}
             ]}
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let segs = try AnalysisSegment.read(path: path)
        #expect(segs.count == 2)
        #expect(segs[0].id == "B1" && segs[0].role == .baseline && segs[0].start == 4.2 && segs[0].speaker == "interviewee")
        #expect(segs[0].features["f0_mean_st"] == .some(12.5))
        #expect(segs[0].features["voice.jitter_local"] == .some(0.011))
        #expect(segs[0].features["pause_ratio"] == .some(nil))  // present, missing value
        #expect(segs[0].features["reliable"] == nil && segs[0].features["note"] == nil)
        #expect(segs[1].id == "7" && segs[1].role == .other)
    }

    @Test(arguments: [
        ("{\"schema\": \"other/1\", \"segments\": []}", "not a Candor analysis"),
        ("[1, 2]", "not a JSON object"),
        ("{\"schema\": \"candor.analysis/1\", \"segments\": [{}]}", "segments[0] has no id"),
        ("{\"schema\": \"candor.analysis/1\", ", "not valid JSON"),
    ])
    func badDocumentsNameTheFile(text: String, expected: String) throws {
        let path = try write(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            _ = try AnalysisSegment.read(path: path)
        } throws: { error in
            let e = error as? ModelInputError
            return e?.path == path && e?.message.contains(expected) == true && e?.exitStatus == .invalidInput
        }
    }
}
