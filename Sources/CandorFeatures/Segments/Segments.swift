import CandorAudio

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One annotated stretch of the recording (from `--segments FILE`).
public struct Segment: Sendable, Codable, Equatable {
    public var id: String
    public var label: String
    /// The speaker (TextGrid tier name, WebVTT `<v Name>`, CSV `speaker` column); "" when unknown.
    public var speaker: String
    public var start: Double
    public var end: Double
    public var role: SegmentRole
    /// 1-based line in the segment file where the segment is defined (for error messages;
    /// not part of the JSON).
    public var line: Int = 0

    enum CodingKeys: String, CodingKey { case id, label, speaker, start, end, role }

    public init(id: String, label: String, speaker: String, start: Double, end: Double, role: SegmentRole, line: Int = 0) {
        self.id = id
        self.label = label
        self.speaker = speaker
        self.start = start
        self.end = end
        self.role = role
        self.line = line
    }
    public var span: Span { Span(start, end) }
}

// MARK: - Validation and per-segment analysis

public enum Segments {
    /// Checks segments against the recording. Documented behaviour:
    /// - `end <= start` → error;
    /// - a segment starting before 0 or ending more than `tolerance` (default 0.05 s) after
    ///   the recording's end → error (a segment ending within the tolerance is clamped to
    ///   the end: annotation tools round times);
    /// - two segments of the same speaker that overlap by more than `tolerance` → error
    ///   naming both lines (segments of different speakers may overlap: that is cross-talk).
    /// Returns the segments sorted by start (clamped).
    public static func validate(
        _ segments: [Segment], duration: Double, path: String,
        tolerance: Double = 0.05
    ) throws -> [Segment] {
        var out: [Segment] = []
        for var s in segments {
            let at = "line \(s.line): segment '\(s.id)'"
            guard s.end > s.start else {
                throw InputError(path: path, problem: "\(at) ends (\(s.end) s) at or before it starts (\(s.start) s)")
            }
            guard s.start >= 0 else {
                throw InputError(path: path, problem: "\(at) starts before the recording (\(s.start) s)")
            }
            guard s.start < duration, s.end <= duration + tolerance else {
                throw InputError(
                    path: path, problem: "\(at) [\(s.start), \(s.end)] s lies outside the recording (0–\(formatSeconds(duration)) s)")
            }
            s.end = min(s.end, duration)
            out.append(s)
        }
        out.sort { $0.start != $1.start ? $0.start < $1.start : $0.line < $1.line }
        var lastBySpeaker: [String: Segment] = [:]
        for s in out {
            if let p = lastBySpeaker[s.speaker], p.end - s.start > tolerance {
                let who = s.speaker.isEmpty ? "the same (unnamed) speaker" : "speaker '\(s.speaker)'"
                throw InputError(
                    path: path,
                    problem:
                        "line \(s.line): segment '\(s.id)' [\(s.start), \(s.end)] overlaps segment '\(p.id)' of line \(p.line) [\(p.start), \(p.end)] of \(who)"
                )
            }
            if lastBySpeaker[s.speaker].map({ s.end > $0.end }) ?? true { lastBySpeaker[s.speaker] = s }
        }
        return out
    }

    /// Response latency of an answer segment: the answering speaker's first speech onset at
    /// or after the answer segment's start, minus the asking speaker's last speech offset
    /// at or before the question segment's end. nil when either has no speech there.
    public static func responseLatency(
        question: Segment, questionSpeech: [Span],
        answer: Segment, answerSpeech: [Span]
    ) -> Double? {
        guard let qEnd = questionSpeech.compactMap({ $0.clipped(to: question.span) }).last?.end,
            let aStart = answerSpeech.compactMap({ $0.clipped(to: answer.span) }).first?.start
        else { return nil }
        return aStart - qEnd
    }

    /// For every answer segment, the nearest preceding question segment (by end time), if any.
    public static func questionFor(answerAt index: Int, in segments: [Segment]) -> Int? {
        let a = segments[index]
        var best: Int? = nil
        for (i, s) in segments.enumerated() where s.role == .question && s.end <= a.start + 0.5 {
            if best.map({ segments[$0].end < s.end }) ?? true { best = i }
        }
        return best
    }

    /// Z-scores of answer segments against the same speaker's baseline segments.
    ///
    /// `features[i]` are segment i's numeric features by name. For each answer segment and
    /// feature: z = (x − mean_baseline) / sd_baseline, using the same speaker's baseline
    /// segments that have the feature (sample sd, n − 1). Left out when fewer than 2
    /// baselines have it or their sd is 0. Non-answer segments get empty dictionaries.
    public static func baselineZScores(segments: [Segment], features: [[String: Double]]) -> [[String: Double]] {
        precondition(segments.count == features.count)
        var out = [[String: Double]](repeating: [:], count: segments.count)
        for (i, s) in segments.enumerated() where s.role == .answer {
            let base = segments.indices.filter { segments[$0].role == .baseline && segments[$0].speaker == s.speaker }
            for (name, x) in features[i] {
                let vals = base.compactMap { features[$0][name] }.filter { $0.isFinite }
                guard vals.count >= 2, x.isFinite else { continue }
                let m = vals.reduce(0, +) / Double(vals.count)
                let v = vals.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(vals.count - 1)
                guard v > 0 else { continue }
                out[i][name] = (x - m) / v.squareRoot()
            }
        }
        return out
    }
}
