#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Linear prediction by Burg's method and the poles of the prediction filter: the heart of a
/// formant tracker (Burg 1967/1975; Childers 1978, "Modern Spectrum Analysis"; Press et al.
/// 1992, "Numerical Recipes", §13.6, the maximum-entropy method).
///
/// Burg's method chooses each reflection coefficient to minimise the sum of the forward and
/// backward prediction errors over the frame, so the filter is always stable and needs no
/// samples outside the frame.
public enum BurgLPC {
    /// Prediction coefficients `a[1...order]` (returned as `a[0..<order]`) with
    /// x[n] ≈ Σₖ a[k] x[n−k]; nil when the frame has no energy or is shorter than `order + 1`.
    public static func coefficients(_ x: UnsafeBufferPointer<Double>, order: Int) -> [Double]? {
        let n = x.count
        guard order >= 1, n > order else { return nil }
        var energy = 0.0
        for v in x { energy += v * v }
        guard energy > 0, energy.isFinite else { return nil }
        // f: forward errors, b: backward errors (over the samples each order can predict).
        var f = [Double](x.dropFirst()), b = [Double](x.dropLast())
        var a = [Double](repeating: 0, count: order + 1), prev = a
        for m in 1...order {
            let len = n - m
            var num = 0.0, den = 0.0
            for j in 0..<len {
                num += f[j] * b[j]
                den += f[j] * f[j] + b[j] * b[j]
            }
            guard den > 0 else { return nil }
            let k = 2 * num / den
            a[m] = k
            for i in 1..<m { a[i] = prev[i] - k * prev[m - i] }
            prev = a
            if m == order { break }
            // Errors of order m, aligned so that f[j] pairs with b[j] for the next order.
            for j in 0..<(len - 1) {
                let fj = f[j + 1] - k * b[j + 1]
                let bj = b[j] - k * f[j]
                f[j] = fj
                b[j] = bj
            }
        }
        return Array(a[1...])
    }

    /// The roots of the prediction polynomial zᵖ − a₁zᵖ⁻¹ − … − aₚ, by the Aberth–Ehrlich
    /// simultaneous iteration, each polished by Newton's method; as (re, im) pairs.
    public static func roots(predictor a: [Double]) -> [(re: Double, im: Double)] {
        let p = a.count
        guard p > 0 else { return [] }
        // Monic coefficients c[0] = 1, c[k] = −a[k].
        var c = [1.0]
        c += a.map { -$0 }
        func eval(_ zr: Double, _ zi: Double) -> (Double, Double, Double, Double) {
            // Horner for P and P'.
            var pr = c[0], pi = 0.0, dr = 0.0, di = 0.0
            for k in 1...p {
                let ndr = dr * zr - di * zi + pr, ndi = dr * zi + di * zr + pi
                dr = ndr
                di = ndi
                let npr = pr * zr - pi * zi + c[k], npi = pr * zi + pi * zr
                pr = npr
                pi = npi
            }
            return (pr, pi, dr, di)
        }
        // Start on a circle of radius about the roots' geometric mean, off the axes.
        var bound = 0.0
        for v in a { bound = max(bound, abs(v)) }
        let r0 = max(0.5, min(1 + bound, pow(max(abs(a[p - 1]), 1e-12), 1 / Double(p))))
        var zr = [Double](repeating: 0, count: p), zi = zr
        for k in 0..<p {
            let th = 2 * Double.pi * (Double(k) + 0.25) / Double(p) + 0.4
            zr[k] = r0 * cos(th)
            zi[k] = r0 * sin(th)
        }
        for _ in 0..<500 {
            var moved = 0.0
            for k in 0..<p {
                let (pr, pi, dr, di) = eval(zr[k], zi[k])
                let dd = dr * dr + di * di
                guard dd > 0 else { continue }
                // ratio = P / P'
                let rr = (pr * dr + pi * di) / dd, ri = (pi * dr - pr * di) / dd
                // sum over j ≠ k of 1 / (z_k − z_j)
                var sr = 0.0, si = 0.0
                for j in 0..<p where j != k {
                    let xr = zr[k] - zr[j], xi = zi[k] - zi[j]
                    let m = xr * xr + xi * xi
                    guard m > 0 else { continue }
                    sr += xr / m
                    si -= xi / m
                }
                // w = ratio / (1 − ratio · sum)
                let qr = 1 - (rr * sr - ri * si), qi = -(rr * si + ri * sr)
                let qq = qr * qr + qi * qi
                guard qq > 0 else { continue }
                let wr = (rr * qr + ri * qi) / qq, wi = (ri * qr - rr * qi) / qq
                zr[k] -= wr
                zi[k] -= wi
                moved = max(moved, wr * wr + wi * wi)
            }
            if moved < 1e-28 { break }
        }
        // Newton polish.
        for k in 0..<p {
            for _ in 0..<3 {
                let (pr, pi, dr, di) = eval(zr[k], zi[k])
                let dd = dr * dr + di * di
                guard dd > 0 else { break }
                zr[k] -= (pr * dr + pi * di) / dd
                zi[k] -= (pi * dr - pr * di) / dd
            }
        }
        return (0..<p).map { (zr[$0], zi[$0]) }
    }
}
