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
        for z in polynomialRoots(a) where z.im > 0 {
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

    struct Complex {
        var re: Double
        var im: Double
        static func + (x: Complex, y: Complex) -> Complex { Complex(re: x.re + y.re, im: x.im + y.im) }
        static func - (x: Complex, y: Complex) -> Complex { Complex(re: x.re - y.re, im: x.im - y.im) }
        static func * (x: Complex, y: Complex) -> Complex {
            Complex(re: x.re * y.re - x.im * y.im, im: x.re * y.im + x.im * y.re)
        }
        static func / (x: Complex, y: Complex) -> Complex {
            let d = y.re * y.re + y.im * y.im
            return Complex(re: (x.re * y.re + x.im * y.im) / d, im: (x.im * y.re - x.re * y.im) / d)
        }
        var magnitude: Double { (re * re + im * im).squareRoot() }
    }

    /// Roots of the monic polynomial z^p + a1 z^(p−1) + … + ap (Durand–Kerner iteration).
    static func polynomialRoots(_ a: [Double]) -> [Complex] {
        let p = a.count - 1
        guard p >= 1 else { return [] }
        func value(_ z: Complex) -> Complex {
            var v = Complex(re: 1, im: 0)
            for j in 1...p { v = v * z + Complex(re: a[j], im: 0) }
            return v
        }
        var roots = (0..<p).map { j -> Complex in
            let angle = 2 * Double.pi * Double(j) / Double(p) + 0.4
            return Complex(re: 0.9 * cos(angle), im: 0.9 * sin(angle))
        }
        for _ in 0..<500 {
            var change = 0.0
            for i in 0..<p {
                var d = Complex(re: 1, im: 0)
                for j in 0..<p where j != i { d = d * (roots[i] - roots[j]) }
                if d.magnitude < 1e-300 { continue }
                let step = value(roots[i]) / d
                roots[i] = roots[i] - step
                change = max(change, step.magnitude)
            }
            if change < 1e-10 { break }
        }
        return roots
    }
}
