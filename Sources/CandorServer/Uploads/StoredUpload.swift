/// An uploaded file received and kept (a recording or a segments file): where, its SHA-256 and
/// size, and its format (file extension).
public struct StoredUpload: Sendable {
    public var path: String
    public var sha256: String
    public var bytes: Int
    public var format: String
    /// The file was not kept before this upload (the same content uploaded again is the same file).
    public var isNew: Bool

    public init(path: String, sha256: String, bytes: Int, format: String, isNew: Bool = true) {
        self.path = path
        self.sha256 = sha256
        self.bytes = bytes
        self.format = format
        self.isNew = isNew
    }
}
