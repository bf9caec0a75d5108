import ArgumentParser
import Candor
import CandorAudio
import CandorSynth
import Foundation

/// `candor synth`: writes a deterministic synthetic voice and its truth JSON.
public struct SynthCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write a synthetic voice with known F0, pulses, jitter and shimmer (for testing).",
        discussion: """
            Rosenberg glottal pulses through formant resonators (vowel /a/), with seeded jitter, \
            shimmer and noise. --jitter and --shimmer are target local values as fractions \
            (0.01 = 1%); the truth JSON holds the values the true pulses realise, by Praat's rules.
            """)

    @Option(help: "Output sound file (.wav → 16-bit PCM, .flac → FLAC).") var out: String
    @Option(help: "Truth JSON to write (pulse times, F0 frames, realised jitter/shimmer).") var truth: String?
    @Option(help: "F0 in Hz (start of the contour).") var f0: Double = 120
    @Option(name: .customLong("f0-end"), help: "F0 at the end (log-linear glide); default = --f0.") var f0End: Double?
    @Option(name: .customLong("vibrato-st"), help: "Vibrato extent in semitones (peak).") var vibratoST: Double = 0
    @Option(name: .customLong("vibrato-rate"), help: "Vibrato rate in Hz.") var vibratoRate: Double = 5
    @Option(help: "Target local jitter as a fraction (0.01 = 1%).") var jitter: Double = 0
    @Option(help: "Target local shimmer as a fraction.") var shimmer: Double = 0
    @Option(help: "SNR in dB of added white noise (omit for none).") var snr: Double?
    @Option(help: "Duration in seconds.") var duration: Double = 3
    @Option(name: .customLong("sample-rate"), help: "Sample rate in Hz.") var sampleRate: Int = 16000
    @Option(help: "Voiced stretches as start-end pairs in seconds, comma separated, e.g. 0.2-1.4,1.8-2.9 (default: all).")
    var voiced: String?
    @Option(help: "Hard-clip the signal at this absolute level.") var clip: Double?
    @Flag(name: .customLong("float"), help: "Write 32-bit float WAV instead of 16-bit PCM.") var float = false
    @Option(help: "Random seed.") var seed: UInt64 = 1

    public init() {}

    static func parseSpans(_ s: String) throws -> [SynthVoice.Span] {
        try s.split(separator: ",").map { part in
            let xy = part.split(separator: "-").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard xy.count == 2, xy[0] >= 0, xy[1] > xy[0] else {
                throw ValidationError("--voiced: '\(part)' is not a start-end pair like 0.5-1.2")
            }
            return SynthVoice.Span(xy[0], xy[1])
        }
    }

    public func run() throws {
        var c = SynthVoice.Config()
        c.f0 = SynthVoice.F0Contour(startHz: f0, endHz: f0End, vibratoSemitones: vibratoST, vibratoRateHz: vibratoRate)
        c.jitter = jitter
        c.shimmer = shimmer
        c.snrDB = snr
        c.duration = duration
        c.sampleRate = sampleRate
        c.seed = seed
        c.clipLevel = clip
        if let v = voiced { c.voiced = try Self.parseSpans(v) }
        let result: SynthResult
        do {
            result = try SynthVoice.render(c)
        } catch let e as SynthError {
            throw ValidationError(e.description)
        }
        let format: AudioWriter.Format = float ? .wavFloat : .from(path: out)
        do {
            try AudioWriter.write(path: out, mono: result.samples, sampleRate: sampleRate, format: format)
        } catch let e as OutputError {
            throw CLIError(code: ExitCodes.failure, e.description)
        }
        if let truthPath = truth {
            let json = String(decoding: try result.truth().jsonData(), as: UTF8.self)
            try writeAtomically(to: truthPath) { $0.write(json) }
        }
    }
}
