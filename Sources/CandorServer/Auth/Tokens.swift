import Crypto
import Foundation

/// Random tokens and their digests for sessions and CSRF protection.
enum Tokens {
    /// 32 random bytes from the system's CSPRNG, as 64 hex digits.
    static func randomToken() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &g)) }.joined()
    }

    static func sha256Hex(_ s: String) -> String {
        SHA256.hash(data: Array(s.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Compares in time independent of where the strings differ.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var d: UInt8 = 0
        for k in 0..<x.count { d |= x[k] ^ y[k] }
        return d == 0
    }
}
