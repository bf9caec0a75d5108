import ArgumentParser
import CandorAudit
import Foundation

/// `candor audit list`: the cases and sessions of the workspace's logs, for a supervisor.
struct AuditList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the cases and sessions that have an audit log, with their record counts (read-only; not logged).")
    @OptionGroup var global: GlobalOptions
    @Flag(name: .long, help: "Print JSON: [{case, session, records, checkpoint_size}].") var json = false

    func run() throws {
        let ws = try openAudit(global.workspacePath, readOnly: true)
        let sessions = try auditing { try ws.store.sessions() }.sorted { ($0.caseID, $0.sessionID) < ($1.caseID, $1.sessionID) }
        var rows: [[String: Any]] = []
        for s in sessions {
            let records = try auditing { try ws.store.records(s) }.count
            let size = (try? ws.store.latestCheckpoint(s))??.size
            rows.append([
                "case": s.caseID, "session": s.sessionID, "records": records, "checkpoint_size": size.map { $0 as Any } ?? NSNull(),
            ])
        }
        if json {
            try printJSON(rows)
            return
        }
        if rows.isEmpty {
            print("no audit logs in \(global.workspacePath)")
            return
        }
        for r in rows {
            let size = (r["checkpoint_size"] as? Int).map { "checkpoint at \($0)" } ?? "no checkpoint"
            print("case \(r["case"]!)  session \(r["session"]!)  \(r["records"]!) records, \(size)")
        }
    }
}
