import Foundation

/// LPC formant estimates of one frame, as eGeMAPS defines them (openSMILE's documentation of
/// its `cSpecResample` → `cLpc` → `cFormantLpc` chain): the 20 ms Hamming frame's spectrum is
/// band-limited to 0–5.5 kHz (i.e. resampled to 11 kHz), an order-11 autocorrelation LPC is
/// fitted, and every complex root of the predictor polynomial in 50–5450 Hz is a formant
/// candidate (frequency from its angle, bandwidth from its radius), sorted by frequency.
/// No bandwidth limit is applied, so broad low roots count as formants, as in openSMILE.
public enum EgemapsFormants {
    static let order = 11
    static let rate = 11_000.0

    /// Up to 5 (frequency, bandwidth) pairs in Hz from a power spectrum `power` with bin width `binHz`.
    public static func estimate(power: UnsafeBufferPointer<Float>, binHz: Double) -> [(frequency: Double, bandwidth: Double)] {
        var r = [Double](repeating: 0, count: order + 1)
        let nyquist = rate / 2
        var k = 0
        while k < power.count && Double(k) * binHz <= nyquist {
            let f = Double(k) * binHz
            let w = (k == 0 ? 1.0 : 2.0) * Double(power[k])
            for m in 0...order { r[m] += w * cos(2 * Double.pi * f * Double(m) / rate) }
            k += 1
        }
        guard r[0] > 0, let a = levinson(r) else { return [] }
        var found: [(frequency: Double, bandwidth: Double)] = []
        // Roots of zᵖ + a₁zᵖ⁻¹ + … + aₚ: the Burg tracker's root finder, whose predictor
        // convention is zᵖ − c₁zᵖ⁻¹ − … − cₚ, so c = −a.
        for z in BurgLPC.roots(predictor: a.dropFirst().map { -$0 }) where z.im > 0 {
            let f = atan2(z.im, z.re) * rate / (2 * Double.pi)
            let radius = (z.re * z.re + z.im * z.im).squareRoot()
            guard f >= 50 && f <= 5450, radius > 0 else { continue }
            found.append((f, -log(radius) * rate / Double.pi))
        }
        found.sort { $0.frequency < $1.frequency }
        return Array(found.prefix(5))
    }

    /// Levinson–Durbin: predictor [1, a1 … ap] from autocorrelation r[0…p].
    static func levinson(_ r: [Double]) -> [Double]? {
        let p = r.count - 1
        var a = [Double](repeating: 0, count: p + 1)
        a[0] = 1
        var e = r[0]
        for i in 1...p {
            var acc = r[i]
            for j in 1..<i { acc += a[j] * r[i - j] }
            let k = -acc / e
            let previous = a
            for j in 1..<i { a[j] = previous[j] + k * previous[i - j] }
            a[i] = k
            e *= 1 - k * k
            if e <= 0 { return nil }
        }
        return a
    }
}
