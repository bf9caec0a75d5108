import CFFTW
import Synchronization

/// A pair of FFTW single-precision real-to-complex / complex-to-real plans of one size.
///
/// Plans are immutable once made and FFTW's new-array execute functions are documented as
/// thread-safe, so one plan serves every thread. Planning itself is not thread-safe: every
/// plan is created (and destroyed) only inside `FFTPlanner`'s global lock.
public struct RealFFTPlan: @unchecked Sendable {
    // @unchecked: OpaquePointer is not Sendable, but an fftwf_plan is never mutated after
    // creation, and fftwf_execute_dft_r2c/c2r on separate arrays may run concurrently.
    public let size: Int
    let forward: OpaquePointer
    let backward: OpaquePointer
}

/// Global FFTW planner: one lock for every plan creation, a cache per transform size.
public final class FFTPlanner: Sendable {
    public static let shared = FFTPlanner()

    private let plans = Mutex<[Int: RealFFTPlan]>([:])

    private init() {}

    /// Returns the cached plan for `size`, creating it under the global lock on first use.
    public func plan(size: Int) -> RealFFTPlan {
        precondition(size >= 2 && size % 2 == 0, "FFT size must be even and >= 2")
        return plans.withLock { cache in
            if let p = cache[size] { return p }
            // Plan on scratch buffers from fftwf_alloc so that later executions on other
            // fftwf_alloc buffers share the same (SIMD) alignment, as the FFTW manual requires.
            let real = fftwf_alloc_real(size)!
            let complex = fftwf_alloc_complex(size / 2 + 1)!
            defer { fftwf_free(real); fftwf_free(complex) }
            let flags = UInt32(FFTW_ESTIMATE) | UInt32(FFTW_DESTROY_INPUT)
            let f = fftwf_plan_dft_r2c_1d(Int32(size), real, complex, flags)!
            let b = fftwf_plan_dft_c2r_1d(Int32(size), complex, real, flags)!
            let p = RealFFTPlan(size: size, forward: f, backward: b)
            cache[size] = p
            return p
        }
    }

    /// Destroys every cached plan (under the lock). Plans handed out before must not be used after.
    public func reset() {
        plans.withLock { cache in
            for p in cache.values {
                fftwf_destroy_plan(p.forward)
                fftwf_destroy_plan(p.backward)
            }
            cache.removeAll()
        }
    }

    /// Number of cached plan sizes (for tests).
    public var cachedSizes: [Int] { plans.withLock { Array($0.keys).sorted() } }
}

/// Per-thread FFT scratch buffers on `fftwf_alloc_*` memory. Not shareable between threads;
/// each analysis task owns its own.
public final class FFTWorkspace {
    public let plan: RealFFTPlan
    /// Real buffer of `plan.size` floats (input of forward, output of backward).
    public let real: UnsafeMutableBufferPointer<Float>
    /// Complex buffer of `plan.size/2 + 1` interleaved (re, im) pairs.
    let complex: UnsafeMutablePointer<fftwf_complex>
    public var complexCount: Int { plan.size / 2 + 1 }

    public init(size: Int) {
        plan = FFTPlanner.shared.plan(size: size)
        let r = fftwf_alloc_real(size)!
        real = UnsafeMutableBufferPointer(start: r, count: size)
        complex = fftwf_alloc_complex(size / 2 + 1)!
        // fftwf_complex is float[2]: the same memory viewed as interleaved floats.
        let floats = UnsafeMutableRawPointer(complex).bindMemory(to: Float.self, capacity: 2 * (size / 2 + 1))
        spectrum = UnsafeMutableBufferPointer(start: floats, count: 2 * (size / 2 + 1))
    }

    deinit {
        fftwf_free(real.baseAddress)
        fftwf_free(complex)
    }

    /// Complex spectrum as interleaved floats: [re0, im0, re1, im1, ...].
    public let spectrum: UnsafeMutableBufferPointer<Float>

    /// real → spectrum.
    public func forward() { fftwf_execute_dft_r2c(plan.forward, real.baseAddress, complex) }
    /// spectrum → real (unnormalised: scaled by `size`).
    public func backward() { fftwf_execute_dft_c2r(plan.backward, complex, real.baseAddress) }

    /// Autocorrelation of the first `count` samples already in `real` (the rest is zeroed here):
    /// on return `real[k]` holds sum_j x[j] x[j+k] for k < size - count (no wrap-around).
    public func autocorrelateInPlace(count: Int) {
        let n = plan.size
        if count < n { (real.baseAddress! + count).update(repeating: 0, count: n - count) }
        forward()
        let s = spectrum
        let scale = 1 / Float(n)
        var k = 0
        while k < s.count {
            let re = s[k], im = s[k + 1]
            s[k] = (re * re + im * im) * scale
            s[k + 1] = 0
            k += 2
        }
        backward()
    }
}

/// Smallest power of two >= n.
@inlinable public func nextPowerOfTwo(_ n: Int) -> Int {
    var p = 1
    while p < n { p <<= 1 }
    return p
}
