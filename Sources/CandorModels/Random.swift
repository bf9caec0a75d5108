/// A small, fully specified pseudo-random generator (SplitMix64, Steele et al. 2014) so that
/// bootstrap resamples, permutations and fold assignments are identical on every platform and
/// Swift version for a given seed. Swift's own `random(in:using:)` algorithms are not part of
/// any stability contract, so they are not used here.
public struct SeededGenerator: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform integer in 0..<n (n > 0), unbiased (rejection sampling).
    public mutating func int(below n: Int) -> Int {
        precondition(n > 0)
        let bound = UInt64(n)
        let limit = UInt64.max - (UInt64.max % bound)
        while true {
            let r = next()
            if r < limit { return Int(r % bound) }
        }
    }

    /// Fisher–Yates shuffle.
    public mutating func shuffle<T>(_ a: inout [T]) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            let j = int(below: i + 1)
            if i != j { a.swapAt(i, j) }
        }
    }
}
