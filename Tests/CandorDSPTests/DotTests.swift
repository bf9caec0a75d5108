import Foundation
import Testing
@testable import CandorDSP

/// The vector kernels must give exactly what the plain loops they replace give (bit for
/// bit where the summation order is kept or every partial sum is exact), so that speed-ups
/// never move an analysis result.
@Suite struct DotTests {
    /// Pseudo-random values in [-1, 1): 16-bit PCM levels when `pcm`, else arbitrary floats.
    static func signal(_ n: Int, seed: UInt64, pcm: Bool) -> [Float] {
        var s = seed
        return (0..<n).map { _ in
            s = s &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let u = Double(s >> 11) / Double(1 << 53) * 2 - 1
            return pcm ? Float((u * 32768).rounded(.down)) / 32768 : Float(u) * 0.731
        }
    }

    @Test(arguments: [19, 20, 23, 400, 401, 402, 403])
    func multiLagAutocorrelationIsBitIdenticalToPerLagDots(n: Int) {
        let x = Self.signal(n, seed: UInt64(n), pcm: false).map { Double($0) * 0.37 }
        let maxLag = 18
        var r = [Double](repeating: .nan, count: maxLag + 1)
        x.withUnsafeBufferPointer { p in
            r.withUnsafeMutableBufferPointer { autocorrelation(p.baseAddress!, count: n, maxLag: maxLag, into: $0.baseAddress!) }
            for k in 0...maxLag {
                let direct = dotProduct(p.baseAddress!, p.baseAddress! + k, n - k)
                #expect(r[k].bitPattern == direct.bitPattern, "n \(n) lag \(k): \(r[k]) vs \(direct)")
            }
        }
    }

    @Test(arguments: [5, 8, 97, 130, 213])
    func slidingProductsAndEnergiesAreBitIdenticalToSingleDots(n: Int) {
        let count = 23
        let a = Self.signal(n, seed: 3, pcm: false), b = Self.signal(n + count, seed: 4, pcm: false)
        var p = [Double](repeating: .nan, count: count), e = p
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                p.withUnsafeMutableBufferPointer {
                    slidingDotProducts(ap.baseAddress!, bp.baseAddress!, n, count: count, into: $0.baseAddress!)
                }
                e.withUnsafeMutableBufferPointer { slidingEnergies(bp.baseAddress!, n, count: count, into: $0.baseAddress!) }
                for c in 0..<count {
                    let d = dotProduct(ap.baseAddress!, bp.baseAddress! + c, n)
                    let s = dotProduct(bp.baseAddress! + c, bp.baseAddress! + c, n)
                    #expect(p[c].bitPattern == d.bitPattern, "product n \(n) c \(c)")
                    #expect(e[c].bitPattern == s.bitPattern, "energy n \(n) c \(c)")
                }
            }
        }
    }

    @Test func maxAbsEqualsScalarMaximum() {
        for n in [0, 1, 7, 8, 9, 64, 213] {
            var x = Self.signal(max(n, 1), seed: 7 + UInt64(n), pcm: false)
            if n > 5 { x[n - 2] = -0.999 }  // the largest magnitude is negative, in the tail
            let expected = x.prefix(n).reduce(Float(0)) { max($0, abs($1)) }
            let got = x.withUnsafeBufferPointer { maxAbs($0.baseAddress!, n) }
            #expect(got == expected, "n \(n)")
        }
    }

    @Test func sumsOfPCMSamplesEqualSequentialSums() {
        for n in [1, 5, 213, 427, 480, 511] {
            let x = Self.signal(n, seed: 99 + UInt64(n), pcm: true)
            var seqF: Float = 0, seqD = 0.0, seqSq = 0.0
            for v in x {
                seqF += v
                seqD += Double(v)
                seqSq += Double(v) * Double(v)
            }
            x.withUnsafeBufferPointer { p in
                #expect(sum(p.baseAddress!, n) == seqF, "Float sum n \(n)")
                #expect(sumAsDouble(p.baseAddress!, n) == seqD, "Double sum n \(n)")
                #expect(sumOfSquaresAsDouble(p.baseAddress!, n) == seqSq, "sum of squares n \(n)")
            }
        }
    }

    @Test func weightedMomentsAgreeWithDoubleSums() {
        let n = 513
        let w = (0..<n).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0 + 1) / Double(n + 1))) }
        let x = Self.signal(n, seed: 5, pcm: false)
        var sw = 0.0, swx = 0.0, swxx = 0.0
        for i in 0..<n {
            sw += Double(w[i])
            swx += Double(w[i]) * Double(x[i])
            swxx += Double(w[i]) * Double(x[i]) * Double(x[i])
        }
        let m = w.withUnsafeBufferPointer { wp in x.withUnsafeBufferPointer { weightedMoments(wp.baseAddress!, $0.baseAddress!, n) } }
        #expect(abs(m.sw - sw) < 1e-5 * sw)
        #expect(abs(m.swx - swx) < 1e-5 * swxx.squareRoot() * sw.squareRoot())
        #expect(abs(m.swxx - swxx) < 1e-5 * swxx)
    }
}
