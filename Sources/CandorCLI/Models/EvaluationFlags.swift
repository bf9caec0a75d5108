import ArgumentParser
import Candor
import CandorModels
import Foundation

/// Options shared by the commands that compute an evaluation.
public struct EvaluationFlags: ParsableArguments {
    @Option(name: .long, help: "Speaker-level bootstrap replicates for the 95% CIs.")
    public var bootstrap = 1000

    @Option(name: .long, help: "Label permutations for the permutation p-value.")
    public var permutations = 1000

    @Option(name: .long, help: "Seed for bootstrap and permutations (results are reproducible for a seed).")
    public var seed: UInt64 = EvaluationOptions().seed

    @Option(name: .long, help: "Decision threshold: score ≥ threshold counts as a flag.")
    public var threshold = 0.5

    public init() {}

    public func validate() throws {
        guard bootstrap >= 0, permutations >= 0 else { throw ValidationError("--bootstrap and --permutations must be ≥ 0") }
        guard threshold > 0, threshold <= 1 else { throw ValidationError("--threshold must be in (0, 1]") }
    }

    var options: EvaluationOptions {
        var o = EvaluationOptions()
        o.bootstrapReplicates = bootstrap
        o.permutations = permutations
        o.seed = seed
        o.threshold = threshold
        return o
    }
}
