import CandorTestSupport
import Foundation
import Testing

/// `candor analyze` stopped by SIGTERM at different moments (during the analysis, while the
/// output is written) leaves no temporary file: neither beside the output nor in $TMPDIR;
/// the output is either absent or complete.
@Suite(.serialized) struct AnalyzeSignalTests {
    @Test func sigtermLeavesNoTemporaryFiles() throws {
        let dir = tempDir("candor-sigterm")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let input = dir + "/long.wav", outDir = dir + "/out", tmp = dir + "/tmp"
        try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        writeWAV(input, samples: sine(180, seconds: 30))
        var outcomes: [String] = []
        // Fixed delays (during the analysis), then -1: as soon as the temporary output appears.
        for delayMs in [300, 1500, -1, -1] {
            let out = outDir + "/a.json"
            try? FileManager.default.removeItem(atPath: out)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Paths.candor)
            p.arguments = ["analyze", input, "--out", out, "--quiet", "--threads", "1"]
            p.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": tmp]) { _, new in new }
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            if delayMs >= 0 {
                usleep(useconds_t(delayMs * 1000))
            } else {
                while p.isRunning, ((try? FileManager.default.contentsOfDirectory(atPath: outDir)) ?? []).isEmpty { usleep(500) }
            }
            kill(p.processIdentifier, SIGTERM)
            p.waitUntilExit()
            let leftOut = (try? FileManager.default.contentsOfDirectory(atPath: outDir)) ?? []
            let leftTmp = (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []
            #expect(leftTmp.isEmpty, "after \(delayMs) ms: \(leftTmp) in $TMPDIR")
            #expect(leftOut.allSatisfy { $0 == "a.json" }, "after \(delayMs) ms: \(leftOut) beside the output")
            if leftOut.contains("a.json") {
                let data = try #require(FileManager.default.contents(atPath: out))
                #expect((try? JSONSerialization.jsonObject(with: data)) != nil, "after \(delayMs) ms: an incomplete output")
                outcomes.append("\(delayMs < 0 ? "at the temporary file" : "\(delayMs) ms"): complete output")
            } else {
                outcomes.append("\(delayMs < 0 ? "at the temporary file" : "\(delayMs) ms"): no output")
            }
        }
        print("analyze + SIGTERM: " + outcomes.joined(separator: ", "))
    }
}
