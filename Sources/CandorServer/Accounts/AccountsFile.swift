/// The accounts file's content: the accounts and which investigators each case is assigned to.
struct AccountsFile: Codable, Sendable {
    var schema = "candor.accounts/1"
    var accounts: [Account] = []
    /// Case id → names of the investigators assigned to it.
    var assignments: [String: [String]] = [:]
}
