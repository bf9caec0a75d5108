#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Streaming sample-rate conversion by windowed-sinc interpolation (Smith, "Digital Audio
/// Resampling", CCRMA; bandlimited interpolation). The kernel is a sinc cut off at the lower of
/// the two Nyquist frequencies, under a Hann window `halfWidth` zero crossings wide on each side,
/// tabulated finely and linearly interpolated. Memory is the kernel table plus a few kernel
/// widths of input, whatever the length of the sound.
///
/// Output sample j is at input time j · inRate / outRate (sample 0 of both at time 0).
public struct Resampler: Sendable {
    public let inRate: Double
    public let outRate: Double
    /// Input samples per kernel side (in input samples).
    let reach: Int
    let cutoff: Double
    let table: [Double]
    static let perSample = 256
    /// Input samples kept, `pending[0]` being input sample `base`.
    var pending: [Float] = []
    var base = 0
    var received = 0
    /// Next output sample index.
    var next = 0
    /// When both rates are whole numbers, outRate/inRate = up/down in lowest terms, and the
    /// kernel weights of output sample j depend only on j mod up: `phases[p]` holds the
    /// `2 · reach` weights of phase p (for input samples centre − reach + 1 … centre + reach),
    /// so the inner loop is a dot product instead of a table interpolation per tap. nil
    /// otherwise (or when `up` is too large to tabulate).
    let polyphase: (up: Int, down: Int, phases: [[Double]])?

    public init(inRate: Double, outRate: Double, halfWidth: Int = 24) {
        self.inRate = inRate
        self.outRate = outRate
        cutoff = min(1, outRate / inRate)
        reach = Int((Double(halfWidth) / cutoff).rounded(.up))
        // table[k] = kernel at k / perSample input samples from the output instant.
        let n = reach * Self.perSample + 2
        var t = [Double](repeating: 0, count: n)
        for k in 0..<n {
            let x = Double(k) / Double(Self.perSample)
            guard x < Double(reach) else { continue }
            let arg = Double.pi * cutoff * x
            let sinc = x == 0 ? 1 : sin(arg) / arg
            let w = 0.5 + 0.5 * cos(Double.pi * x / Double(reach))
            t[k] = cutoff * sinc * w
        }
        table = t
        polyphase = Self.phases(inRate: inRate, outRate: outRate, reach: reach, table: t)
    }

    static func phases(inRate: Double, outRate: Double, reach: Int, table: [Double]) -> (up: Int, down: Int, phases: [[Double]])? {
        guard inRate == inRate.rounded(), outRate == outRate.rounded(), inRate >= 1, outRate >= 1,
            inRate < 1e7, outRate < 1e7
        else { return nil }
        var a = Int(inRate), b = Int(outRate)
        while b != 0 { (a, b) = (b, a % b) }
        let up = Int(outRate) / a, down = Int(inRate) / a
        guard up <= 4096 else { return nil }
        let phases = (0..<up).map { p -> [Double] in
            // Output j = q·up + p lies at input time centre + p/up, centre = (j·down) div up.
            let frac = Double(p) / Double(up)
            return (0..<(2 * reach)).map { i in kernel(table, frac + Double(reach - 1 - i)) }
        }
        return (up, down, phases)
    }

    /// The tabulated kernel at `d` input samples from the output instant, linearly interpolated.
    static func kernel(_ table: [Double], _ d: Double) -> Double {
        let x = abs(d) * Double(perSample)
        let i = Int(x)
        guard i + 1 < table.count else { return 0 }
        let f = x - Double(i)
        return table[i] + f * (table[i + 1] - table[i])
    }

    func kernel(_ d: Double) -> Double { Self.kernel(table, d) }

    /// Adds input samples and appends every output sample that is now determined to `out`.
    public mutating func push(_ input: UnsafeBufferPointer<Float>, into out: inout [Float]) {
        pending.append(contentsOf: input)
        received += input.count
        produce(into: &out, final: false)
    }

    /// Appends the remaining output samples (the input is taken as zero after its end), up to
    /// the output length of the whole input, `floor(received · outRate / inRate)`.
    public mutating func finish(into out: inout [Float]) {
        produce(into: &out, final: true)
    }

    mutating func produce(into out: inout [Float], final: Bool) {
        let ratio = inRate / outRate
        let total = Int((Double(received) * outRate / inRate).rounded(.down))
        pending.withUnsafeBufferPointer { p in
            while next < total {
                let centre: Int, phase: [Double]?, tau: Double
                if let poly = polyphase {
                    let scaled = next * poly.down
                    centre = scaled / poly.up
                    phase = poly.phases[scaled % poly.up]
                    tau = Double(centre) + Double(scaled % poly.up) / Double(poly.up)
                } else {
                    tau = Double(next) * ratio
                    centre = Int(tau.rounded(.down))
                    phase = nil
                }
                if !final && centre + reach >= received { break }
                var acc = 0.0
                let first = centre - reach + 1
                let lo = max(first, 0), hi = min(centre + reach, received - 1)
                if let phase, lo == first, hi == centre + reach {
                    // Every tap inside the input: a plain dot product with the phase's weights.
                    phase.withUnsafeBufferPointer { w in
                        let x = p.baseAddress! + (first - base)
                        for i in 0..<w.count { acc += Double(x[i]) * w[i] }
                    }
                } else if lo <= hi {
                    for k in lo...hi { acc += Double(p[k - base]) * kernel(tau - Double(k)) }
                }
                out.append(Float(acc))
                next += 1
            }
        }
        // Drop input no later output needs.
        let keepFrom = max(Int((Double(next) * ratio).rounded(.down)) - reach, base)
        if keepFrom - base > 4096 {
            pending.removeFirst(keepFrom - base)
            base = keepFrom
        }
    }
}
