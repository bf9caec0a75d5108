import Testing
@testable import CandorFeatures

/// The bootstrap draws its block indices with a division-free remainder; it must equal `%`
/// exactly, or the standard errors would change.
@Suite struct FastModuloTests {
    @Test func equalsRemainderForEdgeAndRandomValues() {
        let divisors = [1, 2, 3, 7, 10, 1000, 29_991, 65_537, 1 << 31, (1 << 32) - 1]
        var xs: [UInt64] = [0, 1, 2, 9, 10, 65_536, (1 << 31) - 1, 1 << 31, (1 << 32) - 1]
        var rng = BootstrapRNG(seed: 12345)
        for _ in 0..<2000 { xs.append(rng.next31()) }
        for d in divisors {
            let mod = FastModulo(d)
            for x in xs {
                #expect(mod.of(x) == Int(x % UInt64(d)), "\(x) mod \(d)")
            }
        }
    }
}
