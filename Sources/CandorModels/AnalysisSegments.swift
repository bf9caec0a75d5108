import CandorCore
import CandorJSON

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The segments of an analysis JSON (`candor.analysis/1`) as the models read them, through the
/// same strict streaming reader as the report (frame tracks are skipped while reading, so
/// memory does not grow with the recording's length). Used by `candor train --analyses` and
/// `candor calibrate`.
public struct AnalysisSegment: Sendable, Equatable {
    public var id: String
    public var label: String
    public var speaker: String
    public var role: SegmentRole
    public var start: Double?
    /// Numeric features; nested objects flattened with dots (`voice.jitter_local`); a null
    /// value is present with nil, booleans and strings are left out.
    public var features: [String: Double?]

    /// Reads the segments of the analysis file at `path`. With `requireSchema`, a document whose
    /// `schema` is not `candor.analysis/…` is refused. Errors name the file (exit 3).
    public static func read(path: String, requireSchema: Bool = true) throws -> [AnalysisSegment] {
        guard let file = fopen(path, "rb") else {
            throw ModelInputError(path: path, errno == ENOENT ? "no such file" : "cannot read (\(String(cString: strerror(errno))))")
        }
        defer { fclose(file) }
        let root: JSONNode
        do { root = try JSONReader.parse(file: file, frames: .skip) } catch {
            throw ModelInputError(path: path, "not valid JSON (\(error)); expected an analysis JSON from `candor analyze`")
        }
        guard root.fields != nil else {
            throw ModelInputError(path: path, "not a JSON object (expected an analysis JSON from `candor analyze`)")
        }
        if requireSchema && root["schema"]?.string?.hasPrefix("candor.analysis/") != true {
            throw ModelInputError(path: path, "not a Candor analysis (schema candor.analysis/1 expected)")
        }
        var out: [AnalysisSegment] = []
        for (k, seg) in (root["segments"]?.array ?? []).enumerated() {
            guard let id = seg["id"]?.string ?? seg["id"]?.int.map(String.init) else {
                throw ModelInputError(path: path, "segments[\(k)] has no id")
            }
            var features: [String: Double?] = [:]
            if let f = seg["features"] { flatten(f, prefix: "", into: &features) }
            out.append(
                AnalysisSegment(
                    id: id, label: seg["label"]?.string ?? "", speaker: seg["speaker"]?.string ?? "",
                    role: seg["role"]?.string.flatMap(SegmentRole.init(rawValue:)) ?? .other, start: seg["start"]?.double,
                    features: features))
        }
        return out
    }

    static func flatten(_ node: JSONNode, prefix: String, into out: inout [String: Double?]) {
        switch node {
        case .object:
            for (k, v) in node.fields ?? [] { flatten(v, prefix: prefix.isEmpty ? k : "\(prefix).\(k)", into: &out) }
        case .null:
            if !prefix.isEmpty { out[prefix] = .some(nil) }
        default:
            if let d = node.double, d.isFinite, !prefix.isEmpty, node.bool == nil { out[prefix] = d }
        }
    }
}
