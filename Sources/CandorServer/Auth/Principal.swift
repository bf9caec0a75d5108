/// The authenticated user of a request.
public struct Principal: Sendable {
    public var account: Account
    public var session: SignInSession
    public var name: String { account.name }
    public var role: Role { account.role }
}
