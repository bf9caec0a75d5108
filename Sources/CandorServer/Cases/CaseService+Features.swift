#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import CandorAudit
import CandorReport
import Crypto
import Foundation

extension CaseService {
    /// Speaker roles kept in the de-identified table; any other role text (it could be a name) becomes "other".
    static let knownRoles: Set<String> = ["interviewer", "interviewee", "witness", "suspect", "interpreter", "other"]

    /// The de-identified feature table for researchers (CSV): one row per channel (whole-recording
    /// measures) and per segment of every analysed session, keyed by a pseudonym (HMAC-SHA256 of case and session under the
    /// workspace's pseudonym key, 16 hex digits), with the segment's role, times and numeric
    /// features only: no case or session ids, no labels, no speaker names, no audio, no scores.
    /// Each session read is logged (`accessed`, naming the researcher) before the table is sent.
    public func features(_ p: Principal, client: String) async throws -> String {
        guard p.role == .researcher || p.role == .supervisor else {
            logger.warning(
                "refused", metadata: ["user": "\(p.name)", "role": "\(p.role.rawValue)", "action": "features", "client": "\(client)"])
            throw ServerError.forbidden("\(p.name) (\(p.role.rawValue)) may not read the de-identified feature table")
        }
        let keyBytes = try pseudonymKey()
        let docs: [(String, [UInt8])] = try await AuditIO.run {
            let ws = try self.openWorkspace()
            let key = SymmetricKey(data: keyBytes)
            var out: [(String, [UInt8])] = []
            for s in try ws.store.sessions().sorted(by: { ($0.caseID, $0.sessionID) < ($1.caseID, $1.sessionID) }) {
                guard let bytes = try? self.latestAnalysis(ws, s) else { continue }
                try self.recordAccess(ws, s, p, what: "de-identified features (candor serve)", client: client)
                let mac = HMAC<SHA256>.authenticationCode(for: Array("\(s.caseID)\n\(s.sessionID)".utf8), using: key)
                out.append((mac.prefix(8).map { String(format: "%02x", $0) }.joined(), bytes))
            }
            return out
        }
        var names: [String] = []
        var rows: [[String: String]] = []
        func add(_ row: [String: String], _ features: [NamedValue]) {
            var row = row
            for f in features {
                guard let v = f.value, v.isFinite else { continue }
                if !names.contains(f.name) { names.append(f.name) }
                row[f.name] = String(format: "%.6g", v)
            }
            rows.append(row)
        }
        func role(_ r: String) -> String { Self.knownRoles.contains(r) ? r : "other" }
        for (pseudonym, bytes) in docs.sorted(by: { $0.0 < $1.0 }) {
            guard let a = try? AnalysisData.parse(bytes) else { continue }
            for c in a.channels {
                var features = (c.pitchSummary ?? []) + (c.voice ?? []) + (c.timing?.measures ?? [])
                if let m = c.intensityMean { features.append(NamedValue(name: "intensity_mean_db", value: m)) }
                add(
                    [
                        "session": pseudonym, "unit": "channel", "index": String(c.index), "role": role(c.role), "start_s": "0",
                        "end_s": a.duration.map { String(format: "%.3f", $0) } ?? "",
                    ], features)
            }
            for (k, seg) in (a.segments ?? []).enumerated() {
                add(
                    [
                        "session": pseudonym, "unit": "segment", "index": String(k), "role": role(seg.role),
                        "start_s": String(format: "%.3f", seg.start), "end_s": String(format: "%.3f", seg.end),
                    ], seg.features)
            }
        }
        let header = ["session", "unit", "index", "role", "start_s", "end_s"] + names
        var csv = header.map(CSVWriter.field).joined(separator: ",") + "\n"
        for r in rows { csv += header.map { CSVWriter.field(r[$0] ?? "") }.joined(separator: ",") + "\n" }
        return csv
    }

    /// The workspace's pseudonym key (32 random bytes in server/pseudonym.key, 0600), created on first use.
    func pseudonymKey() throws -> [UInt8] {
        let path = accounts.directory + "/pseudonym.key"
        if let d = FileManager.default.contents(atPath: path), d.count == 32 { return [UInt8](d) }
        try FileManager.default.createDirectory(
            atPath: accounts.directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var g = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &g) }
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW, 0o600)
        if fd >= 0 {
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress!, 32) }
            close(fd)
        }
        // Another request may have created it first: use whatever is on disk.
        guard let d = FileManager.default.contents(atPath: path), d.count == 32 else {
            throw ServerError(.internalServerError, "cannot create the pseudonym key \(path)")
        }
        return [UInt8](d)
    }
}
