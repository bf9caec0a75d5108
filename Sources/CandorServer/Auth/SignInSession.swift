/// A signed-in session: whose it is, how it was made (API bearer token or browser cookie),
/// its CSRF token (browser sessions) and when it expires.
public struct SignInSession: Sendable {
    public enum Kind: String, Sendable { case bearer, cookie }
    public var id: String
    public var user: String
    public var kind: Kind
    public var csrf: String
    public var expires: Double
}
