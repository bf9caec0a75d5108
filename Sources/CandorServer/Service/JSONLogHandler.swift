import Foundation
import Logging

/// swift-log handler writing one JSON object per line to standard error:
/// `{"time","level","label","message", …metadata}`. Never logs passwords or tokens (the
/// routes put neither in metadata).
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: JSONText] = [:]
        for (k, v) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { fields[k] = .string("\(v)") }
        fields["time"] = .string(ISO8601DateFormatter().string(from: Date()))
        fields["level"] = .string(event.level.rawValue)
        fields["label"] = .string(label)
        fields["message"] = .string("\(event.message)")
        let line = JSONText.object(fields).encoded + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
