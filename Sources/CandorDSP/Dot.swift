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
        acc +=
            ra.loadUnaligned(fromByteOffset: i * 8, as: SIMD4<Double>.self)
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

/// Largest |p[i]| over `n` values, eight lanes at a time (the maximum does not depend on
/// the order, so this equals the scalar loop exactly). 0 when n ≤ 0.
@inlinable
public func maxAbs(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    let raw = UnsafeRawPointer(p)
    // |v| by clearing the sign bits (the generic pointwiseMax/abs are not inlined).
    var m8 = SIMD8<UInt32>()
    var i = 0
    while i + 8 <= n {
        let a = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<UInt32>.self) & 0x7FFF_FFFF
        // For non-negative floats the bit patterns order as the values do.
        m8 = m8.replacing(with: a, where: a .> m8)
        i += 8
    }
    var m: Float = 0
    for l in 0..<8 { m = max(m, Float(bitPattern: m8[l])) }
    while i < n {
        m = max(m, abs(p[i]))
        i += 1
    }
    return m
}

/// Sum of `n` Float values in Double, with four interleaved partial sums (independent
/// additions, about four times the speed of one running sum). For integer PCM samples
/// (16 or 24 bit, normalised by a power of two) every partial sum is exact, so the result
/// equals the sequential sum bit for bit; for other inputs it may differ in the last bit.
@inlinable
public func sumAsDouble(_ p: UnsafePointer<Float>, _ n: Int) -> Double {
    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    var i = 0
    while i + 4 <= n {
        s0 += Double(p[i])
        s1 += Double(p[i + 1])
        s2 += Double(p[i + 2])
        s3 += Double(p[i + 3])
        i += 4
    }
    var s = (s0 + s1) + (s2 + s3)
    while i < n {
        s += Double(p[i])
        i += 1
    }
    return s
}

/// Σw, Σw·x and Σw·x² over `n` values, eight lanes at a time in Float (lane sums added in
/// Double): the weighted moments of a windowed intensity frame.
@inlinable
public func weightedMoments(_ w: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) -> (sw: Double, swx: Double, swxx: Double) {
    let rw = UnsafeRawPointer(w), rx = UnsafeRawPointer(x)
    var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>()
    var i = 0
    while i + 8 <= n {
        let wv = rw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        let xv = rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        let wx = wv * xv
        a0 += wv
        a1 += wx
        a2 += wx * xv
        i += 8
    }
    var sw = 0.0, swx = 0.0, swxx = 0.0
    for l in 0..<8 {
        sw += Double(a0[l])
        swx += Double(a1[l])
        swxx += Double(a2[l])
    }
    while i < n {
        let wx = w[i] * x[i]
        sw += Double(w[i])
        swx += Double(wx)
        swxx += Double(wx * x[i])
        i += 1
    }
    return (sw, swx, swxx)
}

/// Sum of `n` Float values, eight lanes at a time. For 16-bit PCM samples (multiples of
/// 2⁻¹⁵ in [−1, 1]) and n ≤ 511, every partial sum is a multiple of 2⁻¹⁵ below 512 in
/// magnitude, hence exact, so the result equals the sequential sum bit for bit; for other
/// inputs it may differ in the last bits.
@inlinable
public func sum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    let raw = UnsafeRawPointer(p)
    var acc = SIMD8<Float>()
    var i = 0
    while i + 8 <= n {
        acc += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    var s = acc.sum()
    while i < n {
        s += p[i]
        i += 1
    }
    return s
}

/// Σ p[i]² in Double over `n` Float values, with four interleaved partial sums. For 16-bit
/// PCM samples (multiples of 2⁻¹⁵) each square is a multiple of 2⁻³⁰ below 1 and any sum
/// of fewer than 2²³ of them is exact in Double, so the result equals the sequential sum
/// bit for bit; for other inputs it may differ in the last bit.
@inlinable
public func sumOfSquaresAsDouble(_ p: UnsafePointer<Float>, _ n: Int) -> Double {
    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    var i = 0
    while i + 4 <= n {
        let a = Double(p[i]), b = Double(p[i + 1]), c = Double(p[i + 2]), d = Double(p[i + 3])
        s0 += a * a
        s1 += b * b
        s2 += c * c
        s3 += d * d
        i += 4
    }
    var s = (s0 + s1) + (s2 + s3)
    while i < n {
        let a = Double(p[i])
        s += a * a
        i += 1
    }
    return s
}

/// `out[c] = dotProduct(a, b + c, n)` for c in `0..<count` (the correlations of one window
/// with a sliding one), bit-identical to the single calls: four candidates share every load
/// of `a` and their eight-lane sums run in parallel, each in the single call's order.
@inlinable
public func slidingDotProducts(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int, count: Int,
    into out: UnsafeMutablePointer<Double>
) {
    slidingDots(b, n, count: count, into: out, left: { _, i in a + i })
}

/// `out[c] = dotProduct(b + c, b + c, n)` for c in `0..<count` (the energies of a sliding
/// window), bit-identical to the single calls, four windows at a time.
@inlinable
public func slidingEnergies(_ b: UnsafePointer<Float>, _ n: Int, count: Int, into out: UnsafeMutablePointer<Double>) {
    slidingDots(b, n, count: count, into: out, left: { c, i in b + c + i })
}

/// `out[c] = dotProduct(left(c, 0), b + c, n)`, four values of c at a time; `left(c, i)`
/// must equal `left(c, 0) + i`.
@inlinable @inline(__always)
func slidingDots(
    _ b: UnsafePointer<Float>, _ n: Int, count: Int, into out: UnsafeMutablePointer<Double>,
    left: (Int, Int) -> UnsafePointer<Float>
) {
    @inline(__always) func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }
    // The reduction and tail of `dotProduct`, from vector position i0.
    @inline(__always) func finish(_ acc: SIMD8<Float>, _ i0: Int, _ c: Int) -> Double {
        var s = 0.0
        for l in 0..<8 { s += Double(acc[l]) }
        var i = i0
        let a = left(c, 0)
        while i < n {
            s += Double(a[i]) * Double(b[c + i])
            i += 1
        }
        return s
    }
    var c = 0
    while c + 4 <= count {
        var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            a0 += load(left(c, i)) * load(b + c + i)
            a1 += load(left(c + 1, i)) * load(b + c + 1 + i)
            a2 += load(left(c + 2, i)) * load(b + c + 2 + i)
            a3 += load(left(c + 3, i)) * load(b + c + 3 + i)
            i += 8
        }
        out[c] = finish(a0, i, c)
        out[c + 1] = finish(a1, i, c + 1)
        out[c + 2] = finish(a2, i, c + 2)
        out[c + 3] = finish(a3, i, c + 3)
        c += 4
    }
    while c < count {
        out[c] = dotProduct(left(c, 0), b + c, n)
        c += 1
    }
}
