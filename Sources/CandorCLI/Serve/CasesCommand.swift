import ArgumentParser
import CandorServer

/// `candor cases …`: which investigators work on which case.
public struct CasesCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "cases", abstract: "Assign cases to investigators (for `candor serve`).", subcommands: [CasesAssign.self])
    public init() {}
}

struct CasesAssign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign", abstract: "Let an investigator see and upload to a case.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Case id.") var caseID: String
    @Argument(help: "Investigator's user name.") var name: String

    func run() throws {
        try accounting { try accountStore(global).assign(caseID: caseID, to: name) }
        if !global.quiet { print("case \(caseID) assigned to \(name)") }
    }
}
