import Foundation

/// The result of `candor audit verify --all`.
public struct WorkspaceVerification: Sendable {
    public var sessionsChecked = 0
    public var failures: [String] = []
    public var notes: [String] = []
    public var isIntact: Bool { failures.isEmpty }
}

extension AuditWorkspace {
    /// Verifies the heads log, every session it names and every session in the store, and
    /// compares each of them with the witnesses.
    public func verifyAll(witnesses: [WitnessEndpoint], requireWitness: Bool = false) throws -> WorkspaceVerification {
        var v = WorkspaceVerification()
        let logKey = try keys.logVerifierKey()
        // 1. The heads log itself.
        let (headRecords, headCP) = try store.withReadSnapshot { (try store.records(.heads), try store.latestCheckpoint(.heads)) }
        var heads: [SessionRef: SessionHead] = [:]
        let stored = try store.sessions()
        if headRecords.isEmpty && headCP == nil {
            if !stored.isEmpty {
                v.failures.append(
                    "the workspace heads log is missing (run `candor witness sync` once on a workspace created before it existed)")
            }
        } else {
            do {
                guard let cp = headCP else { throw AuditError("it has no signed checkpoint") }
                let parsed = try openCheckpoint(cp.note).0
                let origin = Self.headsOrigin(logKeyName: logKey.name)
                guard parsed.origin == origin else { throw AuditError("its checkpoint origin \(parsed.origin) is not \(origin)") }
                let leaves = headRecords.map { Merkle.leafHash($0.bytes) }
                guard parsed.size == headRecords.count, parsed.root == Merkle.root(leaves) else {
                    throw AuditError("its \(headRecords.count) record(s) do not match its signed checkpoint of size \(parsed.size)")
                }
                for (i, r) in headRecords.enumerated() {
                    guard r.seq == i else { throw AuditError("record \(i) is missing") }
                    let h = try Self.parseHead(r.bytes, seq: i)
                    heads[h.session] = h
                }
            } catch {
                v.failures.append("workspace heads log: \(error)")
            }
        }
        let hw = try checkWithWitnesses(.heads, witnesses: witnesses, requireWitness: requireWitness)
        v.failures += hw.failures.map { "heads log: \($0)" }
        v.notes += hw.notes
        // 2. Every session, named by the heads log or present in the store.
        var all = Set(stored)
        all.formUnion(heads.keys)
        for s in all.sorted(by: { ($0.caseID, $0.sessionID) < ($1.caseID, $1.sessionID) }) {
            v.sessionsChecked += 1
            let recs = try store.records(s)
            if recs.isEmpty {
                let h = heads[s].map { " (size \($0.size))" } ?? ""
                v.failures.append("\(s): in the workspace heads log\(h) but missing from the store (session deleted)")
            } else {
                let report = LogVerifier.verify(try contents(s), expected: s)
                if let f = report.failure { v.failures.append("\(s): \(f)") }
                if let h = heads[s] {
                    let leaves = recs.map { Merkle.leafHash($0.bytes) }
                    if leaves.count < h.size {
                        v.failures.append(
                            "\(s): the heads log records size \(h.size) but the store has \(leaves.count) record(s) (truncated)")
                    } else if Merkle.root(leaves[0..<h.size]) != h.root {
                        v.failures.append("\(s): inconsistent with its head of size \(h.size) in the workspace heads log")
                    }
                } else if report.isIntact {
                    v.failures.append("\(s): not recorded in the workspace heads log")
                }
            }
            let w = try checkWithWitnesses(s, witnesses: witnesses, requireWitness: requireWitness)
            v.failures += w.failures.map { "\(s): \($0)" }
            v.notes += w.notes
        }
        return v
    }
}
