import CandorAudio

/// Formant summaries of a recording in one streamed pass over the file: per analysed channel
/// (the downmix when `mix`), medians over the frames whose centre lies in the channel's speech
/// spans (all frames when none are given), and per segment over the frames inside it on its
/// channel. Memory: one window of sound per channel and fixed-size histograms (see
/// `FormantMedians`) for each channel and each segment in progress.
public enum FormantPass {
    public struct SegmentSpan: Sendable {
        public var channel: Int
        public var start: Double
        public var end: Double
        public init(channel: Int, start: Double, end: Double) {
            self.channel = channel
            self.start = start
            self.end = end
        }
    }

    public static func run(
        path: String, mix: Bool, settings: FormantSettings = FormantSettings(), speech: [[Span]?], segments: [SegmentSpan]
    ) throws -> (channels: [FormantSummary], segments: [FormantSummary?]) {
        let reader = try AudioReader(path: path)
        defer { reader.close() }
        let info = reader.info
        let analysed = mix ? 1 : info.channels
        var trackers = (0..<analysed).map { _ in
            FormantTracker(sampleRate: Double(info.sampleRate), duration: info.duration, settings: settings)
        }
        var channelMedians = [FormantMedians](repeating: FormantMedians(), count: analysed)
        var speechCursors: [SpanCursor?] = (0..<analysed).map { c in (c < speech.count ? speech[c] : nil).map(SpanCursor.init) }
        var segMedians = [FormantMedians?](repeating: nil, count: segments.count)
        var segDone = [FormantSummary?](repeating: nil, count: segments.count)
        let byChannel: [[Int]] = (0..<analysed).map { c in segments.indices.filter { segments[$0].channel == c } }
        // The frames any summary reads: a channel's speech spans and its segments (every frame
        // when the channel has no spans). The others are never solved, which keeps the pass
        // cheap on recordings with long silences; the summaries are the same.
        var needed: [SpanCursor?] = (0..<analysed).map { c in
            guard let spans = c < speech.count ? speech[c] : nil else { return nil }
            return SpanCursor(mergedSpans(spans + byChannel[c].map { Span(segments[$0].start, segments[$0].end) }))
        }
        func wanted(_ c: Int, _ t: Double) -> Bool { needed[c]?.contains(t) ?? true }

        func take(_ c: Int, _ f: FormantFrame) {
            let t = f.time
            if speechCursors[c]?.contains(t) ?? true { channelMedians[c].add(f) }
            for i in byChannel[c] where segDone[i] == nil {
                let s = segments[i]
                if t > s.end {
                    segDone[i] = (segMedians[i] ?? FormantMedians()).summary(settings)
                    segMedians[i] = nil
                } else if t >= s.start {
                    if segMedians[i] == nil { segMedians[i] = FormantMedians() }
                    segMedians[i]!.add(f)
                }
            }
        }

        let block = 4096
        var buf = [Float](repeating: 0, count: block * info.channels)
        var mono = [Float](repeating: 0, count: block)
        while true {
            let n = try buf.withUnsafeMutableBufferPointer { try reader.read(into: $0, frames: block) }
            if n == 0 { break }
            for c in 0..<analysed {
                for i in 0..<n {
                    if mix {
                        var s: Float = 0
                        for k in 0..<info.channels { s += buf[i * info.channels + k] }
                        mono[i] = s / Float(info.channels)
                    } else {
                        mono[i] = buf[i * info.channels + c]
                    }
                }
                mono[0..<n].withUnsafeBufferPointer { p in trackers[c].push(p, wanted: { wanted(c, $0) }, emit: { take(c, $0) }) }
            }
        }
        for c in 0..<analysed { trackers[c].finish(wanted: { wanted(c, $0) }, emit: { take(c, $0) }) }
        for i in segments.indices where segDone[i] == nil { segDone[i] = (segMedians[i] ?? FormantMedians()).summary(settings) }
        return (channelMedians.map { $0.summary(settings) }, segDone)
    }
}

/// Sorted, overlapping or touching spans joined.
func mergedSpans(_ spans: [Span]) -> [Span] {
    var out: [Span] = []
    for s in spans.sorted(by: { $0.start < $1.start }) {
        if let last = out.last, s.start <= last.end {
            out[out.count - 1].end = max(last.end, s.end)
        } else {
            out.append(s)
        }
    }
    return out
}
