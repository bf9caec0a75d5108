import Foundation
import Testing
@testable import CandorCLI

/// The byte-level number writer of the JSON frame tracks must print exactly what
/// `formatNumber` prints (the analysis JSON may not change with the speed-up).
struct NumberFormatTests {
    @Test func byteWriterEqualsFormatNumber() throws {
        var values: [Double] = [0, -0.0, 0.004, -0.004, 0.005, -0.005, 0.5, -0.5, 1, -1, 10, 99.995, 100, 123.456789,
                                -100, 1e-7, 12345678.9, -98765.4321, 0.01, 0.1, 9e15, 1e20, -1e20,
                                .nan, .infinity, -.infinity, 0.02112, 599.99999]
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
            let want = values.map { formatNumber($0, digits: digits) + " " }.joined()
            #expect(got == want, "digits \(digits)")
        }
    }
}
