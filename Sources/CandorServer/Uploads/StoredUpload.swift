/// A recording received and kept: where, its SHA-256 and size, and its format (file extension).
public struct StoredUpload: Sendable {
    public var path: String
    public var sha256: String
    public var bytes: Int
    public var format: String
}
