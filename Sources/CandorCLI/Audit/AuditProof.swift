import ArgumentParser
import Candor
import CandorAudit
import Foundation

struct AuditProof: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proof",
        abstract: "Print an RFC 6962 inclusion proof (--seq) or consistency proof (--from-size) against the latest checkpoint.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var session: SessionOptions
    @Option(name: .long, help: "Record whose inclusion to prove.") var seq: Int?
    @Option(name: .customLong("from-size"), help: "Earlier tree size whose checkpoint to prove consistent.") var fromSize: Int?

    func validate() throws {
        if (seq == nil) == (fromSize == nil) { throw ValidationError("give --seq or --from-size") }
    }

    func run() throws {
        let ws = try openAudit(global.workspacePath)
        let s = try session.ref
        if let seq {
            let p = try auditing { try ws.inclusionProof(s, seq: seq) }
            print("inclusion of seq \(p.seq) in tree size \(p.size)")
            print("leaf_hash \(Hex.encode(p.leafHash))")
            print("root \(Hex.encode(p.root))")
            for h in p.proof { print("path \(Hex.encode(h))") }
            print("checkpoint:")
            print(p.checkpoint, terminator: "")
        } else if let fromSize {
            let (old, new, proof) = try auditing { try ws.consistencyProof(s, oldSize: fromSize) }
            print("earlier checkpoint:")
            print(old, terminator: "")
            print("latest checkpoint:")
            print(new, terminator: "")
            for h in proof { print("proof \(Hex.encode(h))") }
        }
    }
}
