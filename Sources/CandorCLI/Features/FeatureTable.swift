import Candor
import CandorFeatures
import CandorInterchange
import Foundation

/// One row of a feature table: a file, or a segment of it.
struct FeatureRow {
    var file: String
    var segment: Segment?
    var features: EgemapsFeatures
}

/// The CSV and JSON renderings of `candor features`.
enum FeatureTable {
    static func csv(_ rows: [FeatureRow]) -> String {
        let withSegments = rows.contains { $0.segment != nil }
        var head = ["file"]
        if withSegments { head += ["segment", "speaker", "start", "end"] }
        head += rows.first?.features.names ?? egemapsColumnNames
        var out = head.map(field).joined(separator: ",") + "\n"
        for r in rows {
            var cells = [field(r.file)]
            if let s = r.segment {
                cells += [field(s.id), field(s.speaker), number(s.start), number(s.end)]
            }
            cells += r.features.values.map { $0.isFinite ? number($0) : "" }
            out += cells.joined(separator: ",") + "\n"
        }
        return out
    }

    static func json(_ rows: [FeatureRow], set: String) -> String {
        var items: [String] = []
        for r in rows {
            var parts = ["\"file\":\(quoted(r.file))"]
            if let s = r.segment {
                parts += [
                    "\"segment\":\(quoted(s.id))", "\"speaker\":\(quoted(s.speaker))",
                    "\"start\":\(number(s.start))", "\"end\":\(number(s.end))",
                ]
            }
            parts.append("\"duration\":\(number(r.features.duration))")
            let values = zip(r.features.names, r.features.values).map { "\(quoted($0)):\(number($1))" }
            parts.append("\"features\":{\(values.joined(separator: ","))}")
            items.append("{" + parts.joined(separator: ",") + "}")
        }
        return "{\"set\":\(quoted(set == "egemaps" ? "eGeMAPSv02" : set)),\"rows\":[\n" + items.joined(separator: ",\n") + "\n]}\n"
    }

    static func number(_ v: Double) -> String {
        guard v.isFinite else { return "null" }
        return String(format: "%.9g", v)
    }

    static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func quoted(_ s: String) -> String {
        var out = ""
        appendJSONString(s, into: &out)
        return out
    }
}
