import CandorCore
import CandorAudio
import CandorFeatures
import CandorModels

// Checks that the speaker roles, the channels and the segments line up, and the warnings an
// interview room calls for (crosstalk, a segment measured on the quieter channel).
// The rules are documented in docs/user-guide.md ("Roles, channels and segments").

/// `--roles` must name one role per analysed channel; a one-channel analysis may take two
/// roles (the two-speaker estimate). Throws a usage error (exit 2) otherwise.
package func checkRoles(_ roles: [String], analysedChannels n: Int, file: String) throws {
    guard !roles.isEmpty else { return }
    if roles.count == n || (n == 1 && roles.count == 2) { return }
    let what =
        n == 1
        ? "1 channel (give 1 role, or 2 for the two-speaker estimate)"
        : "\(n) channels (give exactly one role per channel, in channel order)"
    throw RolesError(
        message: "\(file): --roles names \(roles.count) role(s) (\(roles.joined(separator: ","))) but the analysis has \(what)")
}

/// The speaker names the measurement is routed by: segment speakers after `--speaker-map`.
package func mappedSegments(_ segments: [Segment], map: [String: String]) -> [Segment] {
    guard !map.isEmpty else { return segments }
    return segments.map { s in
        var m = s
        if let r = map[s.speaker.lowercased()] { m.speaker = r }
        return m
    }
}

/// Every segment must say whose voice it measures when there are several speakers (two or
/// more channels, or a mono file with two roles): its speaker (after `--speaker-map`) must
/// equal a role, case-insensitively; a segment without a speaker falls back on its role
/// (question → `interviewer`, answer/baseline → `interviewee`), which must then be a role.
/// Throws `InputError` (exit 3) naming the first segment that matches none.
package func checkSegmentSpeakers(
    _ segments: [Segment], roles: [String], analysedChannels n: Int,
    map: [String: String], path: String
) throws {
    let speakers = n >= 2 ? n : (roles.count >= 2 ? 2 : 1)
    guard speakers >= 2 else { return }
    let lower = Set(roles.map { $0.lowercased() })
    let known = roles.isEmpty ? "no --roles given" : "roles: \(roles.joined(separator: ", "))"
    for (s, o) in zip(mappedSegments(segments, map: map), segments) {
        let original = o.speaker
        let at = s.line > 0 ? "line \(s.line): " : ""
        let name = segmentName(s)
        if !s.speaker.isEmpty {
            guard lower.contains(s.speaker.lowercased()) else {
                throw InputError(
                    path: path,
                    problem:
                        "\(at)segment \(name) has speaker '\(original)', which matches no role (\(known)); name segment speakers as the roles or map them with --speaker-map '\(original)=ROLE'"
                )
            }
        } else {
            let want = s.role == .question ? "interviewer" : (s.role == .other ? "" : "interviewee")
            guard !want.isEmpty, lower.contains(want) else {
                throw InputError(
                    path: path,
                    problem:
                        "\(at)segment \(name) (\(s.role.rawValue)) has no speaker and no role it falls back on (\(known)); give the segment a speaker"
                )
            }
        }
    }
}

/// A segment measured on a channel that is clearly quieter (`marginDb`) than another
/// channel over the segment: the segment's speaker is probably on the other microphone
/// (roles swapped, or the wrong speaker name). One message per such segment.
package func swappedChannelWarnings(
    segments: [Segment], sources: [Int], channels: [ChannelAnalysis],
    marginDb: Double = 6
) throws -> [Int: String] {
    guard channels.count >= 2 else { return [:] }
    var out: [Int: String] = [:]
    for (i, s) in segments.enumerated() {
        let k = sources[i]
        guard k < channels.count else { continue }
        let levels = try channels.map { c -> Double? in
            let f = try c.load(frameRange(c.grid, from: s.start, to: s.end))
            return meanIntensityDB(f.intensity.db[...])
        }
        for (j, l) in levels.enumerated() where j != k {
            guard let l else { continue }
            // A channel with nothing above the intensity floor is silent: quieter than any.
            let how = levels[k].map { l - $0 > marginDb ? "\(formatNumber(l - $0, digits: 1)) dB quieter than" : nil } ?? "silent, unlike"
            if let how {
                out[i] =
                    "segment \(segmentName(s)) (speaker '\(s.speaker)') is measured on channel \(k), which is \(how) channel \(j) over the segment: check --roles and the segment's speaker (swapped?)"
                break
            }
        }
    }
    return out
}

/// A segment's id, with its label when that differs: `'s3' ("Q2")`.
package func segmentName(_ s: Segment) -> String {
    // The label in double quotes whenever there is one (ids are often the labels themselves).
    s.label.isEmpty ? "'\(s.id)'" : s.label == s.id ? "\"\(s.label)\"" : "'\(s.id)' (\"\(s.label)\")"
}

/// One warning per channel whose crosstalk is above the warning level.
package func bleedWarnings(_ bleed: [BleedEstimate], roles: (Int) -> String) -> [String] {
    bleed.enumerated().compactMap { k, b in
        guard b.warning, let db = b.bleedDb else { return nil }
        let from = b.fromChannel.map { " from channel \($0) (\(roles($0)))" } ?? ""
        return
            "channel \(k) (\(roles(k))) carries crosstalk\(from) at \(formatNumber(db, digits: 1)) dB (above \(formatNumber(OwnVoiceConfig().warnBleedDb, digits: 0)) dB): own-voice attribution removes it, but quiet own speech under loud crosstalk may be lost or carry the other voice"
    }
}

/// The parts of `spans` inside `range`.
package func clip(_ spans: [Span], to range: Span) -> [Span] {
    spans.compactMap { s in
        let a = max(s.start, range.start), b = min(s.end, range.end)
        return b > a ? Span(a, b) : nil
    }
}

/// The interview-quality model's inputs, read from the conversation's measures (one
/// definition: the same talk share, interruption count and latencies as the JSON and the
/// summary); the silences after questions and the interviewer's turn lengths come from the
/// turns (`ConversationMetrics.init(turns:…)`).
package func conversationMetrics(
    _ c: Conversation, _ m: ConversationMeasures, interviewer: String, interviewee: String
) -> ConversationMetrics {
    let turns = c.turns.map { CandorModels.Turn(speaker: $0.speaker, start: $0.start, end: $0.end) }
    var out = ConversationMetrics(turns: turns, interviewer: interviewer, interviewee: interviewee, durationS: m.durationS)
    out.intervieweeTalkShare = m.speaker(interviewee)?.talkShare
    out.interviewerInterruptions = m.interruptions(by: interviewer, of: interviewee)
    out.responseLatenciesS = c.responseLatenciesS
    return out
}

/// The summary's conversation line, from the measures (the numbers the JSON carries).
func conversationSummary(_ c: Conversation, _ m: ConversationMeasures, _ t: SummaryStrings) -> String {
    let share = m.speakers.map { "\($0.speaker) \(formatNumber(100 * $0.talkShare, digits: 1))%" }.joined(separator: t.separator)
    let lat =
        m.responseLatencyMedianS.map { t.fill(t.latency, formatNumber($0, digits: 3), String(m.responseLatencyCount)) } ?? t.latencyNone
    let dirs = m.interruptionsByDirection.map { "\($0.by) → \($0.of) \($0.count)" }.joined(separator: t.separator)
    return t.fill(
        t.conversationMeasured, c.estimate ? t.estimate : "", String(c.turns.count), share, lat, String(m.overlaps),
        String(m.interruptions), dirs.isEmpty ? "" : " (\(dirs))", String(m.backchannels))
}

/// `--roles` that do not fit the analysed channels: a usage error (exit 2).
public struct RolesError: CandorError, Sendable {
    public var message: String
    public var exitStatus: ExitStatus { .usage }
    public var description: String { message }
}
