import CandorDSP
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The LPC residual of `x`: order 2 + fs/1000, autocorrelation method on 25 ms Hann
/// frames every 10 ms (Levinson–Durbin), each 10 ms stretch inverse-filtered with the
/// coefficients of the frame centred on it.
func lpcResidual(_ x: UnsafeBufferPointer<Float>, sampleRate fs: Double, onlyNear pulseSamples: [Int]? = nil) -> [Float] {
    let n = x.count
    // Where only the residual around given pulses is needed (the refinement reads ± one
    // period, at most 20 ms), hops farther than 50 ms from every pulse are left at zero.
    let reach = Int(0.05 * fs)
    var nextPulse = 0
    var e = [Float](repeating: 0, count: n)
    let order = Int(2 + fs / 1000)
    let W = max(order + 2, Int(0.025 * fs)), H = max(1, Int(0.01 * fs))
    var win = [Double](repeating: 0, count: W)
    for j in 0..<W { win[j] = 0.5 - 0.5 * cos(2 * Double.pi * (Double(j) + 0.5) / Double(W)) }
    var seg = [Double](repeating: 0, count: W)
    var r = [Double](repeating: 0, count: order + 1)
    var a = [Double](repeating: 0, count: order + 1)
    var tmp = [Double](repeating: 0, count: order + 1)
    var xd = [Double](repeating: 0, count: H + order)
    var c = 0
    while c < n {
        if let ps = pulseSamples {
            while nextPulse < ps.count && ps[nextPulse] < c - reach { nextPulse += 1 }
            if nextPulse >= ps.count || ps[nextPulse] > c + H + reach {
                c = min(n, c + H)
                continue
            }
        }
        let a0 = c + H / 2 - W / 2
        seg.withUnsafeMutableBufferPointer { sg in
            win.withUnsafeBufferPointer { w in
                if a0 >= 0 && a0 + W <= n {
                    let src = x.baseAddress! + a0
                    for j in 0..<W { sg[j] = Double(src[j]) * w[j] }
                } else {
                    for j in 0..<W {
                        let i = a0 + j
                        sg[j] = (i >= 0 && i < n ? Double(x[i]) : 0) * w[j]
                    }
                }
            }
            // Double precision: Levinson–Durbin at this order is sensitive to rounding.
            r.withUnsafeMutableBufferPointer { rp in
                autocorrelation(UnsafePointer(sg.baseAddress!), count: W, maxLag: order, into: rp.baseAddress!)
            }
        }
        for k in 0...order { a[k] = 0 }
        a[0] = 1
        if r[0] > 1e-20 {
            r[0] *= 1 + 1e-9
            var err = r[0]
            for i in 1...order {
                var acc = r[i]
                for j in 1..<i { acc += a[j] * r[i - j] }
                let k = -acc / err
                for j in 0...i { tmp[j] = a[j] }
                for j in 1...i { a[j] = tmp[j] + k * tmp[i - j] }
                err *= 1 - k * k
                if err <= 0 { break }
            }
        }
        let hi = min(n, c + H)
        a.withUnsafeBufferPointer { ap in
            e.withUnsafeMutableBufferPointer { ep in
                var t = c
                // Samples before `order` (the signal's start) have fewer taps.
                while t < hi && t < order {
                    var s = Double(x[t])
                    for k in 1...order where t - k >= 0 { s += ap[k] * Double(x[t - k]) }
                    ep[t] = Float(s)
                    t += 1
                }
                guard t < hi else { return }
                // Eight outputs at a time (each lane does the scalar sum's operations in the
                // same order, so the result is bit-identical), on a Double copy of the input.
                let lo = t - order
                xd.withUnsafeMutableBufferPointer { d in
                    for i in lo..<hi { d[i - lo] = Double(x[i]) }
                    let raw = UnsafeRawPointer(d.baseAddress!)
                    @inline(__always) func load(_ i: Int) -> SIMD8<Double> {
                        raw.loadUnaligned(fromByteOffset: (i - lo) * 8, as: SIMD8<Double>.self)
                    }
                    while t + 8 <= hi {
                        var s = load(t)
                        for k in 1...order { s += SIMD8(repeating: ap[k]) * load(t - k) }
                        for l in 0..<8 { ep[t + l] = Float(s[l]) }
                        t += 8
                    }
                    while t < hi {
                        var s = d[t - lo]
                        for k in 1...order { s += ap[k] * d[t - k - lo] }
                        ep[t] = Float(s)
                        t += 1
                    }
                }
            }
        }
        c = hi
    }
    return e
}

/// Refines the intervals between consecutive pulses on the LPC residual: the residual
/// around pulse k (± `halfWidth` of the period) is cross-correlated with the residual
/// around pulse k+1 shifted by up to ± `maxShift` of the period; where the best normalised
/// correlation reaches `minimumCorrelation`, the interval is corrected by that shift
/// (parabolic refinement). Returns the refined pulse times (each run of pulses starts at
/// its first raw pulse; later ones are the running sum of the refined intervals) and how
/// many intervals were refined. Where the residual is noisy, intervals stay as they are.
func refinePulses(
    _ pulses: [Double], residual e: UnsafeBufferPointer<Float>, sampleRate fs: Double,
    startTime: Double, maximumPeriod: Double, minimumCorrelation: Double,
    halfWidth: Double = 0.3, maxShift: Double = 0.15
) -> (times: [Double], refined: Int, rho: [Double]) {
    guard pulses.count >= 2 else { return (pulses, 0, []) }
    var out = pulses
    var refined = 0
    var rhos: [Double] = []
    var rs: [Double] = [], energies: [Double] = []
    let n = e.count
    for k in 0..<(pulses.count - 1) {
        let T = pulses[k + 1] - pulses[k]
        guard T <= maximumPeriod else { continue }  // a new run: keep the raw time
        var interval = T
        let c0 = (pulses[k] - startTime) * fs - 0.5, c1 = (pulses[k + 1] - startTime) * fs - 0.5
        let hw = max(2, Int((halfWidth * T * fs).rounded()))
        let ms = max(1, Int((maxShift * T * fs).rounded()))
        let a = Int(c0.rounded()) - hw, b0 = Int(c1.rounded()) - hw
        if a >= 0, b0 - ms >= 0, b0 + ms + 2 * hw < n {
            var best = -2.0, bestS = 0
            let m = 2 * ms + 1
            rs.removeAll(keepingCapacity: true)
            rs.append(contentsOf: repeatElement(0, count: m))
            energies.removeAll(keepingCapacity: true)
            energies.append(contentsOf: repeatElement(0, count: m))
            let len = 2 * hw + 1
            let pu = e.baseAddress! + a
            let saa = dotProduct(pu, pu, len)
            // Products and energies of every shift (four shifts at a time, bit-identical).
            rs.withUnsafeMutableBufferPointer { slidingDotProducts(pu, e.baseAddress! + b0 - ms, len, count: m, into: $0.baseAddress!) }
            energies.withUnsafeMutableBufferPointer { slidingEnergies(e.baseAddress! + b0 - ms, len, count: m, into: $0.baseAddress!) }
            for s in -ms...ms {
                let d = (saa * energies[s + ms]).squareRoot()
                let r = d > 0 ? rs[s + ms] / d : 0
                rs[s + ms] = r
                if r > best { best = r; bestS = s }
            }
            rhos.append(best)
            if best >= minimumCorrelation && bestS > -ms && bestS < ms {
                let ym = rs[bestS + ms - 1], y0 = rs[bestS + ms], yp = rs[bestS + ms + 1]
                let d = ym - 2 * y0 + yp
                let sh = d < 0 ? max(-0.5, min(0.5, 0.5 * (ym - yp) / d)) : 0
                // Residual of pulse k+1 best matches when shifted by s: the excitation of
                // k+1 sits (s + sh) samples later relative to the raw pulse than that of k.
                interval = (Double(Int(c1.rounded()) - Int(c0.rounded())) + Double(bestS) + sh) / fs
                refined += 1
            }
        }
        out[k + 1] = out[k] + interval
    }
    return (out, refined, rhos)
}

/// Band-limited interpolation by an integer factor (Hann-windowed sinc, 16 zero crossings
/// each side): y[k·factor] = x[k]. Used so that the pulse search at low sample rates
/// (below 16 kHz) correlates on a fine enough grid.
func upsample(_ x: UnsafeBufferPointer<Float>, factor L: Int) -> [Float] {
    let n = x.count
    guard L > 1, n > 0 else { return Array(x) }
    let half = 16
    var y = [Float](repeating: 0, count: n * L)
    // Kernel per fractional phase j/L: taps for x[k - half + 1 ... k + half].
    var kernels = [[Float]](repeating: [], count: L)
    for j in 0..<L {
        var taps = [Float](repeating: 0, count: 2 * half)
        for t in 0..<(2 * half) {
            let d = Double(j) / Double(L) - Double(t - half + 1)  // distance in input samples
            let sinc = d == 0 ? 1 : sin(Double.pi * d) / (Double.pi * d)
            let w = abs(d) < Double(half) ? 0.5 + 0.5 * cos(Double.pi * d / Double(half)) : 0
            taps[t] = Float(sinc * w)
        }
        kernels[j] = taps
    }
    y.withUnsafeMutableBufferPointer { out in
        for k in 0..<n {
            out[k * L] = x[k]
            for j in 1..<L {
                var acc: Float = 0
                let taps = kernels[j]
                for t in 0..<(2 * half) {
                    let i = k - half + 1 + t
                    if i >= 0 && i < n { acc += taps[t] * x[i] }
                }
                out[k * L + j] = acc
            }
        }
    }
    return y
}
