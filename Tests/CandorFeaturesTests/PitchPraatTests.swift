import Foundation
import Testing
import CandorAudio
@testable import CandorFeatures

/// Praat (a test-only dependency) must be on PATH: `make test` installs it.
enum Praat {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = root.appendingPathComponent("scripts/praat/pitch.praat").path

    static func run(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["praat", "--run"] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let d = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
        return String(decoding: d, as: UTF8.self)
    }

    /// Praat's pitch frames: (time, f0 or 0).
    static func pitch(_ file: String, method: PitchMethod) throws -> [(Double, Double)] {
        try run([script, file, method.rawValue, "75", "600"]).split(separator: "\n").compactMap { line in
            let p = line.split(separator: " ")
            guard p.count == 2, let t = Double(p[0]), let f = Double(p[1]) else { return nil }
            return (t, f)
        }
    }
}

func readAll(_ path: String) throws -> (samples: [Float], rate: Double) {
    let r = try AudioReader(path: path)
    var out: [Float] = []
    var buf = [Float](repeating: 0, count: 4096 * r.info.channels)
    while true {
        let n = try buf.withUnsafeMutableBufferPointer { try r.read(into: $0, frames: 4096) }
        if n == 0 { break }
        for f in 0..<n { out.append(buf[f * r.info.channels]) }
    }
    return (out, Double(r.info.sampleRate))
}

let realClips: [String] = {
    let local = Praat.root.appendingPathComponent("samples/real").path
    for dir in [local, "/usr/share/pocketsphinx/test/data/librivox"] {
        if let files = try? FileManager.default.contentsOfDirectory(atPath: dir) {
            let wavs = files.filter { $0.hasSuffix(".wav") }.sorted().map { dir + "/" + $0 }
            if !wavs.isEmpty { return wavs }
        }
    }
    return []
}()

@Suite struct PitchPraatTests {
    @Test func realClipsArePresent() {
        #expect(realClips.count >= 3, "real speech clips (samples/real or pocketsphinx-testdata) are needed")
    }

    /// Issue 2: voicing agreement ≥ 93%, gross error against Praat ≤ 3%, median F0 difference ≤ 1%.
    @Test(arguments: [PitchMethod.ac, .cc])
    func agreesWithPraatOnRealSpeech(method: PitchMethod) throws {
        for clip in realClips {
            let praat = try Praat.pitch(clip, method: method)
            let (x, fs) = try readAll(clip)
            let track = try #require(pitchTrack(samples: x, sampleRate: fs, settings: PitchSettings(method: method)))
            #expect(track.grid.count == praat.count, "\(clip): same frame count as Praat")
            let n = min(track.grid.count, praat.count)
            var agree = 0, both = 0, gross = 0
            var diffs: [Double] = []
            for i in 0..<n {
                #expect(abs(track.grid.time(i) - praat[i].0) < 1e-5)
                let c = Double(track.f0[i]), p = praat[i].1
                if (c > 0) == (p > 0) { agree += 1 }
                if c > 0 && p > 0 {
                    both += 1
                    let rel = abs(c / p - 1)
                    if rel > 0.2 { gross += 1 }
                    diffs.append(rel)
                }
            }
            diffs.sort()
            let voicing = Double(agree) / Double(n)
            let gpe = Double(gross) / Double(max(both, 1))
            let median = diffs.isEmpty ? 1 : diffs[diffs.count / 2]
            #expect(both > 50, "\(clip): voiced frames to compare")
            #expect(voicing >= 0.93, "\(clip) \(method): voicing agreement \(voicing)")
            #expect(gpe <= 0.03, "\(clip) \(method): gross error vs Praat \(gpe)")
            #expect(median <= 0.01, "\(clip) \(method): median F0 difference \(median)")
        }
    }

    /// Blocks are fixed by the file, not by the thread count: results are identical for any N.
    @Test func resultsDoNotDependOnThreads() async throws {
        let clip = try #require(realClips.first)
        let scan = try scanAudio(path: clip)
        var results: [[Float]] = []
        for threads in [1, 2, 5] {
            var o = AnalysisOptions()
            o.threads = threads
            o.blockFrames = 97  // many blocks even on a short clip
            o.contextFrames = 50
            let a = try await analyzeAudio(path: clip, scan: scan, options: o)
            let f = try a.channels[0].loadAll()
            results.append(
                f.pitch.f0 + f.pitch.strength + f.intensity.db + f.speech.bandDb + f.speech.periodicity
                    + f.speech.syllableDb + f.speech.shape)
        }
        #expect(results[0] == results[1])
        #expect(results[0] == results[2])
        // Block-wise path finding agrees with one path over the whole clip on ≥ 99% of frames.
        let (x, fs) = try readAll(clip)
        let whole = try #require(pitchTrack(samples: x, sampleRate: fs))
        let n = whole.f0.count
        let same = (0..<n).filter { abs(whole.f0[$0] - results[0][$0]) < 0.01 }.count
        #expect(Double(same) / Double(n) >= 0.99)
    }
}
