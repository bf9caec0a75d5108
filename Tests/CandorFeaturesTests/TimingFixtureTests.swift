import Foundation
import Testing
import CandorAudio
@testable import CandorFeatures

/// Test fixtures for timing: espeak-ng phrases (a test-only dependency, installed by
/// scripts/setup-test.sh) placed on channels at known times, so every turn boundary,
/// latency and pause of the scene is known by construction.
enum TimingFixture {
    static let rate = 22050.0
    static let cacheDir: String = {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("candor-timing-espeak").path
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    /// A phrase spoken by espeak-ng (22050 Hz mono), trimmed to its audible extent.
    static func phrase(_ text: String, voice: String, pitch: Int) throws -> [Float] {
        let key = "\(voice)-\(pitch)-\(text)".unicodeScalars.map { CharacterSet.alphanumerics.contains($0) ? String($0) : "_" }.joined()
        let path = cacheDir + "/" + key + ".wav"
        if !FileManager.default.fileExists(atPath: path) {
            let tmp = path + ".\(UUID().uuidString).tmp.wav"
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["espeak-ng", "-v", voice, "-p", "\(pitch)", "-s", "165", "-w", tmp, text]
            try p.run()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { throw InputError(path: tmp, problem: "espeak-ng failed") }
            try? FileManager.default.moveItem(atPath: tmp, toPath: path)
        }
        let x = try readMono(path).samples
        let (a, b) = audibleExtent(x)
        return Array(x[a..<b])
    }

    /// First and last+1 sample of the 2 ms blocks whose RMS is within 45 dB of the loudest block.
    static func audibleExtent(_ x: [Float]) -> (Int, Int) {
        let hop = Int(rate * 0.002)
        var rms: [Float] = []
        var i = 0
        while i < x.count {
            let s = x[i..<min(x.count, i + hop)]
            rms.append((s.reduce(0) { $0 + $1 * $1 } / Float(s.count)).squareRoot())
            i += hop
        }
        let th = (rms.max() ?? 0) * pow(10, -45 / 20)
        let first = rms.firstIndex { $0 > th } ?? 0
        let last = rms.lastIndex { $0 > th } ?? (rms.count - 1)
        return (first * hop, min(x.count, (last + 1) * hop))
    }

    static func readMono(_ path: String) throws -> (samples: [Float], rate: Double) {
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

    /// Deterministic Gaussian noise (xorshift + Box–Muller).
    struct Noise {
        var state: UInt64
        mutating func uniform() -> Double {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return (Double(state >> 11) + 0.5) / Double(1 << 53)
        }
        mutating func gaussian() -> Float {
            Float((-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform()))
        }
    }

    /// Adds pink (1/f) noise at `snrDb` relative to the mean power of `x` over `spans`
    /// (white noise through Paul Kellet's economy pink filter).
    static func addPinkNoise(_ x: inout [Float], snrDb: Double, spans: [Span], seed: UInt64, rate: Double) {
        var g = Noise(state: seed)
        var b0 = 0.0, b1 = 0.0, b2 = 0.0
        var pink = [Float](repeating: 0, count: x.count)
        for i in x.indices {
            let w = Double(g.gaussian())
            b0 = 0.99765 * b0 + w * 0.0990460
            b1 = 0.96300 * b1 + w * 0.2965164
            b2 = 0.57000 * b2 + w * 1.0526913
            pink[i] = Float(b0 + b1 + b2 + w * 0.1848)
        }
        var ps = 0.0, pn = 0.0, n = 0
        for s in spans {
            for i in Int(s.start * rate)..<min(x.count, Int(s.end * rate)) { ps += Double(x[i] * x[i]); n += 1 }
        }
        for v in pink { pn += Double(v * v) }
        let gain = Float(((ps / Double(max(1, n))) / pow(10, snrDb / 10) / (pn / Double(pink.count))).squareRoot())
        for i in x.indices { x[i] += gain * pink[i] }
    }

    /// Adds white noise at `snrDb` relative to the mean power of `x` over its speech `spans`.
    static func addNoise(_ x: inout [Float], snrDb: Double, spans: [Span], seed: UInt64, rate: Double = TimingFixture.rate) {
        var p = 0.0, n = 0
        for s in spans {
            for i in Int(s.start * rate)..<min(x.count, Int(s.end * rate)) { p += Double(x[i] * x[i]); n += 1 }
        }
        let sd = Float((p / Double(max(1, n)) / pow(10, snrDb / 10)).squareRoot())
        var g = Noise(state: seed)
        for i in x.indices { x[i] += sd * g.gaussian() }
    }
}

/// A two-speaker scene: phrases placed at known times on one channel per speaker.
struct Scene {
    struct Placed { var speaker: Int; var start: Double; var end: Double }
    var duration: Double
    var channels: [[Float]]
    var placed: [Placed] = []
    /// Truth turns: (speaker, start, end) as built.
    var turns: [(speaker: Int, start: Double, end: Double)] = []
    var truePauses: [Int] = [0, 0]

    init(duration: Double, speakers: Int = 2) {
        self.duration = duration
        channels = Array(repeating: [Float](repeating: 0, count: Int(duration * TimingFixture.rate)), count: speakers)
    }

    mutating func place(_ x: [Float], speaker: Int, at t: Double, gain: Float = 1) {
        let a = Int((t * TimingFixture.rate).rounded())
        for (k, v) in x.enumerated() where a + k < channels[speaker].count { channels[speaker][a + k] += gain * v }
        placed.append(
            Placed(
                speaker: speaker, start: Double(a) / TimingFixture.rate,
                end: Double(a + x.count) / TimingFixture.rate))
    }

    /// A turn of phrases separated by `gaps` (s); returns its end time.
    @discardableResult
    mutating func turn(_ phrases: [[Float]], speaker: Int, at t: Double, gaps: [Double] = []) -> Double {
        var time = t
        for (k, p) in phrases.enumerated() {
            place(p, speaker: speaker, at: time)
            time = placed.last!.end
            if k < phrases.count - 1 {
                let g = gaps[k]
                if g >= 0.25 { truePauses[speaker] += 1 }
                time += g
            }
        }
        turns.append((speaker, t, time))
        return time
    }

    var speechSpans: [[Span]] {
        (0..<channels.count).map { k in placed.filter { $0.speaker == k }.map { Span($0.start, $0.end) } }
    }

    /// Adds each channel into the others at `db` (negative): microphone cross-talk.
    mutating func addBleed(db: Double) {
        let g = Float(pow(10, db / 20))
        let orig = channels
        for k in channels.indices {
            for j in orig.indices where j != k {
                for i in channels[k].indices { channels[k][i] += g * orig[j][i] }
            }
        }
    }
}

/// The per-channel pipeline as `candor analyze` runs it: pitch and intensity (the lead's
/// analyzers) and speech frames on the pitch grid, then voice activity.
struct ChannelResult {
    var pitch: PitchTrack
    var intensity: IntensityTrack
    var frames: SpeechFrames
    var speech: [Span]
}

func analyzeChannel(_ x: [Float], rate: Double, usePitch: Bool = true) -> ChannelResult {
    let pitch = pitchTrack(samples: x, sampleRate: rate)!
    let g = pitch.grid
    let ia = IntensityFrameAnalyzer(sampleRate: rate)
    let db = x.withUnsafeBufferPointer { p in (0..<g.count).map { ia.intensity(t: g.time($0), x: p, start: 0) } }
    let frames = SpeechFrameAnalyzer.analyze(x, sampleRate: rate, grid: g)
    let speech = VoiceActivity.detect(frames: frames, pitch: usePitch ? pitch : nil)
    return ChannelResult(pitch: pitch, intensity: IntensityTrack(grid: g, db: db), frames: frames, speech: speech)
}

@Suite struct TimingFixtureTests {
    @Test func espeakPhrasesAreTrimmedToSpeech() throws {
        let x = try TimingFixture.phrase("I was at home", voice: "en-us", pitch: 40)
        // A short phrase: roughly 0.5–1.5 s once its silent lead-in and tail are cut.
        let d = Double(x.count) / TimingFixture.rate
        #expect(d > 0.4 && d < 1.5, "duration \(d)")
        let head = x.prefix(Int(0.01 * TimingFixture.rate)).map { abs($0) }.max() ?? 0
        #expect(head > 0, "the trimmed phrase starts with sound")
    }
}
