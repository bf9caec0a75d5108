#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Candor
import CandorAudit
import CandorCore
import CandorFeatures
import Foundation

/// A segment file found next to a recording by `candor batch submit`: `x.segments.csv`,
/// `x.TextGrid` (or `x.textgrid`) beside `x.wav`. Its SHA-256 goes into the job's settings,
/// and so into the job key; the worker checks it again before analysing and logs the file as
/// evidence (`evidence_ingested`, `what: segments`) in the session log.
struct SidecarSegments: Equatable {
    var path: String
    var fileSHA256: String
    var count: Int

    /// Suffixes tried after the recording's name without its extension, in this order.
    static let suffixes = [".segments.csv", ".TextGrid", ".textgrid"]

    /// The sidecar file of `recording`, checked against the recording (bounds within its
    /// duration, speakers matching its channels or `roles`); nil when there is none. Two
    /// different sidecar files for one recording are refused (which one was meant is unclear).
    static func find(
        for recording: String, duration: Double, channels: Int, roles: [String], mix: Bool
    ) throws -> SidecarSegments? {
        let stem = (recording as NSString).deletingPathExtension
        var found: [String] = []
        for suffix in suffixes {
            let p = stem + suffix
            var st = stat()
            guard stat(p, &st) == 0 else { continue }
            // x.TextGrid and x.textgrid are one file on a case-insensitive file system.
            if found.contains(where: { other in
                var o = stat()
                return stat(other, &o) == 0 && o.st_ino == st.st_ino && o.st_dev == st.st_dev
            }) {
                continue
            }
            found.append(p)
        }
        guard let path = found.first else { return nil }
        guard found.count == 1 else {
            let names = found.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")
            throw InputError(path: recording, problem: "has more than one segment file next to it (\(names)); keep one")
        }
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { throw InputError(path: path, problem: "not a regular file") }
        let (segments, sha) = try readSegmentsFile(path, duration: duration + 1)
        guard !segments.isEmpty else { throw InputError(path: path, problem: "no segments in the file") }
        try checkSegmentSpeakers(segments, roles: roles, analysedChannels: mix ? 1 : channels, map: [:], path: path)
        return SidecarSegments(path: path, fileSHA256: sha, count: segments.count)
    }
}

/// The `evidence_ingested` record of a job's sidecar segment file (nil when the job has none,
/// or its segments came another way, e.g. an upload that `candor serve` already logged).
func sidecarEvidenceDraft(_ settings: BatchAnalysisSettings) -> RecordDraft? {
    guard settings.segmentsSidecar == true, let path = settings.segmentsFile, let sha = settings.segmentsSHA256 else { return nil }
    let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
    let ext = (path as NSString).pathExtension.lowercased()
    return RecordDraft(
        .evidenceIngested,
        [
            "path": .string(path), "bytes": .int(Int64(bytes ?? -1)), "sha256": .string(sha), "format": .string(ext),
            "what": .string("segments"), "via": .string("sidecar (candor batch submit)"),
        ])
}
