import CandorCore
/// A small, fully specified pseudo-random generator (SplitMix64, Steele et al. 2014) so that
/// bootstrap resamples, permutations and fold assignments are identical on every platform and
/// Swift version for a given seed. Swift's own `random(in:using:)` algorithms are not part of
/// any stability contract, so they are not used here.
public struct SeededGenerator: Sendable {
    private var base: SplitMix64

    public init(seed: UInt64) { base = SplitMix64(seed: seed) }

    public mutating func next() -> UInt64 { base.next() }

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
