// Analyses one recording with the Candor library and prints its analysis JSON (schema
// candor.analysis/1) on standard output: the document `candor analyze FILE --out -` writes.
//
// Usage: AnalyzeFile FILE [ROLE,ROLE...]
import Candor

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a line to standard error.
func warn(_ line: String) {
    var text = line + "\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

let arguments = CommandLine.arguments
guard arguments.count == 2 || arguments.count == 3 else {
    warn("usage: AnalyzeFile FILE [ROLE,ROLE...]")
    exit(2)
}

var options = AnalyzeOptions()
if arguments.count == 3 {
    options.roles = arguments[2].split(separator: ",").map(String.init)
}

do {
    let analysis = try await Candor.analyze(file: arguments[1], options: options)
    // The document streams to stdout page by page (frame tracks are not held in memory).
    try analysis.write(toFile: "-")
    // The typed values are there too:
    for channel in analysis.channels {
        let f0 = channel.pitchSummary.meanHz.map { "\(($0 * 10).rounded() / 10) Hz" } ?? "no voiced frames"
        warn("channel \(channel.index) [\(channel.role)]: mean F0 \(f0)")
    }
} catch {
    warn("AnalyzeFile: error: \(error)")
    exit(1)
}
