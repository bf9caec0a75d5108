import CandorAudio

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a segment is in the interview.
public enum SegmentRole: String, Sendable, Codable, CaseIterable {
    case baseline, question, answer, other
}

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

/// Reads segment files: Praat TextGrid (long and short text formats, interval tiers),
/// WebVTT, SRT and CSV.
///
/// Roles and speakers:
/// - CSV: columns `start,end,label,speaker,role` (a header row naming them is optional and
///   may reorder them; times in seconds). An empty role means `other`.
/// - TextGrid: every interval tier is a speaker (tier name); empty intervals are skipped.
///   The role comes from the label (below). Point tiers are ignored.
/// - WebVTT/SRT: one segment per cue; WebVTT `<v Name>` gives the speaker; the cue
///   identifier (if any) becomes the id.
/// - Labels (TextGrid, WebVTT, SRT): a leading `[role]` or `role:` (baseline, question,
///   answer, other; case-insensitive) sets the role and is removed from the label;
///   otherwise the role is `other`.
///
/// Errors are `InputError`s naming the file and the 1-based line.
public enum SegmentReader {
    public static func read(path: String) throws -> [Segment] {
        let bytes = try readFileBytes(path)
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            throw InputError(path: path, problem: "empty segment file (no segments)")
        }
        let segments = try parse(bytes: bytes, path: path)
        if segments.isEmpty { throw InputError(path: path, problem: "no segments in the file") }
        return segments
    }

    /// Parses the bytes of a segment file; the format is detected from the content
    /// (TextGrid header, `WEBVTT` signature, SRT numbered cues) and the extension.
    public static func parse(bytes: [UInt8], path: String) throws -> [Segment] {
        let text = try decodeText(bytes, path: path)
        let lines = splitLines(text)
        let firstNonEmpty = lines.first { !$0.trimmed.isEmpty }?.trimmed ?? ""
        let lowerPath = path.lowercased()
        if firstNonEmpty.contains("ooTextFile") || lowerPath.hasSuffix(".textgrid") {
            var parser = TextGridParser(lines: lines, path: path)
            return try parser.parse()
        }
        if firstNonEmpty.hasPrefix("WEBVTT") || lowerPath.hasSuffix(".vtt") {
            return try parseCues(lines: lines, path: path, vtt: true)
        }
        if lowerPath.hasSuffix(".srt") || (Int(firstNonEmpty) != nil && lines.contains { $0.contains("-->") }) {
            return try parseCues(lines: lines, path: path, vtt: false)
        }
        if lowerPath.hasSuffix(".csv") || firstNonEmpty.contains(",") {
            return try parseCSV(lines: lines, path: path)
        }
        throw InputError(path: path, problem: "line 1: not a TextGrid, WebVTT, SRT or CSV segment file")
    }

    // MARK: roles and labels

    /// Splits `"[question] where were you"` / `"question: where were you"` into role and label.
    static func roleAndLabel(_ raw: String) -> (SegmentRole, String) {
        let s = raw.trimmed
        if s.hasPrefix("["), let close = s.firstIndex(of: "]") {
            let word = s[s.index(after: s.startIndex)..<close].trimmed.lowercased()
            if let r = SegmentRole(rawValue: word) { return (r, String(s[s.index(after: close)...]).trimmed) }
        }
        if let colon = s.firstIndex(of: ":") {
            let word = s[..<colon].trimmed.lowercased()
            if let r = SegmentRole(rawValue: word) { return (r, String(s[s.index(after: colon)...]).trimmed) }
        }
        if let r = SegmentRole(rawValue: s.lowercased()) { return (r, s) }
        return (.other, s)
    }

    // MARK: CSV

    static func parseCSV(lines: [String], path: String) throws -> [Segment] {
        var columns = ["start": 0, "end": 1, "label": 2, "speaker": 3, "role": 4]
        var out: [Segment] = []
        var sawHeader = false
        for (no, line) in csvRecords(lines) {
            if line.trimmed.isEmpty || line.trimmed.hasPrefix("#") { continue }
            let fields = try csvFields(line, path: path, line: no)
            let lower = fields.map { $0.trimmed.lowercased() }
            if !sawHeader && out.isEmpty && lower.contains("start") && lower.contains("end") {
                columns = [:]
                for (i, name) in lower.enumerated() { columns[name] = i }
                sawHeader = true
                continue
            }
            func field(_ name: String) -> String? {
                guard let i = columns[name], i < fields.count else { return nil }
                return fields[i].trimmed
            }
            guard let startText = field("start"), let endText = field("end") else {
                throw InputError(path: path, problem: "line \(no): expected at least 2 fields (start,end,label,speaker,role), found \(fields.count)")
            }
            guard let start = Double(startText), start.isFinite else {
                throw InputError(path: path, problem: "line \(no): start time '\(startText)' is not a number of seconds")
            }
            guard let end = Double(endText), end.isFinite else {
                throw InputError(path: path, problem: "line \(no): end time '\(endText)' is not a number of seconds")
            }
            let roleText = field("role") ?? ""
            var role = SegmentRole.other
            if !roleText.isEmpty {
                guard let r = SegmentRole(rawValue: roleText.lowercased()) else {
                    throw InputError(path: path, problem: "line \(no): role '\(roleText)' is not one of baseline, question, answer, other")
                }
                role = r
            }
            out.append(Segment(id: field("id").flatMap { $0.isEmpty ? nil : $0 } ?? "s\(out.count + 1)",
                               label: field("label") ?? "", speaker: field("speaker") ?? "",
                               start: start, end: end, role: role, line: no))
        }
        return out
    }

    /// RFC 4180 fields of one line (quoted fields, doubled quotes; no embedded newlines).
    /// Joins physical lines into CSV records: a quoted field may span lines (RFC 4180), its
    /// newlines kept. Each record carries the 1-based number of its first line.
    static func csvRecords(_ lines: [String]) -> [(Int, String)] {
        var out: [(Int, String)] = []
        var k = 0
        while k < lines.count {
            let first = k + 1
            var record = lines[k]
            var quotes = record.reduce(0) { $1 == "\"" ? $0 + 1 : $0 }
            while quotes % 2 == 1 && k + 1 < lines.count {
                k += 1
                record += "\n" + lines[k]
                quotes += lines[k].reduce(0) { $1 == "\"" ? $0 + 1 : $0 }
            }
            out.append((first, record))
            k += 1
        }
        return out
    }

    static func csvFields(_ line: String, path: String, line no: Int) throws -> [String] {
        var fields: [String] = []
        var cur = ""
        var quoted = false, wasQuoted = false
        var it = Array(line).makeIterator()
        var pending: Character? = nil
        while let c = pending ?? it.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let n = it.next() {
                        if n == "\"" { cur.append("\"") } else { quoted = false; pending = n }
                    } else { quoted = false }
                } else { cur.append(c) }
            } else if c == "\"" {
                guard cur.trimmed.isEmpty else {
                    throw InputError(path: path, problem: "line \(no): stray quote inside an unquoted field")
                }
                cur = ""
                quoted = true
                wasQuoted = true
            } else if c == "," {
                fields.append(cur)
                cur = ""
                wasQuoted = false
            } else {
                if wasQuoted && !c.isWhitespace {
                    throw InputError(path: path, problem: "line \(no): text after a closing quote")
                }
                cur.append(c)
            }
        }
        if quoted { throw InputError(path: path, problem: "line \(no): unterminated quoted field") }
        fields.append(cur)
        return fields
    }

    // MARK: WebVTT / SRT

    static func parseCues(lines: [String], path: String, vtt: Bool) throws -> [Segment] {
        var out: [Segment] = []
        var i = 0
        if vtt {
            guard let first = lines.first, first.hasPrefix("WEBVTT") || first.hasPrefix("\u{FEFF}WEBVTT") else {
                throw InputError(path: path, problem: "line 1: a WebVTT file must start with 'WEBVTT'")
            }
            // Skip the header block.
            while i < lines.count && !lines[i].trimmed.isEmpty { i += 1 }
        }
        while i < lines.count {
            if lines[i].trimmed.isEmpty { i += 1; continue }
            // A block: optional identifier, timing line, text lines until blank.
            var block: [(Int, String)] = []
            while i < lines.count && !lines[i].trimmed.isEmpty { block.append((i + 1, lines[i])); i += 1 }
            let head = block[0].1.trimmed
            if vtt && (head.hasPrefix("NOTE") || head == "STYLE" || head == "REGION") { continue }
            guard let timingIndex = block.firstIndex(where: { $0.1.contains("-->") }), timingIndex <= 1 else {
                throw InputError(path: path, problem: "line \(block[0].0): expected a cue timing line 'start --> end'")
            }
            let (lineNo, timing) = block[timingIndex]
            let id = timingIndex == 1 ? block[0].1.trimmed : ""
            if !vtt && timingIndex == 1 && Int(id) == nil {
                throw InputError(path: path, problem: "line \(block[0].0): expected a cue number, found '\(id)'")
            }
            let parts = timing.splitOn("-->")
            guard parts.count == 2 else {
                throw InputError(path: path, problem: "line \(lineNo): malformed cue timing '\(timing.trimmed)'")
            }
            let endField = parts[1].trimmed.split(separator: " ").first.map(String.init) ?? ""
            guard let start = parseClock(parts[0].trimmed, srt: !vtt) else {
                throw InputError(path: path, problem: "line \(lineNo): malformed cue start time '\(parts[0].trimmed)'")
            }
            guard let end = parseClock(endField, srt: !vtt) else {
                throw InputError(path: path, problem: "line \(lineNo): malformed cue end time '\(endField)'")
            }
            var text = block[(timingIndex + 1)...].map { $0.1.trimmed }.joined(separator: " ")
            var speaker = ""
            if vtt, let r = text.splitOn("<v").dropFirst().first {
                let after = Substring(r)
                if let close = after.firstIndex(of: ">") {
                    var name = after[..<close].trimmed
                    if name.hasPrefix(".") { name = String(name.drop { $0 != " " }).trimmed }  // <v.class Name>
                    speaker = name
                }
            }
            text = stripTags(text)
            let (role, label) = roleAndLabel(text)
            out.append(Segment(id: id.isEmpty ? "s\(out.count + 1)" : id, label: label, speaker: speaker,
                               start: start, end: end, role: role, line: lineNo))
        }
        return out
    }

    /// `hh:mm:ss.mmm` or `mm:ss.mmm` (WebVTT) / `hh:mm:ss,mmm` (SRT).
    static func parseClock(_ s: String, srt: Bool) -> Double? {
        // Digits only: a sign ("-00:01.000") must not be dropped by Int/Double parsing.
        guard s.allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == ":" || $0 == "." || $0 == "," }) else { return nil }
        let norm = String(s.map { $0 == "," ? "." : $0 })
        let parts = norm.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else { return nil }
        guard let sec = Double(parts.last!), sec >= 0, sec < 60, parts.last!.count >= 2 else { return nil }
        var total = sec
        let mins = parts[parts.count - 2]
        guard let m = Int(mins), m >= 0, m < 60 else { return nil }
        total += Double(m) * 60
        if parts.count == 3 {
            guard let h = Int(parts[0]), h >= 0 else { return nil }
            total += Double(h) * 3600
        }
        return total
    }

    static func stripTags(_ s: String) -> String {
        var out = ""
        var inTag = false
        for c in s {
            if c == "<" { inTag = true } else if c == ">" && inTag { inTag = false } else if !inTag { out.append(c) }
        }
        return out.trimmed
    }
}

// MARK: - TextGrid

/// Parser for Praat TextGrid text files, long ("ooTextFile" with `xmin = ...`) and short
/// (values only, one per line) formats. Both are token streams: numbers, quoted strings
/// (with `""` for a quote), and `<exists>`/flags; in the long format tokens come after
/// `name =`, and `!` starts a comment. Interval tiers become segments.
struct TextGridParser {
    let lines: [String]
    let path: String
    private var tokens: [(text: String, line: Int, quoted: Bool)] = []
    private var pos = 0

    init(lines: [String], path: String) {
        self.lines = lines
        self.path = path
    }

    mutating func parse() throws -> [Segment] {
        try tokenize()
        guard try nextString("file type") == "ooTextFile" else {
            throw error(at: tokens.first?.line ?? 1, "not a Praat text file (expected File type = \"ooTextFile\")")
        }
        let objectClass = try nextString("object class")
        guard objectClass == "TextGrid" else {
            throw error(at: tokens[pos - 1].line, "object class is '\(objectClass)', expected \"TextGrid\"")
        }
        _ = try nextNumber("xmin")
        _ = try nextNumber("xmax")
        // `tiers? <exists>` (long) or `<exists>` (short).
        let flag = try nextToken("tiers flag")
        guard flag.text == "<exists>" else {
            if flag.text == "<absent>" { return [] }
            throw error(at: flag.line, "expected <exists>, found '\(flag.text)'")
        }
        let tierCount = try nextInt("tier count")
        var out: [Segment] = []
        for _ in 0..<tierCount {
            let clsTok = try nextToken("tier class")
            guard clsTok.quoted else { throw error(at: clsTok.line, "expected a quoted tier class, found '\(clsTok.text)'") }
            let cls = clsTok.text
            let name = try nextString("tier name")
            _ = try nextNumber("tier xmin")
            _ = try nextNumber("tier xmax")
            let n = try nextInt("interval count")
            switch cls {
            case "IntervalTier":
                for _ in 0..<n {
                    let lo = try nextNumber("interval xmin")
                    let hi = try nextNumber("interval xmax")
                    let textTok = try nextToken("interval text")
                    guard textTok.quoted else { throw error(at: textTok.line, "expected a quoted interval text, found '\(textTok.text)'") }
                    if hi.value < lo.value {
                        throw error(at: hi.line, "interval ends (\(hi.value)) before it starts (\(lo.value))")
                    }
                    if textTok.text.trimmed.isEmpty { continue }
                    let (role, label) = SegmentReader.roleAndLabel(textTok.text)
                    out.append(Segment(id: "s\(out.count + 1)", label: label, speaker: name,
                                       start: lo.value, end: hi.value, role: role, line: lo.line))
                }
            case "TextTier":
                for _ in 0..<n {
                    _ = try nextNumber("point time")
                    _ = try nextToken("point mark")
                }
            default:
                throw error(at: clsTok.line, "unknown tier class '\(cls)'")
            }
        }
        return out
    }

    private func error(at line: Int, _ what: String) -> InputError {
        InputError(path: path, problem: "line \(line): \(what)")
    }

    /// Splits into tokens: quoted strings, `<flags>`, numbers; skips `name =`, `name [i]:`,
    /// `item []:` and comments in the long format.
    private mutating func tokenize() throws {
        var afterEquals = false
        for (k, raw) in lines.enumerated() {
            let no = k + 1
            let chars = Array(raw)
            var i = 0
            while i < chars.count {
                let c = chars[i]
                if c.isWhitespace { i += 1; continue }
                if c == "!" { break }  // comment
                if c == "\"" {
                    afterEquals = false
                    var s = ""
                    i += 1
                    var closed = false
                    while i < chars.count {
                        if chars[i] == "\"" {
                            if i + 1 < chars.count && chars[i + 1] == "\"" { s.append("\""); i += 2; continue }
                            closed = true
                            i += 1
                            break
                        }
                        s.append(chars[i])
                        i += 1
                    }
                    guard closed else {
                        // Praat strings may span lines; we support single-line texts only.
                        throw error(at: no, "unterminated string")
                    }
                    tokens.append((s, no, true))
                    continue
                }
                var j = i
                while j < chars.count && !chars[j].isWhitespace && chars[j] != "\"" { j += 1 }
                let word = String(chars[i..<j])
                i = j
                // Long-format labels (`xmin =`, `item [1]:`, `tiers?`) are skipped; a word right
                // after '=' is always a value, so `xmin = abc` is reported, not skipped.
                if word == "=" { afterEquals = true; continue }
                if !afterEquals && (word.hasSuffix(":") || word.hasPrefix("[") || word.hasSuffix("?")
                    || (word.first?.isLetter == true)) {
                    continue
                }
                afterEquals = false
                tokens.append((word, no, false))
            }
        }
    }

    private mutating func nextToken(_ what: String) throws -> (text: String, line: Int, quoted: Bool) {
        guard pos < tokens.count else {
            throw error(at: lines.count, "unexpected end of file (expected \(what))")
        }
        defer { pos += 1 }
        return tokens[pos]
    }

    private mutating func nextString(_ what: String) throws -> String {
        let t = try nextToken(what)
        guard t.quoted else { throw error(at: t.line, "expected a quoted \(what), found '\(t.text)'") }
        return t.text
    }

    private mutating func nextNumber(_ what: String) throws -> (value: Double, line: Int) {
        let t = try nextToken(what)
        guard !t.quoted, let v = Double(t.text), v.isFinite else {
            throw error(at: t.line, "expected a number (\(what)), found '\(t.text)'")
        }
        return (v, t.line)
    }

    private mutating func nextInt(_ what: String) throws -> Int {
        let t = try nextToken(what)
        guard !t.quoted, let v = Int(t.text), v >= 0 else {
            throw error(at: t.line, "expected a count (\(what)), found '\(t.text)'")
        }
        return v
    }
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
    public static func validate(_ segments: [Segment], duration: Double, path: String,
                                tolerance: Double = 0.05) throws -> [Segment] {
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
                throw InputError(path: path, problem: "\(at) [\(s.start), \(s.end)] s lies outside the recording (0–\(formatSeconds(duration)) s)")
            }
            s.end = min(s.end, duration)
            out.append(s)
        }
        out.sort { $0.start != $1.start ? $0.start < $1.start : $0.line < $1.line }
        var lastBySpeaker: [String: Segment] = [:]
        for s in out {
            if let p = lastBySpeaker[s.speaker], p.end - s.start > tolerance {
                let who = s.speaker.isEmpty ? "the same (unnamed) speaker" : "speaker '\(s.speaker)'"
                throw InputError(path: path, problem: "line \(s.line): segment '\(s.id)' [\(s.start), \(s.end)] overlaps segment '\(p.id)' of line \(p.line) [\(p.start), \(p.end)] of \(who)")
            }
            if lastBySpeaker[s.speaker].map({ s.end > $0.end }) ?? true { lastBySpeaker[s.speaker] = s }
        }
        return out
    }

    /// Response latency of an answer segment: the answering speaker's first speech onset at
    /// or after the answer segment's start, minus the asking speaker's last speech offset
    /// at or before the question segment's end. nil when either has no speech there.
    public static func responseLatency(question: Segment, questionSpeech: [Span],
                                       answer: Segment, answerSpeech: [Span]) -> Double? {
        guard let qEnd = questionSpeech.compactMap({ $0.clipped(to: question.span) }).last?.end,
              let aStart = answerSpeech.compactMap({ $0.clipped(to: answer.span) }).first?.start else { return nil }
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

// MARK: - Text helpers

extension StringProtocol {
    /// Splits on every occurrence of `sep` (no Foundation).
    func splitOn(_ sep: String) -> [String] {
        let a = Array(self), b = Array(sep)
        var out: [String] = [], cur = "", i = 0
        while i < a.count {
            if i + b.count <= a.count && Array(a[i..<(i + b.count)]) == b { out.append(cur); cur = ""; i += b.count } else { cur.append(a[i]); i += 1 }
        }
        out.append(cur)
        return out
    }

    var trimmed: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}

func splitLines(_ text: String) -> [String] {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { l -> String in
        l.hasSuffix("\r") ? String(l.dropLast()) : String(l)
    }
    if lines.last == "" { lines.removeLast() }
    return lines
}

/// UTF-8 (with or without BOM) or UTF-16 with BOM (Praat writes either).
func decodeText(_ bytes: [UInt8], path: String) throws -> String {
    if bytes.count >= 2 && ((bytes[0] == 0xFE && bytes[1] == 0xFF) || (bytes[0] == 0xFF && bytes[1] == 0xFE)) {
        let big = bytes[0] == 0xFE
        var units: [UInt16] = []
        var i = 2
        while i + 1 < bytes.count {
            units.append(big ? UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]) : UInt16(bytes[i + 1]) << 8 | UInt16(bytes[i]))
            i += 2
        }
        return String(decoding: units, as: UTF16.self)
    }
    var b = bytes[...]
    if b.starts(with: [0xEF, 0xBB, 0xBF]) { b = b.dropFirst(3) }
    guard let s = String(validating: b, as: UTF8.self) else {
        // Name the first line with invalid UTF-8.
        var line = 1
        var i = b.startIndex
        while i < b.endIndex {
            let lineEnd = b[i...].firstIndex(of: 0x0A) ?? b.endIndex
            if String(validating: b[i..<lineEnd], as: UTF8.self) == nil { break }
            line += 1
            i = lineEnd < b.endIndex ? b.index(after: lineEnd) : b.endIndex
        }
        throw InputError(path: path, problem: "line \(line): not valid UTF-8 text")
    }
    return s
}

func readFileBytes(_ path: String) throws -> [UInt8] {
    // A FIFO or device would block or never end: only regular files are segment files.
    var st = stat()
    if stat(path, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG {
        throw InputError(path: path, problem: "not a regular file (a FIFO, device or folder); give a segment file")
    }
    guard let f = fopen(path, "rb") else {
        throw InputError(path: path, problem: errno == ENOENT ? "no such file" : "cannot open segment file")
    }
    defer { fclose(f) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = buf.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
        if n > 0 { out.append(contentsOf: buf[0..<n]) }
        if n < buf.count {
            if ferror(f) != 0 { throw InputError(path: path, problem: "read error") }
            break
        }
        if out.count > 64 << 20 { throw InputError(path: path, problem: "segment file larger than 64 MB") }
    }
    return out
}
