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
