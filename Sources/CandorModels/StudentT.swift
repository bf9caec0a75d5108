import Foundation

/// Student's t and beta distributions, as needed for prediction intervals and exact binomial
/// confidence intervals.
///
/// The regularized incomplete beta function I_x(a, b) is evaluated by its continued fraction
/// (DLMF 8.17.22), summed with the modified Lentz method, and by the symmetry
/// I_x(a, b) = 1 − I_{1−x}(b, a) where that fraction converges slowly (x > (a+1)/(a+b+2)).
/// Quantiles are found by bisection on the monotone CDF, so they are as accurate as the CDF.
public enum StudentT {
    /// Regularized incomplete beta I_x(a, b), for a, b > 0 and x in [0, 1].
    public static func incompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        precondition(a > 0 && b > 0)
        if !(x > 0) { return 0 }
        if x >= 1 { return 1 }
        let lnFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        if x > (a + 1) / (a + b + 2) {
            return 1 - incompleteBeta(1 - x, a: b, b: a)
        }
        return exp(lnFront) * continuedFraction(x, a: a, b: b) / a
    }

    /// 1 / (1 + d1/(1 + d2/(1 + …))) with d_{2m+1} = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1)) and
    /// d_{2m} = m(b−m)x / ((a+2m−1)(a+2m)), by the modified Lentz method.
    static func continuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        // f = b0 + a1/(b1 + a2/(b2 + …)) with b0 = 0, a1 = 1, b_j = 1 and a_{j+1} = d_j.
        var f = tiny, c = tiny, d = 0.0
        for i in 0...400 {
            let m = Double(i / 2)
            let numerator: Double
            if i == 0 {
                numerator = 1
            } else if i % 2 == 0 {
                numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            } else {
                numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            }
            d = 1 + numerator * d
            if abs(d) < tiny { d = tiny }
            d = 1 / d
            c = 1 + numerator / c
            if abs(c) < tiny { c = tiny }
            let delta = c * d
            f *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return f
    }

    /// Two-sided tail P(|T| ≥ t) of Student's t with `df` degrees of freedom:
    /// I_{df/(df+t²)}(df/2, 1/2).
    public static func twoSidedP(_ t: Double, df: Double) -> Double {
        precondition(df > 0)
        if t.isNaN { return .nan }
        let t2 = t * t
        if t2.isInfinite { return 0 }
        return incompleteBeta(df / (df + t2), a: df / 2, b: 0.5)
    }

    /// The t with P(|T| ≥ t) = p (so ±t bounds a central 1 − p interval), for p in (0, 1].
    public static func twoSidedQuantile(p: Double, df: Double) -> Double {
        precondition(p > 0 && p <= 1 && df > 0)
        if p == 1 { return 0 }
        var lo = 0.0, hi = 1.0
        while twoSidedP(hi, df: df) > p && hi < 1e12 { lo = hi; hi *= 2 }
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            if twoSidedP(mid, df: df) > p { lo = mid } else { hi = mid }
            if hi - lo <= 1e-12 * hi { break }
        }
        return 0.5 * (lo + hi)
    }

    /// The x with I_x(a, b) = q (the beta distribution's q-quantile), for q in [0, 1].
    public static func betaQuantile(_ q: Double, a: Double, b: Double) -> Double {
        if q <= 0 { return 0 }
        if q >= 1 { return 1 }
        var lo = 0.0, hi = 1.0
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            if incompleteBeta(mid, a: a, b: b) < q { lo = mid } else { hi = mid }
            if hi - lo < 1e-15 { break }
        }
        return 0.5 * (lo + hi)
    }
}
