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

/// `r[k] = dotProduct(p, p + k, n - k)` for every k in `0...maxLag` (the autocorrelation of
/// `p[0..<n]`), bit-identical to the per-lag calls: each lag keeps its own four-lane sum in
/// the same order, but four lags share every load and their sums run in parallel.
@inlinable
public func autocorrelation(_ p: UnsafePointer<Double>, count n: Int, maxLag: Int, into r: UnsafeMutablePointer<Double>) {
    let raw = UnsafeRawPointer(p)
    @inline(__always) func load(_ i: Int) -> SIMD4<Double> {
        raw.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
    }
    // Finishes lag k from vector position i with accumulator acc, exactly as dotProduct does.
    @inline(__always) func finish(_ acc0: SIMD4<Double>, _ i0: Int, _ k: Int) -> Double {
        var acc = acc0, i = i0
        let len = n - k
        while i + 4 <= len {
            acc += load(i) * load(i + k)
            i += 4
        }
        var s = (acc[0] + acc[1]) + (acc[2] + acc[3])
        while i < len {
            s += p[i] * p[i + k]
            i += 1
        }
        return s
    }
    var k0 = 0
    while k0 + 3 <= maxLag {
        // Vector steps every lag of the group takes (the largest lag takes the fewest).
        let common = max(0, n - k0 - 3) / 4 * 4
        var a0 = SIMD4<Double>(), a1 = SIMD4<Double>(), a2 = SIMD4<Double>(), a3 = SIMD4<Double>()
        var i = 0
        while i < common {
            let v = load(i)
            a0 += v * load(i + k0)
            a1 += v * load(i + k0 + 1)
            a2 += v * load(i + k0 + 2)
            a3 += v * load(i + k0 + 3)
            i += 4
        }
        r[k0] = finish(a0, i, k0)
        r[k0 + 1] = finish(a1, i, k0 + 1)
        r[k0 + 2] = finish(a2, i, k0 + 2)
        r[k0 + 3] = finish(a3, i, k0 + 3)
        k0 += 4
    }
    while k0 <= maxLag {
        r[k0] = n - k0 > 0 ? dotProduct(p, p + k0, n - k0) : 0
        k0 += 1
    }
}
