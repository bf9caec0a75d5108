import Foundation
import Testing
@testable import Candor

/// The byte-level number writer of the JSON frame tracks and `formatNumber` must print
/// exactly what the earlier String-building formatter printed (kept below as the
/// reference): the analysis JSON may not change with the speed-up.
struct NumberFormatTests {
    @Test func byteWriterEqualsFormatNumber() throws {
        var values: [Double] = [
            0, -0.0, 0.004, -0.004, 0.005, -0.005, 0.5, -0.5, 1, -1, 10, 99.995, 100, 123.456789,
            -100, 1e-7, 12345678.9, -98765.4321, 0.01, 0.1, 9e15, 1e20, -1e20,
            .nan, .infinity, -.infinity, 0.02112, 599.99999,
        ]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5000 { values.append(Double.random(in: -200...700, using: &rng)) }
        for digits in [0, 2, 5, 9] {
            let path = NSTemporaryDirectory() + "candor-num-\(UUID().uuidString)"
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            try #require(fd >= 0)
            let sink = TextSink(fd: fd)
            for v in values {
                sink.writeNumber(v, digits: digits)
                sink.write(byte: 32)
            }
            sink.flush()
            close(fd)
            let got = try String(contentsOfFile: path, encoding: .utf8)
            unlink(path)
            let want = values.map { referenceFormat($0, digits: digits) + " " }.joined()
            #expect(got == want, "digits \(digits)")
            #expect(values.map { formatNumber($0, digits: digits) + " " }.joined() == want)
        }
    }
}

/// The formatter as it was before the byte writer (digits right to left into a buffer).
func referenceFormat(_ d: Double, digits: Int) -> String {
    guard d.isFinite else { return "null" }
    var p: Int64 = 1
    for _ in 0..<digits { p *= 10 }
    let scaled = (d * Double(p)).rounded()
    guard abs(scaled) < 9e17 else { return "\(d)" }
    var q = Int64(scaled)
    let negative = q < 0
    if negative { q = -q }
    var intPart = q / p
    var frac = q % p
    var fracDigits = digits
    while fracDigits > 0 && frac % 10 == 0 { frac /= 10; fracDigits -= 1 }
    var buf = [UInt8](repeating: 0, count: 40)
    var i = buf.count
    if fracDigits > 0 {
        for _ in 0..<fracDigits { i -= 1; buf[i] = UInt8(48 + frac % 10); frac /= 10 }
        i -= 1; buf[i] = 46
    }
    repeat { i -= 1; buf[i] = UInt8(48 + intPart % 10); intPart /= 10 } while intPart > 0
    if negative && (q != 0) { i -= 1; buf[i] = 45 }
    return String(decoding: buf[i...], as: UTF8.self)
}
