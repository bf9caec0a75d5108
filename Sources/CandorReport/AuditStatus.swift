import CandorJSON

/// The audit state of a session as the report shows it. Built by the caller (the CLI reads
/// the session log and runs the verifier); this module only parses the record lines.
public struct AuditStatus: Sendable {
    public enum Verification: Sendable {
        /// The log verified: tree size and root (hex).
        case intact(size: Int, root: String)
        /// The verifier's one-line failure (first failing seq and kind).
        case failed(String)
        /// Not verified, and why.
        case notPerformed(String)
    }

    public struct Entry: Sendable {
        public var seq: Int?
        public var time: String
        public var type: String
        public var operatorName: String
        /// A one-line summary of the type-specific fields.
        public var details: String
        /// Type-specific fields as text, for the full listing.
        public var fields: [(String, String)]
    }

    /// Where the log came from, e.g. "workspace ./ws, case C1, session S1" or a bundle path.
    public var source: String
    public var checkpoint: String?
    public var verification: Verification
    public var entries: [Entry]
    /// Records `candor audit repair` set aside (not part of the verified log); nil when unknown
    /// (a bundle), empty when there are none.
    public var quarantined: [Entry]?
    /// True when the log was checked only against keys it carries itself (a bundle verified
    /// without `--trust`): the report says so in its status banner.
    public var unpinned = false

    public init(source: String, checkpoint: String?, verification: Verification, entries: [Entry]) {
        self.source = source
        self.checkpoint = checkpoint
        self.verification = verification
        self.entries = entries
    }

    /// Parses record lines (canonical JSON objects, one per record). Lines that do not parse
    /// are listed as "unreadable record" rather than dropped.
    public static func parse(recordLines: [[UInt8]], checkpoint: String?, verification: Verification, source: String) -> AuditStatus {
        let envelope: Set<String> = ["case", "session", "seq", "prev", "time", "type", "operator", "operator_key", "sig"]
        let entries: [Entry] = recordLines.enumerated().map { i, line in
            guard let obj = try? JSONReader.parse(line), let fields = obj.fields else {
                return Entry(seq: i, time: "", type: "unreadable record", operatorName: "", details: "", fields: [])
            }
            var texts: [(String, String)] = []
            for (k, v) in fields where !envelope.contains(k) { texts.append((k, text(v))) }
            texts.sort { $0.0 < $1.0 }
            let type = obj["type"]?.string ?? "?"
            func f(_ k: String) -> String { obj[k].map(text) ?? "" }
            let details: String
            switch type {
            case "accessed": details = "\(f("action")) \(f("what"))"
            case "evidence_ingested": details = "\(f("path")) (\(f("bytes")) bytes, sha256 \(f("sha256").prefix(16))…)"
            case "analysis_completed":
                details =
                    "input \(f("input_sha256").prefix(16))… → output \(f("output_sha256").prefix(16))…, candor \(f("software_version"))"
            case "review":
                let o = obj["override"]?.string.map { ", override: \($0)" } ?? ""
                details = "\(f("kind")) on seq \(f("concerns_seq")): \(f("note"))\(o)"
            case "key_rotated": details = "operator key rotated"
            default: details = texts.map { "\($0.0)=\($0.1)" }.joined(separator: ", ")
            }
            return Entry(
                seq: obj["seq"]?.int, time: obj["time"]?.string ?? "", type: type,
                operatorName: obj["operator"]?.string ?? "", details: details, fields: texts)
        }
        return AuditStatus(source: source, checkpoint: checkpoint, verification: verification, entries: entries)
    }

    static func text(_ v: JSONNode) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let d): return formatValue(d, digits: 6)
        case .string(let s): return s
        case .array(let items): return "[" + items.map(text).joined(separator: ", ") + "]"
        case .pairs(let a, let b):
            return "[" + zip(a, b).map { "[\(formatValue($0.0)), \(formatValue($0.1))]" }.joined(separator: ", ") + "]"
        case .object(let fields): return "{" + fields.map { "\($0.0): \(text($0.1))" }.joined(separator: ", ") + "}"
        case .columns(let c): return "[\(c.count) columns]"
        }
    }
}
