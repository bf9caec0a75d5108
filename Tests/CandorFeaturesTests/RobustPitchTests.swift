import Foundation
import Testing
import CandorCore
@testable import CandorFeatures

/// `--method robust` against known F0: synthetic harmonic voices in white noise, and the
/// Keele laryngograph reference (held-out speakers) in 9-talker babble.
@Suite struct RobustPitchTests {
    /// A gliding harmonic voice (F0 from `f0a` to `f0b`, 20 harmonics, amplitudes 1/h) for
    /// `seconds`, then as long again of silence, plus white noise at `snr` dB relative to the
    /// voice's power. Returns the samples and the true F0 at time t (0 when silent).
    static func noisyVoice(
        f0a: Double, f0b: Double, seconds: Double, snr: Double, fs: Double = 16000, seed: UInt64 = 7
    ) -> ([Float], (Double) -> Double) {
        let n = Int(seconds * fs)
        var x = [Float](repeating: 0, count: 2 * n)
        var phase = 0.0
        var power = 0.0
        for i in 0..<n {
            let f0 = f0a + (f0b - f0a) * Double(i) / Double(n)
            phase += 2 * Double.pi * f0 / fs
            var v = 0.0
            for h in 1...20 where Double(h) * f0 < fs / 2 { v += sin(Double(h) * phase) / Double(h) }
            x[i] = Float(0.3 * v)
            power += 0.09 * v * v
        }
        power /= Double(n)
        var rng = SplitMix64(seed: seed)
        let sd = (power / pow(10, snr / 10)).squareRoot()
        for i in 0..<x.count { x[i] += Float(sd * rng.gaussian()) }
        let truth: (Double) -> Double = { t in t < seconds ? f0a + (f0b - f0a) * t / seconds : 0 }
        return (x, truth)
    }

    @Test(arguments: [(110.0, 160.0), (200.0, 280.0)])
    func syntheticVoiceInWhiteNoiseAt5dB(_ range: (Double, Double)) throws {
        let seconds = 2.0
        let (x, truth) = Self.noisyVoice(f0a: range.0, f0b: range.1, seconds: seconds, snr: 5)
        let track = try #require(pitchTrack(samples: x, sampleRate: 16000, settings: PitchSettings(method: .robust)))
        var voicedInside = 0, inside = 0, gross = 0, voicedOutside = 0, outside = 0
        var fine: [Double] = []
        for i in 0..<track.grid.count {
            let t = track.grid.time(i)
            // Frames whose 67 ms window straddles the voice's end are left out.
            if abs(t - seconds) < 0.05 || t < 0.05 { continue }
            let f = Double(track.f0[i])
            let want = truth(t)
            if want > 0 {
                inside += 1
                guard f > 0 else { continue }
                voicedInside += 1
                if abs(f - want) / want > 0.2 { gross += 1 } else { fine.append(f - want) }
            } else {
                outside += 1
                if f > 0 { voicedOutside += 1 }
            }
        }
        let rmsFine = (fine.map { $0 * $0 }.reduce(0, +) / Double(max(1, fine.count))).squareRoot()
        print(
            "[robust] \(range) Hz at 5 dB white: voiced \(voicedInside)/\(inside), gross \(gross), fine RMS \(rmsFine) Hz, noise frames voiced \(voicedOutside)/\(outside)"
        )
        #expect(Double(voicedInside) >= 0.9 * Double(inside))
        #expect(gross == 0)
        #expect(rmsFine < 0.02 * range.1)
        #expect(Double(voicedOutside) <= 0.05 * Double(outside))
    }

    @Test func robustSettingsAreItsOwn() {
        let s = PitchSettings(method: .robust)
        #expect(s.floor == RobustPitchDefaults.floor)
        #expect(s.effectiveTimeStep == 0.01)
        #expect(s.voicingThreshold == RobustPitchDefaults.voicingThreshold)
        // The Praat methods keep Praat's defaults.
        #expect(PitchSettings(method: .ac).floor == 75 && PitchSettings(method: .ac).voicingThreshold == 0.45)
        #expect(PitchSettings(method: .cc).floor == 75)
    }

    @Test func silenceAndShortInputsAreUnvoiced() throws {
        let zeros = [Float](repeating: 0, count: 16000)
        let t = try #require(pitchTrack(samples: zeros, sampleRate: 16000, settings: PitchSettings(method: .robust)))
        #expect(t.f0.allSatisfy { $0 == 0 })
        #expect(
            pitchTrack(samples: [Float](repeating: 0.1, count: 100), sampleRate: 16000, settings: PitchSettings(method: .robust)) == nil)
    }
}

/// The two-pass range rule (Hirst 2011): floor 0.75 × q25, ceiling 1.5 × q75.
@Suite struct PitchRangeTests {
    @Test func quartilesFromTheHistogram() throws {
        // 100 voiced frames at 100, 101, …, 199 Hz: ranks ⌊q·(n−1)⌋ = 24 and 74, i.e. 124 and 174 Hz
        // (reported at the centre of their 0.1 Hz bin).
        var h = [Int](repeating: 0, count: 7001)
        for f in 100..<200 { h[f * 10] += 1 }
        let r = try #require(PitchRangeEstimate(histogram: h))
        #expect(abs(r.q25 - 124.05) < 0.1)
        #expect(abs(r.q75 - 174.05) < 0.1)
        #expect(abs(r.floor - 0.75 * r.q25) < 1e-9 && abs(r.ceiling - 1.5 * r.q75) < 1e-9)
        #expect(r.voicedFrames == 100)
    }

    @Test func tooFewVoicedFramesKeepTheGivenRange() {
        var h = [Int](repeating: 0, count: 7001)
        h[1200] = PitchRangeEstimate.minimumVoicedFrames - 1
        #expect(PitchRangeEstimate(histogram: h) == nil)
    }
}
