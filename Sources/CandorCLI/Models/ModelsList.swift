import ArgumentParser
import Candor
import CandorModels
import Foundation

public struct ModelsList: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "list", abstract: "List models with version, kind and SHA-256.")
    @OptionGroup public var location: ModelsDirectoryOption
    @Flag(name: .long, help: "Print JSON: {directory, models: [{id, version, kind, sha256, card}]}.")
    public var json = false
    public init() {}

    public func run() throws {
        let registry = try location.load()
        if json {
            let models = registry.models.map { m -> [String: Any] in
                [
                    "id": m.id, "version": m.version, "kind": m.file.kind.rawValue, "sha256": m.sha256,
                    "card": registry.card(for: m) == nil ? NSNull() : (m.file.card ?? "\(m.id).md"),
                ]
            }
            try printJSON(["directory": registry.directory, "models": models])
            return
        }
        print("models in \(registry.directory)")
        let header = ["id", "version", "kind", "sha256", "card"]
        var rows = [header]
        for m in registry.models {
            rows.append([
                m.id, m.version, m.file.kind.rawValue, m.sha256, registry.card(for: m) == nil ? "missing" : (m.file.card ?? "\(m.id).md"),
            ])
        }
        let widths = header.indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
        for r in rows {
            print(
                r.enumerated().map { i, c in c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                    .trimmingCharacters(in: .whitespaces))
        }
    }
}
