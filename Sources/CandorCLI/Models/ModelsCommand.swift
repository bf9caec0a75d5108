import ArgumentParser
import Candor
import CandorModels
import Foundation

public struct ModelsCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the installed models, or show a model card.",
        discussion: """
        Models are read from $CANDOR_MODELS, else ./models, else models/ beside the candor \
        executable or up to five folders above it, else ../share/candor/models beside it.
        """,
        subcommands: [ModelsList.self, ModelsShow.self])
    public init() {}
}

/// `--models DIR` for the models subcommands.
public struct ModelsDirectoryOption: ParsableArguments {
    @Option(name: .customLong("models"), help: "Models folder (overrides $CANDOR_MODELS and the search).")
    public var directory: String?

    public init() {}

    func load() throws -> ModelRegistry {
        guard let dir = directory ?? ModelRegistry.locate() else {
            throw CLIError(code: ExitCodes.invalidInput, "models: no models folder found; set CANDOR_MODELS or use --models DIR")
        }
        do { return try ModelRegistry.load(directory: dir) } catch { throw modelsFailure(error, path: dir) }
    }
}

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
                ["id": m.id, "version": m.version, "kind": m.file.kind.rawValue, "sha256": m.sha256,
                 "card": registry.card(for: m) == nil ? NSNull() : (m.file.card ?? "\(m.id).md")]
            }
            try printJSON(["directory": registry.directory, "models": models])
            return
        }
        print("models in \(registry.directory)")
        let header = ["id", "version", "kind", "sha256", "card"]
        var rows = [header]
        for m in registry.models {
            rows.append([m.id, m.version, m.file.kind.rawValue, m.sha256, registry.card(for: m) == nil ? "missing" : (m.file.card ?? "\(m.id).md")])
        }
        let widths = header.indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
        for r in rows {
            print(r.enumerated().map { i, c in c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces))
        }
    }
}

public struct ModelsShow: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "show", abstract: "Print a model's card (and, with --json, its file).")
    @Argument(help: "Model id (see `candor models list`).")
    public var id: String
    @Flag(name: .long, help: "Print the model file instead of the card.")
    public var json = false
    @OptionGroup public var location: ModelsDirectoryOption
    public init() {}

    public func run() throws {
        let registry = try location.load()
        guard let m = registry.model(id: id) else {
            throw CLIError(code: ExitCodes.invalidInput, "\(registry.directory): no model with id '\(id)' (have: \(registry.models.map(\.id).joined(separator: ", ")))")
        }
        if json {
            print(try String(contentsOfFile: m.path, encoding: .utf8), terminator: "")
            return
        }
        print("\(m.id) \(m.version) (\(m.file.kind.rawValue))")
        print("file:   \(m.path)")
        print("sha256: \(m.sha256)")
        print("")
        if registry.cardPath(for: m) == nil {
            throw CLIError(code: ExitCodes.invalidInput, "\(m.path): model card \(m.file.card ?? "\(m.id).md") is outside the models folder; refusing to read it")
        }
        guard let card = registry.card(for: m) else {
            throw CLIError(code: ExitCodes.invalidInput, "\(m.path): model card \(m.file.card ?? "\(m.id).md") not found")
        }
        print(card, terminator: card.hasSuffix("\n") ? "" : "\n")
    }
}
