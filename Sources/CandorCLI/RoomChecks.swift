import Candor

// `--speaker-map` parsing (the room checks themselves live in the Candor library,
// Sources/Candor/RoomChecks.swift).

/// Parses `--speaker-map NAME=ROLE,NAME=ROLE` (keys compared case-insensitively).
func parseSpeakerMap(_ text: String?) throws -> [String: String] {
    guard let text, !text.isEmpty else { return [:] }
    var out: [String: String] = [:]
    for item in text.split(separator: ",") {
        let parts = item.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters() }
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw CLIError(code: ExitCodes.usage, "--speaker-map: '\(item)' is not NAME=ROLE")
        }
        out[parts[0].lowercased()] = parts[1]
    }
    return out
}
