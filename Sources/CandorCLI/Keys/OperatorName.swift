import ArgumentParser
import CandorAudit
import Foundation

/// An operator name is also its key's name in signed notes and a file name: refuse others as a
/// usage error (exit 2) with an example.
func validateOperatorName(_ name: String) throws {
    guard AuditRecord.isValidIdentifier(name) else {
        let words = name.lowercased().split(whereSeparator: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-")) })
        let example = words.joined(separator: ".")
        let hint = AuditRecord.isValidIdentifier(example) ? ", e.g. \"\(example)\"" : ""
        throw ValidationError(
            "--operator \"\(name.prefix(140))\" is not a valid operator name: use 1-128 of A-Z a-z 0-9 . _ - (no spaces)\(hint)")
    }
}
