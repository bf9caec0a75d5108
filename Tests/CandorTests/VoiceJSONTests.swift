@testable import Candor
@testable import CandorFeatures
import Foundation
import Testing

@Suite("voice JSON object")
struct VoiceJSONTests {
    /// The analysis-JSON `voice` object carries exactly VoiceReport's Codable keys, with the
    /// same values (to the printed precision) and null where a measure is missing.
    @Test func matchesTheCodableReport() throws {
        var times: [Double] = []
        var amps: [Double?] = []
        for i in 0..<200 {
            let wobble: Double = i % 3 == 0 ? 0.0001 : 0
            times.append(0.1 + Double(i) * 0.008 + wobble)
            amps.append(i == 0 || i == 199 ? nil : 0.5 + 0.01 * Double(i % 4))
        }
        var r = voiceReport(pulses: times, amplitudes: amps, hnrFrames: [12, 14, 13])
        r.hnrDB = nil
        guard case .object(let pairs) = try jsonTree(VoiceFields(report: r)) else { Issue.record("not an object"); return }
        let codable = try JSONSerialization.jsonObject(with: JSONEncoder().encode(r)) as! [String: Any]
        let keys: [String] = pairs.map { $0.0 }
        #expect(Set(keys) == Set(codable.keys))
        #expect(pairs.count == codable.count)
        for (k, v) in pairs {
            switch v {
            case .null: #expect(codable[k] is NSNull, "\(k)")
            case .int(let i): #expect(codable[k] as? Int == i, "\(k)")
            case .bool(let b): #expect(codable[k] as? Bool == b, "\(k)")
            case .string(let s): #expect(codable[k] as? String == s, "\(k)")
            case .number(let d, _):
                let c: Double = try #require(codable[k] as? Double, "\(k)")
                let tolerance: Double = 1e-12 * max(1.0, abs(c))
                #expect(abs(c - d) <= tolerance, "\(k)")
            default: Issue.record("unexpected JSON kind for \(k)")
            }
        }
        #expect(pairs.first?.0 == "pulses")
    }
}
