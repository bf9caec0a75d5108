import Foundation
import Testing
@testable import CandorFeatures

@Suite struct TimingDebugTests {
    @Test func dump() throws {
        var scene = try mockInterview()
        scene.addBleed(db: -24)
        let r = scene.channels.map { analyzeChannel($0, rate: TimingFixture.rate) }
        for (lo, hi) in [(14.1, 14.35)] {
            let g = r[0].frames.grid
            for i in 0..<g.count where g.time(i) >= lo && g.time(i) <= hi {
                let row = r.map { c in String(format: "band %6.1f int %6.1f f0 %5.0f per %.2f", c.frames.bandDb[i], c.intensity.db[i], c.pitch.f0[i], c.frames.periodicity[i]) }
                print(String(format: "%.3f ", g.time(i)) + row.joined(separator: " | "))
            }
        }
        print(r.map { $0.speech.filter { $0.end > 5.5 && $0.start < 7 || ($0.end > 20 && $0.start < 21.5) } })
        let (f, l) = VoiceActivity.levels(r[1].frames.bandDb.map { max($0, 0) }, dt: 0.01, config: VoiceActivityConfig())
        print("floor/loud ch1 at 6s", f[600], l[600], "ch0 at 20.5", VoiceActivity.levels(r[0].frames.bandDb.map { max($0, 0) }, dt: 0.01, config: VoiceActivityConfig()).floor[2050])
    }
}
