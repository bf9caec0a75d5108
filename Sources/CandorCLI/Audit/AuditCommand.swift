import ArgumentParser
import Candor
import CandorAudit
import Foundation

public struct AuditCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify, export, read, review and repair session audit logs.",
        discussion: "Exit codes: 0 intact/success, 1 other failure, 2 usage, 3 unreadable input, 4 audit verification failed.",
        subcommands: [
            AuditList.self, AuditVerify.self, AuditExport.self, AuditShow.self, ReviewCommand.self, AuditRepair.self, AuditProof.self,
        ])
    public init() {}
}
