import CandorCore
/// How the timing analysis pages a channel's frames from its `ChannelFrameSource`.
///
/// Not written to the analysis JSON: voice activity, bleed suppression and the mono
/// clustering's label spreading are local (see `TimingAnalysis.run`), so the results do not
/// depend on the chunk size except in pathological cases, and the loud reference and the
/// couplings are exact whatever the chunk size. `maxClusterFrames` does change the mono
/// estimate of recordings with more voiced speech frames than that.
public struct TimingChunking: Sendable, Equatable {
    /// Frames whose results one chunk produces (seconds). 2 minutes: a 10-minute recording
    /// is paged like a 3-hour one, so peak memory is the same.
    public var coreS: Double = 120
    /// Frames loaded on each side of a chunk's core (seconds): at least the voice-activity
    /// noise-floor window (±15.5 s) plus room for hysteresis and label spreading.
    public var marginS: Double = 45
    /// The mono two-speaker k-means is fitted on at most this many voiced speech frames (a
    /// uniform stride subsample beyond; every frame is then assigned to the nearest centre).
    public var maxClusterFrames: Int = 60_000
    public init() {}

    /// Frames per chunk core on a grid of `count` frames of `dt` s (at least 1).
    func coreFrames(dt: Double, count: Int) -> Int {
        let f = coreS / dt
        return f.isFinite ? max(1, min(count, Int(f.rounded()))) : max(1, count)
    }
}

/// A frame source returned tracks that do not cover the frames asked for.
public struct FrameSourceError: CandorError, Sendable {
    public var exitStatus: ExitStatus { .failure }
    public var description: String
}

extension ChannelFrameSource {
    /// `load(r)`, checked: the speech frames (and the pitch track, unless empty: no pitch)
    /// must hold `r.count` frames, else a `FrameSourceError` (never an out-of-range trap).
    func loadChecked(_ r: Range<Int>) throws -> ChannelFrames {
        let f = try load(r)
        let nb = SpeechFrames.shapeBands
        let s = f.speech
        let n = r.count
        guard s.bandDb.count == n, s.periodicity.count == n, s.f0.count == n, s.syllableDb.count == n, s.shape.count == n * nb else {
            throw FrameSourceError(
                description:
                    "frame source: speech frames \(r) hold \(s.bandDb.count) frames, expected \(n) (voice-activity frames missing?)")
        }
        guard f.pitch.f0.isEmpty || f.pitch.f0.count == n else {
            throw FrameSourceError(description: "frame source: pitch frames \(r) hold \(f.pitch.f0.count) frames, expected \(n)")
        }
        return f
    }
}

/// Core ranges of a recording's frames and the windows (core plus margins, clipped to the
/// recording) to load for them. Core starts and margins are multiples of `align` frames so
/// that the voice-activity detector's 0.5 s level blocks fall where they do on the whole track.
struct ChunkPlan {
    let count: Int
    let core: Int
    let margin: Int

    init(count: Int, core: Int, margin: Int, align: Int = 1) {
        let a = max(1, align)
        self.count = count
        self.core = max(a, (core + a - 1) / a * a)
        self.margin = max(0, (margin + a - 1) / a * a)
    }

    init(grid: FrameGrid, chunking: TimingChunking, minMarginS: Double, align: Int = 1) {
        let core = chunking.coreFrames(dt: grid.dt, count: grid.count)
        let m = max(chunking.marginS, minMarginS) / grid.dt
        let margin = m.isFinite ? min(grid.count, Int(m.rounded(.up))) : grid.count
        self.init(count: grid.count, core: core, margin: margin, align: align)
    }

    var chunks: [(core: Range<Int>, window: Range<Int>)] {
        stride(from: 0, to: count, by: core).map { c0 in
            let c1 = min(count, c0 + core)
            return (c0..<c1, max(0, c0 - margin)..<min(count, c1 + margin))
        }
    }
}

/// Maximal runs of `true` in a mask fed frame by frame (`frameRuns` for a stream).
struct RunStream {
    private(set) var next = 0
    private var start = -1

    /// Feeds the next frame; returns the run it closes, if any.
    mutating func push(_ on: Bool) -> Range<Int>? {
        defer { next += 1 }
        if on {
            if start < 0 { start = next }
            return nil
        }
        guard start >= 0 else { return nil }
        defer { start = -1 }
        return start..<next
    }

    /// The run still open at the end of the stream.
    mutating func finish() -> Range<Int>? {
        guard start >= 0 else { return nil }
        defer { start = -1 }
        return start..<next
    }
}

/// `VoiceActivity.cleanUp` for a mask fed frame by frame: closes gaps shorter than
/// `minGapS`, drops runs shorter than `minSpeechS` with fewer than `minVoicedS` voiced frames
/// (counted over the merged run, gaps included), and converts runs to spans on `grid`.
struct SpanBuilder {
    let grid: FrameGrid
    let minGap: Int, minLen: Int, minVoiced: Int
    private(set) var spans: [Span] = []
    private var next = 0
    private var inRun = false
    /// The merged run not yet emitted (a later run may still join it).
    private var pending: Range<Int>? = nil
    /// Voiced frames from `pending`'s start up to the current frame, and up to its end.
    private var voicedSince = 0
    private var voicedInPending = 0

    init(grid: FrameGrid, config: VoiceActivityConfig) {
        self.grid = grid
        minGap = Int((config.minGapS / grid.dt).rounded())
        minLen = Int((config.minSpeechS / grid.dt).rounded())
        minVoiced = Int((config.minVoicedS / grid.dt).rounded())
    }

    mutating func push(_ on: Bool, voiced: Bool) {
        let i = next
        next += 1
        if on && !inRun {
            // A run starts: it joins the pending one across a short gap, else closes it.
            if pending == nil || i - pending!.upperBound >= minGap {
                emit()
                pending = i..<i
                voicedSince = 0
            }
        }
        inRun = on
        if pending != nil && voiced { voicedSince += 1 }
        if on {
            pending = pending!.lowerBound..<(i + 1)
            voicedInPending = voicedSince
        }
    }

    private mutating func emit() {
        guard let r = pending else { return }
        pending = nil
        if r.count < minLen && voicedInPending < minVoiced { return }
        spans.append(Span(grid.time(r.lowerBound) - grid.dt / 2, grid.time(r.upperBound - 1) + grid.dt / 2))
    }

    mutating func finish() -> [Span] {
        emit()
        return spans
    }
}

/// The `q` quantile (as `percentileSorted`) of values seen in two passes, exactly, in
/// constant memory: the first pass histograms the top 16 bits of each value's order key,
/// the second the low 16 bits inside the one or two buckets holding the needed ranks.
struct ExactQuantile {
    let q: Double
    private(set) var count = 0
    private var high = [UInt32](repeating: 0, count: 1 << 16)
    private var ranks: [Int] = []
    /// Per rank: index into `buckets`/`low`/`below`.
    private var rankBucket: [Int] = []
    private var buckets: [UInt32] = []
    private var low: [[UInt32]] = []
    /// Values below each bucket.
    private var below: [Int] = []

    init(q: Double) { self.q = q }

    @inline(__always) static func key(_ v: Float) -> UInt32 {
        let b = v.bitPattern
        return b & 0x8000_0000 != 0 ? ~b : b | 0x8000_0000
    }
    @inline(__always) static func value(_ k: UInt32) -> Float {
        Float(bitPattern: k & 0x8000_0000 != 0 ? k & 0x7FFF_FFFF : ~k)
    }

    /// First pass.
    mutating func add(_ v: Float) {
        high[Int(Self.key(v) >> 16)] += 1
        count += 1
    }

    /// Ends the first pass; false when no value was seen (the quantile is then 0).
    mutating func startSecondPass() -> Bool {
        guard count > 0 else { return false }
        let x = q * Double(count - 1)
        let i = Int(x)
        ranks = i + 1 < count ? [i, i + 1] : [i]
        var cum = 0
        var b = 0
        for r in ranks {
            while cum + Int(high[b]) <= r { cum += Int(high[b]); b += 1 }
            if buckets.last != UInt32(b) {
                buckets.append(UInt32(b))
                below.append(cum)
                low.append([UInt32](repeating: 0, count: 1 << 16))
            }
            rankBucket.append(buckets.count - 1)
        }
        high = []
        return true
    }

    /// Second pass (the same values again, in any order).
    mutating func refine(_ v: Float) {
        let k = Self.key(v)
        let h = k >> 16
        for (j, b) in buckets.enumerated() where b == h { low[j][Int(k & 0xFFFF)] += 1 }
    }

    /// After the second pass: the values of sorted rank ⌊q(n−1)⌋ and, when there is one,
    /// the next rank (the quantile interpolates between them), and the interpolation
    /// fraction. Empty when no value was seen.
    func orderStatistics() -> (values: [Float], fraction: Float) {
        guard count > 0 else { return ([], 0) }
        let vals = zip(ranks, rankBucket).map { r, j -> Float in
            var cum = below[j]
            var l = 0
            while cum + Int(low[j][l]) <= r { cum += Int(low[j][l]); l += 1 }
            return Self.value(buckets[j] << 16 | UInt32(l))
        }
        let x = q * Double(count - 1)
        return (vals, Float(x - Double(Int(x))))
    }

    /// The quantile after the second pass.
    func result() -> Float {
        let (vals, f) = orderStatistics()
        guard let first = vals.first else { return 0 }
        return vals.count == 2 ? first * (1 - f) + vals[1] * f : first
    }
}

/// The `k` largest values seen (a min-heap): an exact high percentile of `n` values known
/// in advance in one pass and `n − ⌊q(n−1)⌋` floats of memory (1 % of them for q = 0.99).
struct TopValues {
    let k: Int
    private var heap: [Float] = []

    init(k: Int) {
        self.k = max(1, k)
        heap.reserveCapacity(self.k)
    }

    /// Collector for `percentileSorted(sorted values, q)` over `n` values.
    init(percentile q: Double, of n: Int) {
        self.init(k: n - Int(q * Double(max(0, n - 1))))
    }

    mutating func add(_ v: Float) {
        if heap.count < k {
            heap.append(v)
            var c = heap.count - 1
            while c > 0 {
                let p = (c - 1) / 2
                guard heap[c] < heap[p] else { break }
                heap.swapAt(c, p)
                c = p
            }
        } else if v > heap[0] {
            heap[0] = v
            var p = 0
            while true {
                let l = 2 * p + 1, r = l + 1
                var m = p
                if l < heap.count && heap[l] < heap[m] { m = l }
                if r < heap.count && heap[r] < heap[m] { m = r }
                if m == p { break }
                heap.swapAt(p, m)
                p = m
            }
        }
    }

    /// `percentileSorted(all values sorted, q)` when `n` values were added (`init(percentile:of:)`).
    func percentile(_ q: Double, of n: Int) -> Float {
        guard n > 0, !heap.isEmpty else { return 0 }
        let x = q * Double(n - 1)
        let f = Float(x - Double(Int(x)))
        let a = heap[0]
        guard heap.count >= 2 else { return a }
        let b = heap.count >= 3 ? min(heap[1], heap[2]) : heap[1]
        return a * (1 - f) + b * f
    }
}

/// Frames of `spans` (centre inside a span) among `range` of `grid`, as `spanMask` does over
/// the whole grid: element `j` is frame `range.lowerBound + j`.
func spanMask(_ spans: [Span], grid: FrameGrid, range: Range<Int>) -> [Bool] {
    var m = [Bool](repeating: false, count: range.count)
    forEachSpanFrames(spans, grid: grid) { a, b in
        let lo = max(a, range.lowerBound), hi = min(b, range.upperBound - 1)
        if lo <= hi { for i in lo...hi { m[i - range.lowerBound] = true } }
    }
    return m
}

/// Number of frames of `grid` whose centre lies in one of `spans`.
func spanFrameCount(_ spans: [Span], grid: FrameGrid) -> Int {
    var ranges: [ClosedRange<Int>] = []
    forEachSpanFrames(spans, grid: grid) { a, b in ranges.append(a...b) }
    ranges.sort { $0.lowerBound < $1.lowerBound }
    var n = 0, covered = -1
    for r in ranges where r.upperBound > covered {
        n += r.upperBound - max(r.lowerBound, covered + 1) + 1
        covered = r.upperBound
    }
    return n
}

/// The first and last frame (inclusive, clamped to the grid) of every span that holds one.
func forEachSpanFrames(_ spans: [Span], grid: FrameGrid, _ body: (Int, Int) -> Void) {
    for s in spans {
        let a = max(0, Int(((s.start - grid.t1) / grid.dt).rounded(.up)))
        let b = min(grid.count - 1, Int(((s.end - grid.t1) / grid.dt).rounded(.up)) - 1)
        if a <= b { body(a, b) }
    }
}
