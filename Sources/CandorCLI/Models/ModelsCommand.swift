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
