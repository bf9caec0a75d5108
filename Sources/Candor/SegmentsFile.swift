import CandorCore
import CandorFeatures
import CandorInterchange

/// Reads a segments file (CSV, TextGrid, SRT, VTT), checks it against a recording of
/// `duration` seconds, and returns the segments with the file's SHA-256. The hash goes into
/// the analysis (and the batch job's key) like the recording's, so the file must not change
/// while it is read: it is hashed before and after, and a change is refused (exit 3).
package func readSegmentsFile(_ path: String, duration: Double) throws -> (segments: [Segment], sha256: String) {
    let before = try sha256(ofFile: path)
    let segments = try Segments.validate(try SegmentReader.read(path: path), duration: duration, path: path)
    guard try sha256(ofFile: path) == before else { throw InputError(path: path, problem: "changed while it was read") }
    return (segments, before)
}
