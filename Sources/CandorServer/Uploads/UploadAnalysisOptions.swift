/// The analysis options an upload may choose (the API's `?method=&pitch_range=`, the upload
/// form's fields of the same names), as `candor analyze --method` and `--pitch-range`: the pitch
/// method (`ac`, Praat's autocorrelation, the default; `cc`, Praat's cross-correlation; `robust`,
/// for noisy rooms) and the pitch range (`fixed`, the method's own floor and ceiling, the default;
/// `auto`, the speaker's own range from a first pass). Absent or empty values keep the defaults,
/// so uploads that name neither are analysed exactly as before.
public struct UploadAnalysisOptions: Sendable, Equatable {
    public static let methods = ["ac", "cc", "robust"]
    public static let pitchRanges = ["fixed", "auto"]

    public var method = "ac"
    public var pitchRange = "fixed"

    public init() {}

    /// Validated options (400 `invalid_option` naming the value and the choices).
    public init(method: String?, pitchRange: String?) throws {
        self.method = try Self.choose(method, "method", Self.methods) ?? self.method
        self.pitchRange = try Self.choose(pitchRange, "pitch_range", Self.pitchRanges) ?? self.pitchRange
    }

    /// `value` (lowercased) when it is one of `choices`, nil when absent or empty.
    static func choose(_ value: String?, _ name: String, _ choices: [String]) throws -> String? {
        guard let v = value?.lowercased(), !v.isEmpty else { return nil }
        guard choices.contains(v) else {
            let list = choices.joined(separator: ", ")
            throw ServerError.badRequest("\(name) must be one of \(list) (got \(v.prefix(40)))", code: .invalidOption, args: [name, list])
        }
        return v
    }
}
