import Candor
import CandorAudit
import Foundation

// What outputs must not overwrite: the recordings logged as evidence in a workspace.

/// Paths and SHA-256 of every recording logged (evidence_ingested) in the workspace's
/// session logs. Only called when the command already uses the workspace.
func loggedEvidence(workspace: String, storeURL: String? = nil) throws -> (paths: [String], sha256: Set<String>) {
    let ws = try openAudit(workspace, storeURL: storeURL)
    var paths: [String] = []
    var hashes = Set<String>()
    try auditing {
        for s in try ws.store.sessions() {
            for r in try ws.store.records(s) {
                guard let o = try? CanonicalJSON.parse(r.bytes), o["type"]?.stringValue == RecordType.evidenceIngested.rawValue else {
                    continue
                }
                if let p = o["path"]?.stringValue { paths.append(p) }
                if let h = o["sha256"]?.stringValue { hashes.insert(h) }
            }
        }
    }
    return (paths, hashes)
}

/// The protection for an output of a command reading `inputs`, and, when it records into or
/// reads from a workspace, the recordings logged there.
func outputProtection(inputs: [String], workspace: String? = nil, storeURL: String? = nil, force: Bool) throws -> OutputProtection {
    var p = OutputProtection(inputs: inputs.filter { $0 != "-" }, force: force)
    var isDir: ObjCBool = false
    if let workspace, !force, FileManager.default.fileExists(atPath: workspace, isDirectory: &isDir), isDir.boolValue {
        let e = try loggedEvidence(workspace: workspace, storeURL: storeURL)
        p.evidencePaths = e.paths
        p.evidenceSHA256 = e.sha256
    }
    return p
}

/// Fails (exit 1) before anything is logged when an output's folder cannot take the file.
func checkOutputFolder(_ path: String) throws {
    guard path != "-" else { return }
    let dir = (path as NSString).deletingLastPathComponent
    let folder = dir.isEmpty ? "." : dir
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue,
        FileManager.default.isWritableFile(atPath: folder)
    else {
        throw CLIError(code: ExitCodes.failure, "\(path): the folder \(folder) does not exist or is not writable")
    }
}
