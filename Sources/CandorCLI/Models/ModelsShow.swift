import ArgumentParser
import Candor
import CandorModels
import Foundation

public struct ModelsShow: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print a model's card (and, with --json, its file).")
    @Argument(help: "Model id (see `candor models list`).")
    public var id: String
    @Flag(name: .long, help: "Print the model file instead of the card.")
    public var json = false
    @OptionGroup public var location: ModelsDirectoryOption
    public init() {}

    public func run() throws {
        let registry = try location.load()
        guard let m = registry.model(id: id) else {
            throw CLIError(
                code: ExitCodes.invalidInput,
                "\(registry.directory): no model with id '\(id)' (have: \(registry.models.map(\.id).joined(separator: ", ")))")
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
            throw CLIError(
                code: ExitCodes.invalidInput,
                "\(m.path): model card \(m.file.card ?? "\(m.id).md") is outside the models folder; refusing to read it")
        }
        guard let card = registry.card(for: m) else {
            throw CLIError(code: ExitCodes.invalidInput, "\(m.path): model card \(m.file.card ?? "\(m.id).md") not found")
        }
        print(card, terminator: card.hasSuffix("\n") ? "" : "\n")
    }
}
