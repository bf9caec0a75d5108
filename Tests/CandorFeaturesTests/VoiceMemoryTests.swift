#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import CandorAudio
@testable import CandorFeatures
import CandorSynth
import Foundation
import Testing

/// Everything a `VoiceData` holds for [t0, t1), read back as arrays.
private func arrays(
    _ d: VoiceData, from t0: Double = -.infinity, to t1: Double = .infinity
) throws
    -> (t: [Double], a: [Double?], j: [Double], hnr: [Double])
{
    var t: [Double] = [], a: [Double?] = [], j: [Double] = [], h: [Double] = []
    try d.forEachPulseRun(from: t0, to: t1) {
        t.append(contentsOf: $0); a.append(contentsOf: $1); j.append(contentsOf: $2)
    }
    try d.forEachHNR(from: t0, to: t1) { h.append($0) }
    return (t, a, j, h)
}

/// The report over arrays in one piece (no chunks), with the HNR standard error computed
/// the textbook two-pass way: the reference the streamed reports must reproduce.
private func arrayReport(_ d: VoiceData, from t0: Double = -.infinity, to t1: Double = .infinity) throws -> VoiceReport {
    let x = try arrays(d, from: t0, to: t1)
    var r = voiceReport(pulses: x.t, amplitudes: x.a, jitterPulses: x.j, hnrFrames: x.hnr, settings: d.settings)
    if x.hnr.count >= 2 {
        let m = x.hnr.reduce(0, +) / Double(x.hnr.count)
        let v = x.hnr.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.hnr.count - 1)
        r.hnrDBSE = (v / Double(x.hnr.count)).squareRoot()
    }
    return r
}

/// Every number equal to 1e-12 relative, every other field identical.
private func expectSame(_ a: VoiceReport, _ b: VoiceReport, _ what: String) throws {
    let ja = try jsonValues(a), jb = try jsonValues(b)
    #expect(ja.count == jb.count)
    for (k, v) in ja {
        if let x = v as? Double, let y = jb[k] as? Double {
            #expect(abs(x - y) <= 1e-12 * max(abs(x), 1e-300), "\(what) \(k): \(x) vs \(y)")
        } else {
            #expect("\(v)" == "\(jb[k] ?? "missing")", "\(what) \(k)")
        }
    }
}

/// The same signal analysed into a `VoiceData` whose whole-channel report is cut into
/// chunks of about `chunk` pulses.
private func chunkedVoice(_ x: [Float], _ fs: Double, pitch: PitchTrack, chunk: Int) throws -> VoiceData {
    let block = x.withUnsafeBufferPointer {
        analyzeVoiceBlock(
            samples: $0, start: 0, sampleRate: fs, coreStart: -.infinity, coreEnd: .infinity, pitch: pitch,
            hnrGrid: HarmonicitySettings().grid(samples: x.count, sampleRate: fs),
            globalPeak: peakAboveMean(x))
    }
    var d = VoiceData(spill: try VoiceSpill(), chunkPulses: chunk)
    try d.append(block)
    return d
}

/// Resident set size of this process in bytes (/proc/self/statm, second field).
private func residentBytes() throws -> Int {
    let text = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8)
    let pages = try #require(Int(text.split(separator: " ")[1]))
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// `minutes` of synthetic voice as 30 s blocks, made one at a time: 0.5 s voiced at 120 Hz
/// with ±2% jitter, 0.2 s pauses, HNR frames every 10 ms.
private func forEachSyntheticBlock(
    minutes: Double, from t0: Double = 0, seed: UInt64 = 1,
    _ body: (VoiceBlock) throws -> Void
) rethrows {
    var rng = SplitMix64(seed: seed)
    var t = t0
    let end = t0 + minutes * 60
    while t < end {
        let blockEnd = min(end, t + 30)
        var p = PulseBlock()
        var hnr: [HNRFrame] = []
        var f = (t / 0.01).rounded(.up) * 0.01
        while f < blockEnd {
            let voiced = (f - t0).truncatingRemainder(dividingBy: 0.7) < 0.5
            hnr.append(HNRFrame(time: f, db: voiced ? 15 + Double.random(in: -3...3, using: &rng) : nil))
            f += 0.01
        }
        while t < blockEnd {
            if (t - t0).truncatingRemainder(dividingBy: 0.7) < 0.5 {
                p.times.append(t)
                p.amplitudes.append(0.3 * Double.random(in: 0.9...1.1, using: &rng))
                p.jitterTimes.append(t)
                t += (1 / 120) * Double.random(in: 0.98...1.02, using: &rng)
            } else {
                t += 0.2
            }
        }
        try body(VoiceBlock(pulses: p, hnr: hnr, samples: 480_000, clippedSamples: 0))
        t = blockEnd
    }
}

private func syntheticBlocks(minutes: Double, from t0: Double = 0) -> [VoiceBlock] {
    var out: [VoiceBlock] = []
    forEachSyntheticBlock(minutes: minutes, from: t0) { out.append($0) }
    return out
}

@Suite("Voice quality: streamed reports and flat memory")
struct VoiceMemoryTests {
    /// The whole-channel report, accumulated in chunks cut at non-periods while blocks are
    /// appended, equals the one-piece array computation on the same pulses.
    @Test(arguments: [(120.0, 0.01, 0.04, UInt64(3)), (210, 0.02, 0.08, 5), (95, 0.005, 0.02, 9)])
    func chunkedWholeReportEqualsArrayReport(f0: Double, jitter: Double, shimmer: Double, seed: UInt64) throws {
        var cfg = SynthVoice.Config(f0: f0, jitter: jitter, shimmer: shimmer, snrDB: 30, duration: 8, seed: seed)
        cfg.voiced = (0..<10).map { SynthVoice.Span(0.1 + Double($0) * 0.78, 0.65 + Double($0) * 0.78) }
        let r = try SynthVoice.render(cfg)
        let d = try chunkedVoice(r.samples, r.sampleRate, pitch: truthTrack(r), chunk: 40)
        #expect(d.wholeChunks >= 8, "the report must be cut into chunks (\(d.wholeChunks))")
        let streamed = d.report()
        try expectSame(streamed, try arrayReport(d), "synthetic \(f0) Hz")
        // A range read back from the spill, streamed in chunks too, agrees as well.
        try expectSame(try d.report(from: -.infinity, to: .infinity), streamed, "whole range")
        #expect(streamed.periodsUsed > 500 && streamed.reliable)
    }

    /// The same on real read speech (samples/real), with Candor's own pitch track.
    @Test func chunkedWholeReportEqualsArrayReportOnRealSpeech() throws {
        for clip in realClips.prefix(3) {
            let (x, fs) = try readAll(clip)
            let pitch = try #require(pitchTrack(samples: x, sampleRate: fs))
            let d = try chunkedVoice(x, fs, pitch: pitch, chunk: 10)
            #expect(d.wholeChunks >= 3, "\(clip): \(d.wholeChunks) chunks")
            if ProcessInfo.processInfo.environment["CANDOR_VOICE_DEBUG"] != nil { print("\(clip): \(d.wholeChunks) chunks") }
            let streamed = d.report()
            try expectSame(streamed, try arrayReport(d), clip)
            #expect(streamed.periodsUsed > 100 && streamed.jitterLocal != nil)
        }
    }

    /// A segment's report (read back from the temporary file) equals the array report over
    /// the pulses and frames of the range.
    @Test func segmentReportEqualsArrayReportOverTheRange() throws {
        let clip = try #require(realClips.first)
        let (x, fs) = try readAll(clip)
        let pitch = try #require(pitchTrack(samples: x, sampleRate: fs))
        let d = try chunkedVoice(x, fs, pitch: pitch, chunk: 4096)
        let duration = Double(x.count) / fs
        for (a, b) in [(0.0, duration / 2), (duration / 3, duration * 0.9), (1.234, 2.5), (duration + 1, duration + 2)] {
            let seg = try d.report(from: a, to: b)
            try expectSame(seg, try arrayReport(d, from: a, to: b), "[\(a), \(b))")
        }
        // Ranges add up: pulses and HNR frames of two halves make the whole.
        let h1 = try d.report(from: -.infinity, to: duration / 2), h2 = try d.report(from: duration / 2, to: .infinity)
        #expect(h1.pulses + h2.pulses == d.report().pulses && h1.hnrFrames + h2.hnrFrames == d.report().hnrFrames)
        // Many blocks and small extents: a range spanning several of them reads them all.
        var small = VoiceData(spill: try VoiceSpill())
        for b in syntheticBlocks(minutes: 3) { try small.append(b) }
        let mid = try small.report(from: 25, to: 95)
        try expectSame(mid, try arrayReport(small, from: 25, to: 95), "synthetic blocks")
        #expect(mid.pulses > 5000)
    }

    /// The ideal bootstrap SE (B → ∞) is what the Monte-Carlo moving-block bootstrap it
    /// replaces converges to: 20 000 Monte-Carlo resamples agree within 3%.
    @Test func idealBootstrapEqualsMonteCarloLimit() throws {
        // Dependent terms, as jitter terms are: |T_{i+1} − T_i| of an AR(1) period series.
        var rng = SplitMix64(seed: 11)
        var periods: [Double] = [], e = 0.0
        for _ in 0..<1201 {
            e = 0.6 * e + rng.gaussian() * 0.0001
            periods.append(0.008 + e)
        }
        let terms = (1..<periods.count).map { abs(periods[$0] - periods[$0 - 1]) }
        var stats = TermStats()
        for x in terms { stats.add(x) }
        let ideal = try #require(stats.standardError(denominator: 0.008))
        // The former estimator: B resamples of ⌈n/L⌉ uniformly drawn blocks of L = 10 terms.
        let n = terms.count, L = 10, blocks = n - L + 1, perSample = (n + L - 1) / L
        let blockSum = (0..<blocks).map { terms[$0..<($0 + L)].reduce(0, +) }
        let B = 20_000
        var s = 0.0, s2 = 0.0
        for _ in 0..<B {
            var acc = 0.0
            for _ in 0..<perSample { acc += blockSum[Int(rng.next() % UInt64(blocks))] }
            let m = acc / Double(perSample * L) / 0.008
            s += m
            s2 += m * m
        }
        let mcMean = s / Double(B)
        let mc = (s2 / Double(B) - mcMean * mcMean).squareRoot()
        #expect(abs(ideal / mc - 1) < 0.03, "ideal \(ideal) vs Monte Carlo \(mc)")
        // And it is the direct formula: population variance of the block sums.
        let mb = blockSum.reduce(0, +) / Double(blocks)
        let vb = blockSum.reduce(0) { $0 + ($1 - mb) * ($1 - mb) } / Double(blocks)
        #expect(abs(ideal / ((vb / Double(perSample)).squareRoot() / Double(L) / 0.008) - 1) < 1e-9)
        // Positive and much smaller than the value it qualifies.
        let value = try #require(stats.value(denominator: 0.008))
        #expect(ideal > 0 && ideal < value / 10)
        // Fewer terms than a block: every resample is the same block, so the spread is 0.
        var few = TermStats()
        for x in terms.prefix(7) { few.add(x) }
        #expect(few.standardError(denominator: 1) == 0)
    }

    /// Two hours of 30 s blocks (≈ 600 000 pulses and 720 000 HNR frames, 30 MB as arrays)
    /// leave the resident set nearly where it was: the data are in the temporary file.
    /// Minimum over three rounds, all kept alive, so tests running alongside can only make
    /// it look worse, not better.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/statm"), "needs Linux /proc"))
    func residentMemoryIsFlatWithDuration() throws {
        var kept: [VoiceData] = []
        var growth: [Int] = []
        for round in 0..<3 {
            var d = VoiceData(spill: try VoiceSpill())
            try forEachSyntheticBlock(minutes: 10, seed: UInt64(round)) { try d.append($0) }
            _ = d.report()
            let before = try residentBytes()
            var pulses = 0
            try forEachSyntheticBlock(minutes: 120, from: 600, seed: UInt64(round)) {
                pulses += $0.pulses.times.count
                try d.append($0)
            }
            let r = d.report()
            let seg = try d.report(from: 3000, to: 3060)
            let after = try residentBytes()
            growth.append(after - before)
            #expect(r.pulses >= pulses && pulses > 500_000, "round \(round)")
            #expect(seg.pulses > 5000)
            kept.append(d)
        }
        let least = growth.min()!
        if ProcessInfo.processInfo.environment["CANDOR_VOICE_DEBUG"] != nil { print("RSS growth per round (bytes): \(growth)") }
        #expect(least < 4 << 20, "resident set grew by \(least / 1024) KB over 2 hours of voice data (rounds: \(growth))")
    }

    /// A full disk is a thrown error with a clear message, not a crash.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full"), "needs /dev/full"))
    func fullDiskIsAnError() throws {
        let fd = open("/dev/full", O_RDWR)
        try #require(fd >= 0)
        var d = VoiceData(spill: VoiceSpill(file: SpillFile(fileDescriptor: fd, directory: "/dev/full")))
        let blocks = syntheticBlocks(minutes: 1)
        do {
            try d.append(blocks[0])
            Issue.record("appending to a full disk did not throw")
        } catch let e as SpillError {
            #expect(e.description.contains("No space left on device"), "\(e)")
            #expect(e.description.contains("/dev/full: cannot write"))
        }
    }

    /// Copies are independent values although they share one append-only file.
    @Test func copiesAreIndependent() throws {
        let blocks = syntheticBlocks(minutes: 2)
        var a = VoiceData()
        try a.append(blocks[0])
        var b = a
        try a.append(blocks[1])
        try b.append(blocks[2])  // a different continuation, written after a's in the file
        let ra = try a.report(from: -.infinity, to: .infinity), rb = try b.report(from: -.infinity, to: .infinity)
        #expect(ra.pulses == blocks[0].pulses.times.count + blocks[1].pulses.times.count)
        #expect(rb.pulses == blocks[0].pulses.times.count + blocks[2].pulses.times.count)
        #expect(try b.pulseTimes().last == blocks[2].pulses.times.last)
        #expect(ra == a.report() && rb == b.report())
    }
}

/// A voiced stretch without any gap (a tone) is cut after `maxChunkPulses` pulses so the
/// whole-channel accumulator stays bounded; the forced cuts drop only the few terms that
/// span them, so the measures stay within 0.1% of the uncut ones.
@Test func forcedCutsInAGaplessStretchBarelyChangeTheReport() {
    var rng = SplitMix64(seed: 7)
    var t: [Double] = [], amp: [Double?] = []
    var x = 0.0
    for _ in 0..<20_000 {
        x += 1 / 150.0 * (1 + 0.01 * (rng.uniform() - 0.5))
        t.append(x)
        amp.append(0.5 * (1 + 0.03 * (rng.uniform() - 0.5)))
    }
    func report(maxChunk: Int) -> (VoiceReport, chunks: Int) {
        var acc = VoiceAccumulator(settings: VoiceSettings())
        acc.maxChunkPulses = maxChunk
        acc.add(times: t, amplitudes: amp, jitterTimes: t)
        acc.finishPulses()
        return (acc.report(hnr: HNRStats()), acc.chunks)
    }
    let (whole, wholeChunks) = report(maxChunk: 1 << 30), (cut, cutChunks) = report(maxChunk: 1000)
    #expect(wholeChunks == 1)  // no gap anywhere: nothing to cut at
    #expect(cutChunks == 20)  // forced cuts every 1000 pulses
    #expect(whole.periodsUsed > 19_900)
    #expect(abs(cut.periodsUsed - whole.periodsUsed) <= 20 * 2)
    for (a, b) in [
        (whole.jitterLocal, cut.jitterLocal), (whole.jitterRap, cut.jitterRap),
        (whole.shimmerLocal, cut.shimmerLocal), (whole.shimmerApq11, cut.shimmerApq11),
    ] {
        let u = try! #require(a), v = try! #require(b)
        #expect(abs(u - v) <= 1e-3 * u, "\(u) vs \(v)")
    }
}
