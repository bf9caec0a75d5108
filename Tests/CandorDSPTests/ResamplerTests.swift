import Foundation
import Testing

@testable import CandorDSP

/// The resampler against the bandlimited truth (a sine stays the same sine at the new rate),
/// its polyphase path against the per-tap kernel it tabulates, and streaming against one push.
@Suite struct ResamplerTests {
    static func sine(_ hz: Double, rate: Double, count: Int) -> [Float] {
        (0..<count).map { Float(0.5 * sin(2 * Double.pi * hz * Double($0) / rate)) }
    }

    static func run(_ r: Resampler, _ x: [Float], chunk: Int) -> [Float] {
        var r = r
        var out: [Float] = []
        var i = 0
        while i < x.count {
            let n = min(chunk, x.count - i)
            x[i..<(i + n)].withUnsafeBufferPointer { r.push($0, into: &out) }
            i += n
        }
        r.finish(into: &out)
        return out
    }

    @Test(arguments: [(16000.0, 11000.0), (44100.0, 11000.0), (8000.0, 11000.0), (22050.0, 10000.0)])
    func aSineStaysTheSameSine(rates: (Double, Double)) {
        let (inRate, outRate) = rates
        let r = Resampler(inRate: inRate, outRate: outRate)
        #expect(r.polyphase != nil)
        let x = Self.sine(1000, rate: inRate, count: Int(inRate))
        let y = Self.run(r, x, chunk: 4096)
        #expect(y.count == Int(outRate))
        let reach = Int(outRate / 100)
        var worst = 0.0
        for j in reach..<(y.count - reach) {
            let truth = 0.5 * sin(2 * Double.pi * 1000 * Double(j) / outRate)
            worst = max(worst, abs(Double(y[j]) - truth))
        }
        #expect(worst < 2e-3, "largest error \(worst)")
    }

    @Test func polyphaseWeightsAreTheTabulatedKernel() {
        let r = Resampler(inRate: 16000, outRate: 11000)
        let poly = try! #require(r.polyphase)
        #expect(poly.up == 11 && poly.down == 16 && poly.phases.count == 11)
        for p in 0..<poly.up {
            let frac = Double(p) / Double(poly.up)
            for i in 0..<poly.phases[p].count {
                #expect(poly.phases[p][i] == r.kernel(frac + Double(r.reach - 1 - i)))
            }
        }
    }

    @Test func polyphaseMatchesTheDirectSum() {
        // A rate pair that is not whole numbers takes the direct path at the same ratio.
        let x = DotTests.signal(20000, seed: 7, pcm: true)
        let a = Self.run(Resampler(inRate: 16000, outRate: 11000), x, chunk: 4096)
        let b = Self.run(Resampler(inRate: 16000.000_000_001, outRate: 11000.000_000_001 * 16000 / 16000), x, chunk: 4096)
        try! #require(a.count == b.count || abs(a.count - b.count) <= 1)
        var worst: Float = 0
        for j in 0..<min(a.count, b.count) { worst = max(worst, abs(a[j] - b[j])) }
        #expect(worst < 1e-4, "largest difference \(worst)")
    }

    @Test func streamingInOddChunksGivesTheSameSamples() {
        let x = DotTests.signal(30000, seed: 3, pcm: true)
        let r = Resampler(inRate: 16000, outRate: 11000)
        #expect(Self.run(r, x, chunk: 30000) == Self.run(r, x, chunk: 777))
    }
}
