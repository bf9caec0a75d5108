import Foundation

/// What happened when a checkpoint was submitted to one witness.
public enum WitnessOutcome: Sendable, Equatable {
    /// The witness cosigned the checkpoint of this size (the cosignature is stored with it).
    case cosigned(size: Int)
    /// The witness could not be reached: the checkpoint stays unwitnessed until a later submission.
    case unreachable(String)
    /// The witness has cosigned a larger tree for this log than the store holds: the log was
    /// truncated or rolled back.
    case ahead(witnessSize: Int, logSize: Int)
    /// The witness refused (inconsistent tree, unknown log, bad signature…).
    case rejected(status: Int, message: String)
}

extension AuditWorkspace {
    /// Submits the latest checkpoint of `s` (a session or the heads log) to every configured
    /// witness and stores the cosignatures in the checkpoint note. Never throws for a witness
    /// problem: the outcome says what happened, and an unwitnessed checkpoint is retried by
    /// the next submission (the next append, `candor witness sync`).
    /// With `force`, a checkpoint already cosigned is submitted again, which tells whether the
    /// witness has since seen a larger tree.
    @discardableResult
    public func submitToWitnesses(_ s: SessionRef, force: Bool = false) throws -> [(WitnessEndpoint, WitnessOutcome)] {
        let endpoints = try keys.witnesses()
        guard !endpoints.isEmpty, let transport = witnessTransport else { return [] }
        let (leaves, latest) = try store.withReadSnapshot {
            (try store.records(s).map { Merkle.leafHash($0.bytes) }, try store.latestCheckpoint(s))
        }
        guard let cp = latest, cp.size <= leaves.count else { return [] }
        var out: [(WitnessEndpoint, WitnessOutcome)] = []
        for w in endpoints {
            let already: UInt64? = (try? SignedNote.cosignatureTime(cp.note, key: w.key)) ?? nil
            if already != nil && !force { out.append((w, .cosigned(size: cp.size))); continue }
            // The witness's size is most likely that of a recent checkpoint it cosigned; a wrong
            // guess costs one 409 answer, which carries the right size.
            var hint = 0
            for k in stride(from: cp.size - 1, through: max(1, cp.size - 8), by: -1) {
                if let n = try store.checkpoint(s, size: k), ((try? SignedNote.cosignatureTime(n, key: w.key)) ?? nil) != nil {
                    hint = k; break
                }
            }
            let outcome = submit(cp.note, size: cp.size, leaves: Array(leaves[0..<cp.size]), to: w, transport: transport, old: hint) {
                lines in
                guard already == nil else { return }  // one cosignature per witness is kept
                try store.withSessionLock(s) {
                    guard let current = try store.checkpoint(s, size: cp.size) else { return }
                    try store.insertCheckpoint(s, size: cp.size, note: try SignedNote.appending(lines, to: current))
                }
            }
            out.append((w, outcome))
        }
        return out
    }

    private func submit(
        _ note: String, size: Int, leaves: [Merkle.Hash], to w: WitnessEndpoint, transport: any WitnessTransport,
        old start: Int, store save: ([String]) throws -> Void
    ) -> WitnessOutcome {
        var old = start
        for _ in 0..<2 {
            let proof = Merkle.consistencyProof(oldSize: old, leaves: leaves) ?? []
            let response: WitnessResponse
            do {
                response = try transport.post(
                    w.addCheckpointURL, body: AddCheckpointRequest(oldSize: old, proof: proof, checkpoint: note).encoded,
                    contentType: "text/plain; charset=utf-8", trustRoots: w.trustRoots)
            } catch {
                return .unreachable("\(error)")
            }
            switch response.status {
            case 200:
                do {
                    let lines = response.text.split(separator: "\n").map(String.init)
                    let cosigned = try SignedNote.appending(lines, to: note)
                    guard try SignedNote.cosignatureTime(cosigned, key: w.key) != nil else {
                        return .rejected(status: 200, message: "the response carries no cosignature by \(w.key.name)")
                    }
                    try save(lines.filter { (try? w.key.verify(line: $0, body: (try? SignedNote.split(note).body) ?? "")) != nil })
                    return .cosigned(size: size)
                } catch { return .rejected(status: 200, message: "\(error)") }
            case 409:
                let t = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
                guard let known = Int(t), known >= 0 else { return .rejected(status: 409, message: "conflict: \(t.prefix(200))") }
                if known > size { return .ahead(witnessSize: known, logSize: size) }
                if known == old { return .rejected(status: 409, message: "the witness holds a different tree of size \(known)") }
                old = known
            default:
                return .rejected(
                    status: response.status, message: response.text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(300).description)
            }
        }
        return .rejected(status: 409, message: "the witness's size kept changing")
    }

    /// Submits the latest checkpoint of every session and of the heads log (after recording
    /// any missing heads): `candor witness sync`.
    public func syncWitnesses() throws -> [(SessionRef, WitnessEndpoint, WitnessOutcome)] {
        try recordAllHeads()
        var out: [(SessionRef, WitnessEndpoint, WitnessOutcome)] = []
        for s in try store.sessions() + [.heads] {
            if let line = timestampLatest(s) { onNotice?("audit: " + line) }
            for (w, o) in try submitToWitnesses(s, force: true) { out.append((s, w, o)) }
        }
        return out
    }

    /// One line for a witness outcome that needs attention (nil when the witness cosigned).
    public static func describe(_ s: SessionRef, _ w: WitnessEndpoint, _ o: WitnessOutcome) -> String? {
        let what = s.isHeadsLog ? "the workspace heads log" : "\(s)"
        switch o {
        case .cosigned: return nil
        case .unreachable(let why):
            return
                "witness \(w.key.name) (\(w.url)) unreachable (\(why)): the checkpoint of \(what) is unwitnessed; it is resubmitted on the next append or `candor witness sync`"
        case .ahead(let ws, let ls):
            return
                "witness \(w.key.name) has cosigned size \(ws) of \(what) but the store holds \(ls): the log was truncated or rolled back"
        case .rejected(let status, let msg):
            return "witness \(w.key.name) refused the checkpoint of \(what) (HTTP \(status): \(msg))"
        }
    }
}
