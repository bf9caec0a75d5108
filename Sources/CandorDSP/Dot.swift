/// Dot product of two Float vectors of length `n`, eight lanes at a time (SIMD), summed
/// in Float per lane and in Double across lanes. The hot inner loop of correlation-based
/// pulse tracking and LPC analysis.
@inlinable
public func dotProduct(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Double {
    var acc = SIMD8<Float>()
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i + 8 <= n {
        let va = ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        let vb = rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        acc += va * vb  // not addProduct: without an FMA target that becomes a libm call per lane
        i += 8
    }
    var s = 0.0
    for l in 0..<8 { s += Double(acc[l]) }
    while i < n {
        s += Double(a[i]) * Double(b[i])
        i += 1
    }
    return s
}

/// Double-precision dot product, four independent lanes (for numerically sensitive sums
/// such as the autocorrelation feeding Levinson–Durbin).
@inlinable
public func dotProduct(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
    var acc = SIMD4<Double>()
    var i = 0
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    while i + 4 <= n {
        acc += ra.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
            * rb.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
        i += 4
    }
    var s = (acc[0] + acc[1]) + (acc[2] + acc[3])
    while i < n {
        s += a[i] * b[i]
        i += 1
    }
    return s
}
