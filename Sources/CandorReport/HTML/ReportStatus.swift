/// What the report must say before anything else: a failed verification, supervisors'
/// decisions that void or change the results, and a log that was not pinned or not given.
struct ReportStatus {
    /// A supervisor's "disregard" or "override" review.
    struct Decision {
        var kind: String
        var reviewer: String
        var time: String
        var note: String
        var override: String?
    }

    var failure: String?
    var decisions: [Decision] = []
    var unpinned = false
    var noAudit = false

    /// True when a supervisor disregarded the analysis: its flags are struck through.
    var flagsVoid: Bool { decisions.contains { $0.kind == "disregard" } }

    init(audit: AuditStatus?) {
        guard let audit else {
            noAudit = true
            return
        }
        if case .failed(let why) = audit.verification { failure = why }
        unpinned = audit.unpinned
        for e in audit.entries where e.type == "review" {
            func field(_ k: String) -> String? { e.fields.first { $0.0 == k }?.1 }
            let kind = field("kind") ?? ""
            guard kind == "disregard" || kind == "override" else { continue }
            decisions.append(
                Decision(kind: kind, reviewer: e.operatorName, time: e.time, note: field("note") ?? "", override: field("override")))
        }
    }
}
