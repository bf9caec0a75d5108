import Benchmark
import CandorAudio
import CandorDSP
import CandorFeatures
import Foundation

/// One second (and ten seconds) of real speech from samples/real, for per-second kernels.
let speech: (samples: [Float], rate: Double) = {
    let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("samples/real").path
    let file = (try? FileManager.default.contentsOfDirectory(atPath: dir))?.filter { $0.hasSuffix(".wav") }.sorted().first ?? ""
    guard let r = try? AudioReader(path: dir + "/" + file) else { fatalError("samples/real is missing") }
    var out: [Float] = []
    var buf = [Float](repeating: 0, count: 4096 * r.info.channels)
    while let n = try? buf.withUnsafeMutableBufferPointer({ try r.read(into: $0, frames: 4096) }), n > 0 {
        for f in 0..<n { out.append(buf[f * r.info.channels]) }
    }
    return (out, Double(r.info.sampleRate))
}()

let oneSecond = Array(speech.samples[Int(speech.rate)..<Int(2 * speech.rate)])
let pitchOfOneSecond = pitchTrack(samples: oneSecond, sampleRate: speech.rate)!

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.maxDuration = .seconds(2)
    Benchmark.defaultConfiguration.metrics = [.wallClock, .cpuTotal, .mallocCountTotal]

    Benchmark("FFT autocorrelation, one 40 ms pitch frame (1024-point)") { benchmark in
        let ws = FFTWorkspace(size: 1024)
        for _ in benchmark.scaledIterations {
            for i in 0..<640 { ws.real[i] = oneSecond[i] }
            ws.autocorrelateInPlace(count: 640)
            blackHole(ws.real[10])
        }
    }

    Benchmark("Pitch (ac) incl. Viterbi path, per second of speech") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(pitchTrack(samples: oneSecond, sampleRate: speech.rate))
        }
    }

    Benchmark("Pitch (cc) incl. Viterbi path, per second of speech") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(pitchTrack(samples: oneSecond, sampleRate: speech.rate, settings: PitchSettings(method: .cc)))
        }
    }

    Benchmark("Pulses, jitter, shimmer, HNR, per second of speech") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try? analyzeVoice(samples: oneSecond, sampleRate: speech.rate, pitch: pitchOfOneSecond).report())
        }
    }

    Benchmark("Voice-activity frame features, per second of speech") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(SpeechFrameAnalyzer.analyze(oneSecond, sampleRate: speech.rate))
        }
    }
}
