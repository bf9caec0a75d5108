import Foundation
import Testing
@testable import CandorFeatures

@Suite struct TimingDebugTests {
    @Test func dump() throws {
        for text in ["nobody else came by that night", "my sister was visiting", "Are you sure about that", "I am not sure", "What time did your sister leave"] {
            let x = try TimingFixture.phrase(text, voice: text.hasPrefix("What") || text.hasPrefix("Are") ? "en-us" : "en-us+f3", pitch: 75)
            let mean = x.reduce(0) { $0 + Double($1 * $1) } / Double(x.count)
            let hop = 220
            var row: [String] = []
            var i = x.count - 15 * hop
            while i < x.count {
                let s = x[i..<min(x.count, i + hop)]
                let p = s.reduce(0) { $0 + Double($1 * $1) } / Double(s.count)
                row.append(String(format: "%.0f", 10 * log10(p / mean + 1e-12)))
                i += hop
            }
            print(text, "last 150 ms, 10 ms blocks, dB re phrase mean:", row.joined(separator: " "))
        }
    }
}
