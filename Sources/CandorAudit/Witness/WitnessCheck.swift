import Foundation

/// What comparing a log with one witness's latest cosigned checkpoint found.
public enum WitnessVerdict: Sendable, Equatable {
    /// The witness's latest cosigned tree is a prefix of (or equal to) the log.
    case consistent(witnessSize: Int)
    /// The witness has never cosigned this log.
    case unknown
    case unreachable(String)
    /// The log is smaller than, or inconsistent with, what the witness cosigned.
    case failed(String)
}

extension AuditWorkspace {
    /// Asks witness `w` for its latest cosigned checkpoint of `origin` and compares it with the
    /// checkpointed leaves of the log.
    public static func compare(
        origin: String, leaves: [Merkle.Hash], with w: WitnessEndpoint,
        transport: any WitnessTransport
    ) -> WitnessVerdict {
        let r: WitnessResponse
        do { r = try transport.get(w.checkpointURL(origin: origin), trustRoots: w.trustRoots) } catch { return .unreachable("\(error)") }
        if r.status == 404 { return .unknown }
        guard r.status == 200 else { return .unreachable("HTTP \(r.status): \(r.text.prefix(200))") }
        let cp: Checkpoint
        do {
            guard try SignedNote.cosignatureTime(r.text, key: w.key) != nil else {
                return .failed("witness \(w.key.name) answered with a checkpoint it did not cosign")
            }
            cp = try Checkpoint(parsingBody: try SignedNote.split(r.text).body)
        } catch { return .failed("witness \(w.key.name) answered with an invalid checkpoint (\(error))") }
        guard cp.origin == origin else { return .failed("witness \(w.key.name) answered for another log (\(cp.origin))") }
        if cp.size > leaves.count {
            return .failed(
                "witness \(w.key.name) cosigned size \(cp.size) of \(origin) but the log has \(leaves.count) record(s): records were removed or an older copy restored"
            )
        }
        if Merkle.root(leaves[0..<cp.size]) != cp.root {
            return .failed(
                "the log is inconsistent with the checkpoint of size \(cp.size) that witness \(w.key.name) cosigned for \(origin): records were altered or replaced"
            )
        }
        return .consistent(witnessSize: cp.size)
    }

    /// Witness comparison of one log (session or heads): failures and notes, one line each.
    public func checkWithWitnesses(
        _ s: SessionRef, witnesses: [WitnessEndpoint], requireWitness: Bool
    ) throws -> (failures: [String], notes: [String]) {
        guard !witnesses.isEmpty else { return ([], []) }
        guard let transport = witnessTransport else { return ([], ["witnesses not consulted (no transport)"]) }
        let logKey = try keys.logVerifierKey()
        let origin = origin(s, logKeyName: logKey.name)
        let (leaves, latest) = try store.withReadSnapshot {
            (try store.records(s).map { Merkle.leafHash($0.bytes) }, try store.latestCheckpoint(s))
        }
        let covered = Array(leaves.prefix(latest?.size ?? 0))
        var failures: [String] = [], notes: [String] = []
        for w in witnesses {
            switch Self.compare(origin: origin, leaves: covered, with: w, transport: transport) {
            case .consistent(let n):
                if n < covered.count {
                    notes.append(
                        "witness \(w.key.name) has cosigned \(origin) up to size \(n) of \(covered.count) (later checkpoints unwitnessed)")
                } else {
                    notes.append("witness \(w.key.name) cosigned size \(n) of \(origin)")
                }
            case .unknown:
                if covered.isEmpty { continue }
                let msg = "witness \(w.key.name) has never cosigned \(origin) (unwitnessed)"
                if requireWitness { failures.append(msg) } else { notes.append(msg) }
            case .unreachable(let why):
                let msg = "witness \(w.key.name) (\(w.url)) unreachable, not compared (\(why))"
                if requireWitness { failures.append(msg) } else { notes.append(msg) }
            case .failed(let why):
                failures.append(why)
            }
        }
        return (failures, notes)
    }
}
