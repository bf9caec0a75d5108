/// One user of the service. The password is kept only as a bcrypt hash.
public struct Account: Sendable, Codable, Equatable {
    public var name: String
    public var role: Role
    public var passwordHash: String
    public var disabled: Bool
    public var created: String

    enum CodingKeys: String, CodingKey {
        case name, role, disabled, created
        case passwordHash = "password_hash"
    }

    public init(name: String, role: Role, passwordHash: String, disabled: Bool = false, created: String) {
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.disabled = disabled
        self.created = created
    }
}
