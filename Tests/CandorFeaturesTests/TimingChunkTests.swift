import CandorSynth
import Foundation
import Testing
@testable import CandorFeatures

/// The timing analysis over `ChannelFrameSource`s, chunk by chunk: equal to the in-memory
/// (whole-array) analyses, whatever the chunk size, and with memory flat in the duration.

/// The pipeline as composed from the whole-array analyses (what `TimingAnalysis.run` did
/// before it read frame sources): the reference the chunked run must equal.
func wholeArrayRun(
    _ ch: [(role: String, frames: SpeechFrames, pitch: PitchTrack)], monoSpeakers: [String]? = nil
)
    -> (channels: [TimingFeatures], conversation: Conversation?, speech: [[Span]], speakers: [TimingFeatures])
{
    let s = TimingSettings()
    let raw = ch.map { VoiceActivity.detect(frames: $0.frames, pitch: $0.pitch, config: s.voiceActivity) }
    var conversation: Conversation? = nil
    var speech = raw
    let conv = ch.enumerated().map { k, c in
        ConversationChannel(role: TimingAnalysis.uniqueName(c.role, k, ch.map(\.role)), speech: raw[k], level: c.frames.levelTrack)
    }
    var copies = false
    if ch.count >= 2 && ConversationAnalysis.channelsAreCopies(conv, config: s.conversation) {
        copies = true
        var names = ch.map(\.role).filter { $0 != "unknown" && !$0.isEmpty }
        if names.count < 2 { names = monoSpeakers ?? ["speaker_1", "speaker_2"] }
        var c = ConversationAnalysis.analyzeMono(
            frames: ch[0].frames, speech: raw[0], pitch: ch[0].pitch, speakers: names,
            config: s.mono, vadConfig: s.voiceActivity, conversationConfig: s.conversation)
        c.method = "mono-clustering (channels carry the same sound)"
        conversation = c
    } else if ch.count >= 2 {
        let c = ConversationAnalysis.analyze(channels: conv, config: s.conversation)
        speech = c.speech
        // Turn edges (TurnEdges.swift) from the whole tracks in memory.
        let sources = ch.map { TimingChannelInput(role: $0.role, frames: $0.frames, pitch: $0.pitch).source }
        let edges = try! ConversationAnalysis.turnEdgeSpeech(
            sources: sources, speech: c.speech, config: s.conversation, voiceActivity: s.voiceActivity,
            chunking: TimingChunking())
        conversation = ConversationAnalysis.analyze(
            speakers: c.speakers, speech: c.speech, turnSpeech: edges, estimate: false, method: "channels", config: s.conversation)
    } else if let names = monoSpeakers {
        conversation = ConversationAnalysis.analyzeMono(
            frames: ch[0].frames, speech: raw[0], pitch: ch[0].pitch, speakers: names,
            config: s.mono, vadConfig: s.voiceActivity, conversationConfig: s.conversation)
    }
    let timing = ch.indices.map { k in
        Timing.analyze(
            speech: speech[k], frames: ch[k].frames, pitch: ch[k].pitch,
            otherSpeech: ch.count >= 2 && !copies ? speech.enumerated().filter { $0.offset != k }.flatMap(\.element) : [],
            config: s.timing)
    }
    var perSpeaker = timing
    if ch.count == 1 || copies, let c = conversation {
        perSpeaker = c.speech.indices.map { k in
            Timing.analyze(
                speech: c.speech[k], frames: ch[0].frames, pitch: ch[0].pitch,
                otherSpeech: c.speech.enumerated().filter { $0.offset != k }.flatMap(\.element), config: s.timing)
        }
    }
    return (timing, conversation, speech, perSpeaker)
}

/// The old `VoiceActivity.cleanUp` (frame runs, short gaps closed, short unvoiced runs dropped),
/// written out independently of the streaming `SpanBuilder`.
func referenceCleanUp(_ mask: [Bool], voiced: [Bool], grid: FrameGrid, config: VoiceActivityConfig) -> [Span] {
    var runs: [Range<Int>] = []
    var i = 0
    while i < mask.count {
        if !mask[i] { i += 1; continue }
        let s = i
        while i < mask.count && mask[i] { i += 1 }
        if let last = runs.last, s - last.upperBound < Int((config.minGapS / grid.dt).rounded()) {
            runs[runs.count - 1] = last.lowerBound..<i
        } else {
            runs.append(s..<i)
        }
    }
    return runs.compactMap { r in
        if r.count < Int((config.minSpeechS / grid.dt).rounded())
            && r.filter({ voiced[$0] }).count < Int((config.minVoicedS / grid.dt).rounded())
        {
            return nil
        }
        return Span(grid.time(r.lowerBound) - grid.dt / 2, grid.time(r.upperBound - 1) + grid.dt / 2)
    }
}

/// `reps` copies of a channel's frame tracks end to end (a long recording built from a real
/// one), copy `r` shifted by `offsets[r % offsets.count]` dB (a level change per copy).
func loopFrames(_ frames: SpeechFrames, _ pitch: PitchTrack, reps: Int, offsets: [Float]) -> (SpeechFrames, PitchTrack) {
    let n = frames.grid.count
    let g = FrameGrid(t1: frames.grid.t1, dt: frames.grid.dt, count: n * reps)
    var f = SpeechFrames(grid: g)
    var p = PitchTrack(grid: g, f0: [], strength: [])
    for r in 0..<reps {
        var part = frames
        let o = offsets[r % offsets.count]
        part.bandDb = part.bandDb.map { $0 + o }
        part.syllableDb = part.syllableDb.map { $0 + o }
        f.replace(from: r * n, with: part)
        p.f0 += (0..<n).map { pitch.f0(at: frames.grid.time($0)) }
        p.strength += [Float](repeating: 0.5, count: n)
    }
    return (f, p)
}

/// A synthetic channel generated frame by frame on demand (no whole arrays): 4 s cycles of
/// 2.6 s speech (4 Hz syllable modulation, speakers alternating by cycle, with their own F0
/// and spectral shape) and 1.4 s background noise. `own`: the speaker this microphone
/// belongs to (the other comes through 20 dB weaker); nil for a mono mix.
func syntheticSource(seconds: Double, own: Int? = nil) -> ChannelFrameSource {
    let g = FrameGrid(t1: 0.005, dt: 0.01, count: Int(seconds / 0.01))
    let nb = SpeechFrames.shapeBands
    let shapes: [[Float]] = [[-5, -3, -6, -10, -15, -20], [-9, -4, -4, -7, -12, -16]]
    return ChannelFrameSource(grid: g) { r in
        let m = r.count
        var f0 = [Float](repeating: 0, count: m), strength = f0, band = f0, per = f0, sf0 = f0, syl = f0
        var shape = [Float](repeating: 0, count: m * nb)
        for j in 0..<m {
            let i = r.lowerBound + j
            let t = g.time(i)
            let noise = Float((UInt32(truncatingIfNeeded: i &* 2_654_435_761) >> 16) & 0xFFFF) / 65536 - 0.5
            let cycle = Int(t / 4)
            let speaker = cycle % 2
            if t - Double(cycle) * 4 < 2.6 {
                let env = Float(8 * sin(2 * Double.pi * 4 * t))
                let gain: Float = own == nil || own == speaker ? 0 : -20
                band[j] = 62 + env + noise + gain
                syl[j] = 65 + env + noise + gain
                let hz: Float = speaker == 0 ? 115 : 210
                if env > -4 { f0[j] = hz; strength[j] = 0.8 }
                per[j] = 0.85
                sf0[j] = hz
                for b in 0..<nb { shape[j * nb + b] = shapes[speaker][b] + noise }
            } else {
                band[j] = 22 + 2 * noise
                syl[j] = 25 + 2 * noise
                per[j] = 0.2
                for b in 0..<nb { shape[j * nb + b] = -8 + noise }
            }
        }
        let lg = FrameGrid(t1: g.time(r.lowerBound), dt: g.dt, count: m)
        return ChannelFrames(
            pitch: PitchTrack(grid: lg, f0: f0, strength: strength), intensity: IntensityTrack(grid: lg, db: syl),
            speech: SpeechFrames(grid: lg, bandDb: band, periodicity: per, f0: sf0, syllableDb: syl, shape: shape))
    }
}

func expectSameTiming(
    _ a: RecordingTiming, _ b: (channels: [TimingFeatures], conversation: Conversation?, speech: [[Span]], speakers: [TimingFeatures]),
    _ label: String
) {
    #expect(a.speech == b.speech, "\(label): speech")
    #expect(a.channels == b.channels, "\(label): channel timing")
    #expect(a.conversation == b.conversation, "\(label): conversation")
    #expect(a.speakers == b.speakers, "\(label): per-speaker timing")
}

func asTuple(
    _ r: RecordingTiming
) -> (channels: [TimingFeatures], conversation: Conversation?, speech: [[Span]], speakers: [TimingFeatures]) {
    (r.channels, r.conversation, r.speech, r.speakers)
}

/// Resident and peak resident memory of this process (kB), from /proc/self/status.
func processMemoryKB() -> (rss: Int, peak: Int) {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
    func field(_ name: String) -> Int {
        guard let line = s.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
    }
    return (field("VmRSS"), field("VmHWM"))
}

@Suite(.serialized) struct TimingChunkTests {
    static let small: TimingChunking = {
        var c = TimingChunking()
        c.coreS = 47  // deliberately not a divisor of the loop length
        c.marginS = 20
        c.maxClusterFrames = .max
        return c
    }()
    static let whole: TimingChunking = {
        var c = TimingChunking()
        c.coreS = 1e9
        c.maxClusterFrames = .max
        return c
    }()

    @Test func streamingCleanUpMatchesTheFrameRunForm() {
        let cfg = VoiceActivityConfig()
        let g = FrameGrid(t1: 0.005, dt: 0.01, count: 5000)
        var rng = SplitMix64(seed: 42)
        for trial in 0..<20 {
            // Runs and gaps of 1–40 frames: many gaps around `minGapS`, runs around `minSpeechS`.
            var mask: [Bool] = []
            var on = rng.uniform() < 0.5
            while mask.count < g.count {
                mask += [Bool](repeating: on, count: 1 + Int(rng.uniform() * (trial % 2 == 0 ? 40 : 15)))
                on.toggle()
            }
            mask = Array(mask.prefix(g.count))
            let voiced = (0..<g.count).map { _ in rng.uniform() < 0.3 }
            #expect(
                VoiceActivity.cleanUp(mask, voiced: voiced, grid: g, config: cfg)
                    == referenceCleanUp(mask, voiced: voiced, grid: g, config: cfg),
                "trial \(trial)")
        }
    }

    @Test func exactQuantilesMatchSorting() {
        var rng = SplitMix64(seed: 7)
        for n in [1, 2, 3, 10, 11, 101, 5000, 70_000] {
            // Negative and positive values, many ties (coarse steps), like dB differences.
            let v = (0..<n).map { _ in Float((rng.uniform() * 80 - 30).rounded() / 4) + (rng.uniform() < 0.5 ? 0 : Float(rng.uniform())) }
            let sorted = v.sorted()
            var med = ExactQuantile(q: 0.5)
            v.forEach { med.add($0) }
            let refine = med.startSecondPass()
            #expect(refine)
            v.forEach { med.refine($0) }
            #expect(med.result() == percentileSorted(sorted, 0.5), "median of \(n)")
            var top = TopValues(percentile: 0.99, of: n)
            v.forEach { top.add($0) }
            #expect(top.percentile(0.99, of: n) == percentileSorted(sorted, 0.99), "p99 of \(n)")
        }
        var none = ExactQuantile(q: 0.5)
        let refine = none.startSecondPass()
        #expect(!refine && none.result() == 0)
    }

    @Test func sourceWithoutSpeechFramesIsAnErrorNotATrap() throws {
        // A spill written without voice-activity frames (speech empty): a clear error.
        let full = syntheticSource(seconds: 60)
        let bad = ChannelFrameSource(grid: full.grid) { r in
            var f = try full.load(r)
            f.speech = SpeechFrames(grid: FrameGrid(t1: f.pitch.grid.t1, dt: 0.01, count: 0))
            return f
        }
        #expect(throws: FrameSourceError.self) { try TimingAnalysis.run(channels: [TimingChannelInput(role: "x", source: bad)]) }
        // The same source with its frames: speech found, 4 s cycles of 2.6 s speech.
        let ok = try TimingAnalysis.run(channels: [TimingChannelInput(role: "x", source: full)])
        #expect(ok.speech[0].count == 15)
        // ±1 frame: the hysteresis test averages each frame with its neighbours.
        #expect(ok.speech[0].allSatisfy { abs($0.duration - 2.6) <= 0.031 }, "\(ok.speech[0])")
    }

    @Test func sourceRunEqualsWholeArraysOnTheInterview() throws {
        let (ch, rate) = try InterviewSample.channels()
        let roles = ["interviewer", "interviewee"]
        let results = ch.map { analyzeChannel($0, rate: rate) }
        let tracks = results.enumerated().map { k, r in (role: roles[k], frames: r.frames, pitch: r.pitch) }
        let inputs = tracks.map { TimingChannelInput(role: $0.role, frames: $0.frames, pitch: $0.pitch) }
        // Stereo: VAD, coupling, bleed suppression, conversation, timing.
        let stereo = try TimingAnalysis.run(channels: inputs)
        expectSameTiming(stereo, wholeArrayRun(tracks), "stereo")
        var s = TimingSettings()
        s.chunking = Self.small
        expectSameTiming(try TimingAnalysis.run(channels: inputs, settings: s), asTuple(stereo), "stereo, 47 s chunks")
        // Segments: every turn, measured from the source vs the whole arrays.
        let truth = try InterviewSample.truth()
        let segs = truth.turns.map {
            Segment(
                id: $0.label, label: $0.label, speaker: $0.speaker, start: $0.start - 0.2, end: $0.end + 0.2,
                role: $0.role == "question" ? .question : .answer)
        }
        let st = try TimingAnalysis.segments(segs, channels: inputs, recording: stereo)
        for (seg, t) in zip(segs, st) {
            let k = t.source
            let others = stereo.speech.enumerated().filter { $0.offset != k }.flatMap(\.element)
            let want = Timing.analyze(
                speech: stereo.speech[k], frames: tracks[k].frames, pitch: tracks[k].pitch,
                otherSpeech: others, range: seg.span)
            #expect(t.timing == want, "segment \(seg.label)")
            #expect(t.timing.syllableCount > 0, "segment \(seg.label) has syllables")
        }
        // Mono downmix (two-speaker clustering), and the mix stored twice (copies).
        let mix = analyzeChannel(zip(ch[0], ch[1]).map { 0.5 * ($0 + $1) }, rate: rate)
        let m = (role: "unknown", frames: mix.frames, pitch: mix.pitch)
        let mono = try TimingAnalysis.run(
            channels: [TimingChannelInput(role: m.role, frames: m.frames, pitch: m.pitch)],
            monoSpeakers: roles)
        expectSameTiming(mono, wholeArrayRun([m], monoSpeakers: roles), "mono")
        #expect(mono.conversation?.estimate == true)
        let copies = roles.map { (role: $0, frames: mix.frames, pitch: mix.pitch) }
        let copyRun = try TimingAnalysis.run(channels: copies.map { TimingChannelInput(role: $0.role, frames: $0.frames, pitch: $0.pitch) })
        expectSameTiming(copyRun, wholeArrayRun(copies), "copies")
        #expect(copyRun.conversation?.method.hasPrefix("mono-clustering") == true)
        // Without a pitch track: periodicity voicing, as `detect(frames:pitch: nil)`.
        let noPitch = PitchTrack(grid: FrameGrid(t1: 0, dt: 0.01, count: 0), f0: [], strength: [])
        let np = try TimingAnalysis.run(channels: [TimingChannelInput(role: "x", frames: results[0].frames, pitch: noPitch)])
        #expect(np.speech[0] == VoiceActivity.detect(frames: results[0].frames, pitch: nil))
        #expect(np.channels[0] == Timing.analyze(speech: np.speech[0], frames: results[0].frames, pitch: nil))
    }

    @Test func chunkedRunEqualsOneChunkOnALongRecording() throws {
        // 42 copies of the interview (30 min), levels shifting by copy: stereo and mono mix.
        let (ch, rate) = try InterviewSample.channels()
        let roles = ["interviewer", "interviewee"]
        let offsets: [Float] = [0, -4, 3, -8, 5, -2, 1]
        let reps = 42
        let stereo = ch.enumerated().map { k, x -> (role: String, frames: SpeechFrames, pitch: PitchTrack) in
            let r = analyzeChannel(x, rate: rate)
            let (f, p) = loopFrames(r.frames, r.pitch, reps: reps, offsets: offsets)
            return (roles[k], f, p)
        }
        let minutes = Double(stereo[0].frames.grid.count) * 0.01 / 60
        #expect(minutes > 25)
        let inputs = stereo.map { TimingChannelInput(role: $0.role, frames: $0.frames, pitch: $0.pitch) }
        var s = TimingSettings()
        s.chunking = Self.whole
        let one = try TimingAnalysis.run(channels: inputs, settings: s)
        expectSameTiming(one, wholeArrayRun(stereo), "long stereo, one chunk vs whole arrays")
        s.chunking = Self.small
        let chunked = try TimingAnalysis.run(channels: inputs, settings: s)
        expectSameTiming(chunked, asTuple(one), "long stereo, 47 s chunks vs one chunk")
        // The last question of a copy and the first of the next join into one turn.
        #expect(one.conversation!.turns.count == 12 * reps + 1, "\(one.conversation!.turns.count) turns")
        print(
            "[timing] \(String(format: "%.1f", minutes)) min stereo: \(one.conversation!.turns.count) turns, pauses \(one.channels.map(\.pauseCount)), syllables \(one.channels.map(\.syllableCount)); 47 s chunks identical"
        )
        // Segments straddling chunk boundaries (every 47 s), long and short.
        let segs = stride(from: 30.0, to: minutes * 60 - 200, by: 97).enumerated().map { i, t in
            Segment(id: "s\(i)", label: "s\(i)", speaker: roles[i % 2], start: t, end: t + (i % 3 == 0 ? 150 : 25), role: .other)
        }
        let a = try TimingAnalysis.segments(segs, channels: inputs, recording: chunked, settings: s)
        s.chunking = Self.whole
        let b = try TimingAnalysis.segments(segs, channels: inputs, recording: one, settings: s)
        #expect(a == b)
        #expect(a.allSatisfy { $0.timing.syllableCount > 0 })

        // Mono mix: clustering fitted on every voiced frame, spreading and smoothing in windows.
        var mixed = [Float](repeating: 0, count: ch[0].count)
        for i in mixed.indices { mixed[i] = 0.5 * (ch[0][i] + ch[1][i]) }
        let r = analyzeChannel(mixed, rate: rate)
        let (f, p) = loopFrames(r.frames, r.pitch, reps: reps, offsets: offsets)
        let monoIn = [TimingChannelInput(role: "unknown", frames: f, pitch: p)]
        s.chunking = Self.whole
        let monoOne = try TimingAnalysis.run(channels: monoIn, monoSpeakers: roles, settings: s)
        expectSameTiming(monoOne, wholeArrayRun([("unknown", f, p)], monoSpeakers: roles), "long mono, one chunk vs whole arrays")
        s.chunking = Self.small
        expectSameTiming(
            try TimingAnalysis.run(channels: monoIn, monoSpeakers: roles, settings: s), asTuple(monoOne),
            "long mono, 47 s chunks vs one chunk")
        // Fitted on a subsample (the default cap, 60 000 voiced frames): an estimate close to
        // the full fit.
        s.chunking = TimingChunking()
        let sub = try TimingAnalysis.run(channels: monoIn, monoSpeakers: roles, settings: s)
        let shareFull = monoOne.conversation!.talkShare["interviewer"]!, shareSub = sub.conversation!.talkShare["interviewer"]!
        print(
            "[timing] \(String(format: "%.1f", minutes)) min mono: talk share \(String(format: "%.4f", shareFull)) (full fit), \(String(format: "%.4f", shareSub)) (subsample fit); turns \(monoOne.conversation!.turns.count) vs \(sub.conversation!.turns.count)"
        )
        #expect(abs(shareFull - shareSub) <= 0.01)
        #expect(abs(monoOne.conversation!.turns.count - sub.conversation!.turns.count) <= reps)
    }

    /// Runs in a child process (see `memoryIsFlatInDuration`): analyses a synthetic source of
    /// `CANDOR_TIMING_PROBE_S` seconds and prints the peak resident memory.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CANDOR_TIMING_PROBE_S"] != nil))
    func memoryProbe() throws {
        let env = ProcessInfo.processInfo.environment
        let seconds = Double(env["CANDOR_TIMING_PROBE_S"]!)!
        let before = processMemoryKB()
        let stereo = try TimingAnalysis.run(
            channels: [0, 1].map {
                TimingChannelInput(
                    role: ["interviewer", "interviewee"][$0],
                    source: syntheticSource(seconds: seconds, own: $0))
            })
        let mono = try TimingAnalysis.run(
            channels: [TimingChannelInput(role: "unknown", source: syntheticSource(seconds: seconds))],
            monoSpeakers: ["a", "b"])
        let after = processMemoryKB()
        print(
            "PROBE seconds=\(Int(seconds)) rss_before_kb=\(before.rss) peak_kb=\(after.peak) turns=\(stereo.conversation!.turns.count),\(mono.conversation!.turns.count) syllables=\(stereo.channels.map(\.syllableCount)),\(mono.speakers.map(\.syllableCount))"
        )
    }

    @Test func memoryIsFlatInDuration() throws {
        // Each duration in its own process, so the peak (VmHWM) is this analysis alone: 10
        // minutes and 3 hours, stereo and mono, frames generated on demand by the sources.
        let exe = URL(fileURLWithPath: CommandLine.arguments[0])
        func probe(_ seconds: Int) throws -> (base: Int, peak: Int, line: String) {
            let p = Process()
            p.executableURL = exe
            p.arguments = ["--testing-library", "swift-testing", "--filter", "TimingChunkTests/memoryProbe"]
            var env = ProcessInfo.processInfo.environment
            env["CANDOR_TIMING_PROBE_S"] = "\(seconds)"
            p.environment = env
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            let text = String(decoding: data, as: UTF8.self)
            let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("PROBE") }, "probe output: \(text.suffix(2000))")
            func field(_ k: String) -> Int {
                Int(line.split(separator: " ").first { $0.hasPrefix(k + "=") }!.dropFirst(k.count + 1)) ?? -1
            }
            return (field("rss_before_kb"), field("peak_kb"), String(line))
        }
        let short = try probe(600)
        let long = try probe(3 * 3600)
        print(
            "[timing] memory: 10 min peak \(short.peak / 1024) MB (start \(short.base / 1024) MB); 3 h peak \(long.peak / 1024) MB (start \(long.base / 1024) MB)"
        )
        print("[timing] \(short.line)\n[timing] \(long.line)")
        // Whole-array tracks alone would take 52 bytes per frame per channel: 3 h = 1.08 M
        // frames, 56 MB per channel (three channels here). Measured: 4 MB over the start at
        // 10 min, 7 MB at 3 h — the windows are the same size (2-minute chunks), the mono
        // k-means fit grows to its cap (60 000 rows, 3.4 MB), and the event lists (a turn
        // every 4 s here) take the rest.
        let growth = (long.peak - long.base) - (short.peak - short.base)
        #expect(growth < 5 * 1024, "peak grows by \(growth) kB from 10 min to 3 h")
    }
}
