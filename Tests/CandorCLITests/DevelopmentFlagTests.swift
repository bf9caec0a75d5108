import CandorModels
import Foundation
import Testing

/// Where Debian's fillets-ng-data-cs and fillets-ng-data-nl put the game's spoken lines.
let filletsSound = "/usr/share/games/fillets-ng/sound"

/// The Fish Fillets NG dialogue (four acted speakers, Czech and Dutch; samples/flags/make_fillets_sets.py):
/// held out for 2.1.0, development data since (2.2.0's f0_mean_st floor was chosen on it), so it
/// no longer runs in `make test`. It runs with CANDOR_REAL_FLAG_TESTS=1 (`make test-flags`), like
/// the Keele sets; it prints the figures, and fails if the model gets worse on it than the model card says.
@Suite(
    .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["CANDOR_REAL_FLAG_TESTS"] == "1"
            && FileManager.default.fileExists(atPath: filletsSound + "/airplane/cs")
            && FileManager.default.fileExists(atPath: filletsSound + "/airplane/nl"),
        "development flag set: set CANDOR_REAL_FLAG_TESTS=1 (`make test-flags`; needs fillets-ng-data-cs and -nl) to run it"
    ))
struct DevelopmentFlagTests {
    @Test func filletsDialogue() throws {
        let set = RealSpeechFlagSet(
            name: "development Fish Fillets NG", builder: "make_fillets_sets.py", sound: filletsSound,
            speakers: ["cs-m", "cs-v", "nl-m", "nl-v"])
        let f = try set.measure()
        let three = try #require(f.row(3)), five = try #require(f.row(5))
        #expect((three.falseFlagRate.rate ?? 1) <= 0.05, "n = 3: \(three.falseFlagRate.count)/\(three.falseFlagRate.total)")
        #expect((five.falseFlagRate.rate ?? 1) <= 0.05, "n = 5: \(five.falseFlagRate.count)/\(five.falseFlagRate.total)")
        #expect((f.auc["5 intense"] ?? 0) >= 0.90, "intense, n = 5: AUC \(f.auc["5 intense"] ?? 0)")
        #expect((f.auc["5 moderate"] ?? 0) >= 0.75, "moderate, n = 5: AUC \(f.auc["5 moderate"] ?? 0)")
    }
}
