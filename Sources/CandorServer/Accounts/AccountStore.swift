#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import CandorAudit
import Foundation
import HummingbirdBcrypt

/// The service's accounts and case assignments, kept in `WORKSPACE/server/accounts.json`
/// (mode 0600). Every change takes an exclusive lock on `accounts.lock`, reads the file,
/// changes it and replaces it atomically; every read reads the file again, so a user disabled
/// with `candor users disable` is refused at the server's next request.
public final class AccountStore: Sendable {
    public let directory: String
    /// bcrypt cost (work factor 2^cost).
    public let cost: UInt8

    public var path: String { directory + "/accounts.json" }

    public init(workspace: String, cost: UInt8 = 12) {
        directory = (workspace as NSString).appendingPathComponent("server")
        self.cost = cost
    }

    // MARK: - Reading

    func load() throws -> AccountsFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            if FileManager.default.fileExists(atPath: path) { throw AccountError("\(path): cannot read the accounts file") }
            return AccountsFile()
        }
        do { return try JSONDecoder().decode(AccountsFile.self, from: data) } catch {
            throw AccountError("\(path): not a valid accounts file (\(error))", exitStatus: .invalidInput)
        }
    }

    public func accounts() throws -> [Account] { try load().accounts.sorted { $0.name < $1.name } }

    public func account(_ name: String) throws -> Account? { try load().accounts.first { $0.name == name } }

    /// Cases the account is assigned to (investigators).
    public func assignedCases(_ name: String) throws -> Set<String> {
        Set(try load().assignments.compactMap { $0.value.contains(name) ? $0.key : nil })
    }

    public func assignments() throws -> [String: [String]] { try load().assignments }

    /// Checks a password against the account's bcrypt hash. Unknown or disabled accounts are
    /// checked against a fixed hash too, so the time taken does not tell which names exist.
    public func authenticate(_ name: String, password: String) throws -> Account? {
        let account = try self.account(name)
        let hash = account?.passwordHash ?? Self.decoyHash
        let ok = Bcrypt.verify(password, hash: hash)
        guard ok, let account, !account.disabled else { return nil }
        return account
    }

    /// A bcrypt hash of a random password nobody knows (cost 12).
    static let decoyHash = Bcrypt.hash(Tokens.randomToken(), cost: 12)

    // MARK: - Changing

    /// Adds an account; names follow the audit log's identifier rule (they sign records).
    public func add(name: String, role: Role, password: String) throws {
        guard AuditRecord.isValidIdentifier(name) else {
            throw AccountError("user name \"\(name)\": use 1-128 of A-Z a-z 0-9 . _ - (not starting with . or -)", exitStatus: .usage)
        }
        guard password.count >= 8 else { throw AccountError("the password must have at least 8 characters", exitStatus: .usage) }
        let hash = Bcrypt.hash(password, cost: cost)
        try modify { file in
            guard !file.accounts.contains(where: { $0.name == name }) else { throw AccountError("user \(name) already exists") }
            file.accounts.append(Account(name: name, role: role, passwordHash: hash, created: AuditRecord.timestamp()))
        }
    }

    public func setDisabled(_ name: String, _ disabled: Bool) throws {
        try modify { file in
            guard let k = file.accounts.firstIndex(where: { $0.name == name }) else { throw AccountError("no user \(name)") }
            file.accounts[k].disabled = disabled
        }
    }

    /// Assigns a case to an investigator.
    public func assign(caseID: String, to name: String) throws {
        guard AuditRecord.isValidIdentifier(caseID) else {
            throw AccountError("case id \"\(caseID)\": use 1-128 of A-Z a-z 0-9 . _ - (not starting with . or -)", exitStatus: .usage)
        }
        try modify { file in
            guard let a = file.accounts.first(where: { $0.name == name }) else { throw AccountError("no user \(name)") }
            guard a.role == .investigator else {
                throw AccountError("\(name) is a \(a.role.rawValue): only investigators are assigned cases (supervisors see every case)")
            }
            var names = file.assignments[caseID] ?? []
            if !names.contains(name) { names.append(name) }
            file.assignments[caseID] = names.sorted()
        }
    }

    func modify(_ change: (inout AccountsFile) throws -> Void) throws {
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        let lock = open(directory + "/accounts.lock", O_CREAT | O_RDWR, 0o600)
        guard lock >= 0 else { throw AccountError("\(directory)/accounts.lock: cannot open (\(String(cString: strerror(errno))))") }
        defer { close(lock) }
        guard flock(lock, LOCK_EX) == 0 else { throw AccountError("\(directory)/accounts.lock: cannot lock") }
        var file = try load()
        try change(&file)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(file)
        let tmp = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: tmp, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw AccountError("\(tmp): cannot write")
        }
        guard rename(tmp, path) == 0 else {
            unlink(tmp)
            throw AccountError("\(path): cannot replace (\(String(cString: strerror(errno))))")
        }
    }
}
