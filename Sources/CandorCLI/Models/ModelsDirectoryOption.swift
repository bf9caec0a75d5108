import ArgumentParser
import Candor
import CandorModels
import Foundation

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
