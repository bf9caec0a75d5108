import CandorModels
import Foundation
import Testing

/// Where Debian's asterisk-core-sounds-{en,fr,it,ru}-wav put the recorded voice prompts.
let promptSound = "/usr/share/asterisk/sounds"

/// The held-out real-speech check of the baseline-deviation flags, on speech that no version of
/// the model was developed or tuned on: the voice prompts of the Asterisk telephone exchange
/// (four professional speakers: US English, Canadian French, Italian, Russian), built into mock
/// interviews by samples/flags/make_prompt_sets.py. The builder was committed before 2.2.0 was
/// measured on it, and the set was measured once. `scripts/setup-test.sh` installs the
/// packages; without them the test is skipped and says so.
@Suite(
    .serialized,
    .enabled(
        if: ["en_US_f_Allison", "fr_CA_f_June", "it_IT_m_Carlo", "ru_RU_f_IvrvoiceRU"].allSatisfy {
            FileManager.default.fileExists(atPath: promptSound + "/" + $0)
        },
        "Asterisk voice prompts (Debian asterisk-core-sounds-en-wav, -fr-wav, -it-wav, -ru-wav) not installed under /usr/share/asterisk/sounds: run scripts/setup-test.sh"
    ))
struct HeldOutFlagTests {
    @Test func nullRateAndSensitivityOnNewSpeakers() throws {
        let set = RealSpeechFlagSet(
            name: "held-out Asterisk prompts", builder: "make_prompt_sets.py", sound: promptSound,
            speakers: ["en-f", "fr-f", "it-m", "ru-f"])
        let f = try set.measure()
        let three = try #require(f.row(3)), five = try #require(f.row(5))
        #expect((three.falseFlagRate.rate ?? 1) <= 0.05, "n = 3: \(three.falseFlagRate.count)/\(three.falseFlagRate.total)")
        #expect((five.falseFlagRate.rate ?? 1) <= 0.05, "n = 5: \(five.falseFlagRate.count)/\(five.falseFlagRate.total)")
        #expect((five.scoredShare ?? 0) >= 0.90, "n = 5: scored \(five.scoredShare ?? 0)")
        #expect((f.auc["5 intense"] ?? 0) >= 0.90, "intense, n = 5: AUC \(f.auc["5 intense"] ?? 0)")
        #expect((f.auc["5 moderate"] ?? 0) >= 0.75, "moderate, n = 5: AUC \(f.auc["5 moderate"] ?? 0)")
    }
}
