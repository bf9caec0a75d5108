import Foundation
import Testing
@testable import CandorDSP

@Suite struct FFTTests {
    @Test func autocorrelationMatchesDirectSum() {
        let n = 300
        var x = [Float](repeating: 0, count: n)
        var seed: UInt64 = 42
        for i in 0..<n {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            x[i] = Float(Int64(bitPattern: seed >> 11) % 2000) / 1000 - 1
        }
        let ws = FFTWorkspace(size: nextPowerOfTwo(2 * n))
        for i in 0..<n { ws.real[i] = x[i] }
        ws.autocorrelateInPlace(count: n)
        for lag in [0, 1, 7, 50, 299] {
            var direct: Double = 0
            for j in 0..<(n - lag) { direct += Double(x[j]) * Double(x[j + lag]) }
            #expect(abs(Double(ws.real[lag]) - direct) < 1e-3 * max(1, abs(direct)), "lag \(lag)")
        }
    }

    @Test func forwardTransformOfCosineHasOnePeak() {
        let n = 64
        let ws = FFTWorkspace(size: n)
        for i in 0..<n { ws.real[i] = Float(cos(2 * Double.pi * 5 * Double(i) / Double(n))) }
        ws.forward()
        let s = ws.spectrum
        for k in 0...(n / 2) {
            let mag = (s[2 * k] * s[2 * k] + s[2 * k + 1] * s[2 * k + 1]).squareRoot()
            if k == 5 { #expect(abs(mag - Float(n) / 2) < 1e-3) } else { #expect(mag < 1e-3) }
        }
    }

    @Test func plansAreCachedAndSafeUnderConcurrency() async {
        let sizes = [128, 256, 512, 1024, 2048]
        await withTaskGroup(of: Float.self) { group in
            for t in 0..<32 {
                group.addTask {
                    let ws = FFTWorkspace(size: sizes[t % sizes.count])
                    for i in 0..<ws.plan.size { ws.real[i] = i == 0 ? 1 : 0 }
                    ws.autocorrelateInPlace(count: 1)
                    return ws.real[0]
                }
            }
            for await v in group { #expect(abs(v - 1) < 1e-6) }
        }
        let cached = FFTPlanner.shared.cachedSizes
        for s in sizes { #expect(cached.contains(s)) }
    }

    @Test func nextPowerOfTwoRoundsUp() {
        #expect(nextPowerOfTwo(1) == 1)
        #expect(nextPowerOfTwo(600) == 1024)
        #expect(nextPowerOfTwo(1024) == 1024)
    }
}
