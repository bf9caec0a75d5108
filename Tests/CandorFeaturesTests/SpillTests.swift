import Foundation
import Testing
import CandorAudio
@testable import CandorFeatures

/// The spill file that keeps per-frame tracks out of memory, and the summaries computed
/// from it chunk by chunk: they must equal the in-memory computations exactly.
struct SpillTests {
    static let clip = Praat.root.appendingPathComponent("samples/real").path

    func firstClip() throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.clip).filter { $0.hasSuffix(".wav") }.sorted()
        return Self.clip + "/" + (try #require(names.first))
    }

    @Test func storeRoundTripsBlocksWrittenOutOfOrder() throws {
        let grid = FrameGrid(t1: 0.005, dt: 0.01, count: 1000)
        let store = try FrameStore(grid: grid, channels: 2, hasSpeech: true)
        let nb = SpeechFrames.shapeBands
        func block(_ c: Int, _ r: Range<Int>) -> (f0: [Float], s: SpeechFrames) {
            let f0 = r.map { Float($0 * 3 + c) }
            let g = FrameGrid(t1: grid.time(r.lowerBound), dt: grid.dt, count: r.count)
            let sp = SpeechFrames(
                grid: g, bandDb: r.map { Float($0) + 0.5 }, periodicity: r.map { Float($0) / 1000 },
                f0: r.map { Float(c * 10_000 + $0) }, syllableDb: r.map { -Float($0) },
                shape: r.flatMap { i in (0..<nb).map { Float(i * nb + $0) } })
            return (f0, sp)
        }
        // Blocks arrive in any order (as from the task group).
        for r in [600..<1000, 0..<300, 300..<600] {
            for c in 0..<2 {
                let b = block(c, r)
                try store.write(
                    channel: c, base: r.lowerBound, f0: b.f0, strength: b.f0.map { $0 / 2 },
                    intensity: b.f0.map { $0 + 1 }, speech: b.s)
            }
        }
        let got = try store.load(channel: 1, 250..<700)
        let want = block(1, 250..<700)
        #expect(got.pitch.f0 == want.f0)
        #expect(got.pitch.strength == want.f0.map { $0 / 2 })
        #expect(got.intensity.db == want.f0.map { $0 + 1 })
        #expect(got.speech.bandDb == want.s.bandDb)
        #expect(got.speech.periodicity == want.s.periodicity)
        #expect(got.speech.f0 == want.s.f0)
        #expect(got.speech.syllableDb == want.s.syllableDb)
        #expect(got.speech.shape == want.s.shape)
        #expect(abs(got.pitch.grid.t1 - grid.time(250)) < 1e-12)
        #expect(got.pitch.grid.count == 450)
    }

    @Test func unwritableDirectoryIsAClearError() throws {
        #expect(throws: SpillError.self) { _ = try SpillFile(directory: "/nonexistent-candor-dir") }
        do {
            _ = try SpillFile(directory: "/nonexistent-candor-dir")
        } catch let e as SpillError {
            #expect(e.message.contains("/nonexistent-candor-dir"))
            #expect(e.message.contains("TMPDIR"))
        }
    }

    /// Whole-channel summaries from the store equal the in-memory ones bit for bit, for
    /// odd and even voiced counts and any chunk size (chunks far smaller than the track).
    @Test func pagedSummariesEqualInMemory() async throws {
        let path = try firstClip()
        let scan = try scanAudio(path: path)
        let a = try await analyzeAudio(path: path, scan: scan, options: AnalysisOptions())
        let whole = try a.channels[0].loadAll()
        for chunk in [1, 7, 1000, 1 << 15] {
            let paged = try PitchSummary(source: a.channels[0].source, chunk: chunk)
            #expect(paged == PitchSummary(track: whole.pitch))
            #expect(try meanIntensityDB(source: a.channels[0].source, chunk: chunk) == meanIntensityDB(whole.intensity.db[...]))
        }
        #expect(PitchSummary(track: whole.pitch).voicedFrames > 100)
        // Odd voiced count: drop one voiced frame.
        var p = whole.pitch
        let k = try #require(p.f0.firstIndex { $0 > 0 })
        p.f0[k] = 0
        let odd = ChannelFrameSource(pitch: p, intensity: whole.intensity, speech: whole.speech)
        #expect(try PitchSummary(source: odd, chunk: 100) == PitchSummary(track: p))
        // All unvoiced.
        let none = ChannelFrameSource(
            pitch: PitchTrack(grid: p.grid, f0: p.f0.map { _ in 0 }, strength: p.strength),
            intensity: whole.intensity, speech: whole.speech)
        let s = try PitchSummary(source: none)
        #expect(s.voicedFrames == 0 && s.meanHz == nil && s.medianHz == nil && s.frames == p.grid.count)
    }
}
