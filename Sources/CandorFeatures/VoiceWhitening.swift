#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The LPC residual of `x`: order 2 + fs/1000, autocorrelation method on 25 ms Hann
/// frames every 10 ms (Levinson–Durbin), each 10 ms stretch inverse-filtered with the
/// coefficients of the frame centred on it.
func lpcResidual(_ x: UnsafeBufferPointer<Float>, sampleRate fs: Double) -> [Float] {
    let n = x.count
    var e = [Float](repeating: 0, count: n)
    let order = Int(2 + fs / 1000)
    let W = max(order + 2, Int(0.025 * fs)), H = max(1, Int(0.01 * fs))
    var win = [Double](repeating: 0, count: W)
    for j in 0..<W { win[j] = 0.5 - 0.5 * cos(2 * Double.pi * (Double(j) + 0.5) / Double(W)) }
    var seg = [Double](repeating: 0, count: W)
    var r = [Double](repeating: 0, count: order + 1)
    var a = [Double](repeating: 0, count: order + 1)
    var tmp = [Double](repeating: 0, count: order + 1)
    var c = 0
    while c < n {
        let a0 = c + H / 2 - W / 2
        seg.withUnsafeMutableBufferPointer { sg in
            for j in 0..<W {
                let i = a0 + j
                sg[j] = (i >= 0 && i < n ? Double(x[i]) : 0) * win[j]
            }
            for k in 0...order {
                var s = 0.0
                for j in 0..<(W - k) { s += sg[j] * sg[j + k] }
                r[k] = s
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
                for t in c..<hi {
                    var s = Double(x[t])
                    if t >= order {
                        for k in 1...order { s += ap[k] * Double(x[t - k]) }
                    } else {
                        for k in 1...order where t - k >= 0 { s += ap[k] * Double(x[t - k]) }
                    }
                    ep[t] = Float(s)
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
func refinePulses(_ pulses: [Double], residual e: UnsafeBufferPointer<Float>, sampleRate fs: Double,
                  startTime: Double, maximumPeriod: Double, minimumCorrelation: Double,
                  halfWidth: Double = 0.3, maxShift: Double = 0.15) -> (times: [Double], refined: Int, rho: [Double]) {
    guard pulses.count >= 2 else { return (pulses, 0, []) }
    var out = pulses
    var refined = 0
    var rhos: [Double] = []
    let n = e.count
    for k in 0..<(pulses.count - 1) {
        let T = pulses[k + 1] - pulses[k]
        guard T <= maximumPeriod else { continue }   // a new run: keep the raw time
        var interval = T
        let c0 = (pulses[k] - startTime) * fs - 0.5, c1 = (pulses[k + 1] - startTime) * fs - 0.5
        let hw = max(2, Int((halfWidth * T * fs).rounded()))
        let ms = max(1, Int((maxShift * T * fs).rounded()))
        let a = Int(c0.rounded()) - hw, b0 = Int(c1.rounded()) - hw
        if a >= 0, b0 - ms >= 0, b0 + ms + 2 * hw < n {
            var best = -2.0, bestS = 0
            var rs = [Double](repeating: 0, count: 2 * ms + 1)
            for s in -ms...ms {
                var sab = 0.0, saa = 0.0, sbb = 0.0
                for j in 0...(2 * hw) {
                    let u = Double(e[a + j]), v = Double(e[b0 + s + j])
                    sab += u * v
                    saa += u * u
                    sbb += v * v
                }
                let d = (saa * sbb).squareRoot()
                let r = d > 0 ? sab / d : 0
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
