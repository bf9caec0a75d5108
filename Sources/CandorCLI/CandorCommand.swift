import ArgumentParser
import Candor

/// The root of the `candor` command tree. Each capability adds its subcommands here.
public struct CandorCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "candor",
        abstract: "Measure voice and conversation features of recorded interviews, with a signed audit log.",
        discussion: """
            Candor reports measured features with their uncertainty and deviations from the same \
            speaker's baseline, and flags segments for follow-up by a human. It never judges honesty. Exit codes: 0 success, 1 other failure, \
            2 usage error, 3 unreadable or invalid input, 4 audit verification failed.
            """,
        version: "\(CandorVersion.version) (commit \(CandorVersion.gitCommit))",
        subcommands: [
            AnalyzeCommand.self, SynthCommand.self, AuditCommand.self, KeysCommand.self, ReviewCommand.self,
            TrainCommand.self, EvaluateCommand.self, CalibrateCommand.self, ModelsCommand.self, ReportCommand.self,
            ExportCommand.self, BatchCommand.self, WorkerCommand.self, WitnessCommand.self, ServeCommand.self,
            UsersCommand.self, CasesCommand.self, FeaturesCommand.self,
        ]
    )
    public init() {}
}
