import ArgumentParser
import CandorAudit
import Foundation

/// Prints a JSON value (sorted keys, no escaped slashes) and a newline.
func printJSON(_ value: Any) throws {
    let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted])
    print(String(decoding: data, as: UTF8.self))
}
