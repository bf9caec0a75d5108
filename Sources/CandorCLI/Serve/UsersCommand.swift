#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import ArgumentParser
import CandorServer
import Foundation

/// `candor users …`: the service's accounts (WORKSPACE/server/accounts.json).
public struct UsersCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Manage the accounts of `candor serve`.",
        subcommands: [UsersAdd.self, UsersList.self, UsersDisable.self, UsersEnable.self])
    public init() {}
}

func accountStore(_ global: GlobalOptions) -> AccountStore { AccountStore(workspace: global.workspacePath) }

/// Runs an account operation, mapping `AccountError` to its exit status.
func accounting<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as AccountError { throw CLIError(code: e.exitStatus.rawValue, e.message) }
}

struct UsersAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract:
            "Add an account; the password is read from standard input (first line; at least 8 characters) and stored as a bcrypt hash.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "User name (1-128 of A-Z a-z 0-9 . _ -).") var name: String
    @Option(name: .long, help: "investigator, supervisor, researcher or admin.") var role: String

    func run() throws {
        guard let r = Role(rawValue: role) else {
            throw CLIError(code: ExitCodes.usage, "--role must be investigator, supervisor, researcher or admin")
        }
        let password: String
        if isatty(0) == 1, let p = getpass("Password for \(name): ") {
            password = String(cString: p)
        } else {
            password = readLine(strippingNewline: true) ?? ""
        }
        try accounting { try accountStore(global).add(name: name, role: r, password: password) }
        if !global.quiet { print("user \(name) (\(r.rawValue)) added") }
    }
}

struct UsersList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Print the accounts: name, role, state, assigned cases.")
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let store = accountStore(global)
        let assignments = try accounting { try store.assignments() }
        for a in try accounting({ try store.accounts() }) {
            let cases = assignments.filter { $0.value.contains(a.name) }.keys.sorted()
            print("\(a.name)\t\(a.role.rawValue)\t\(a.disabled ? "disabled" : "active")\t\(cases.joined(separator: ","))")
        }
    }
}

struct UsersDisable: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable", abstract: "Disable an account: its sign-ins and open sessions are refused from the next request on.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "User name.") var name: String

    func run() throws {
        try accounting { try accountStore(global).setDisabled(name, true) }
        if !global.quiet { print("user \(name) disabled") }
    }
}

struct UsersEnable: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enable a disabled account again.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "User name.") var name: String

    func run() throws {
        try accounting { try accountStore(global).setDisabled(name, false) }
        if !global.quiet { print("user \(name) enabled") }
    }
}
