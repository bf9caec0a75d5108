import CandorAudio
import CandorCore
import CandorFeatures

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
        assignIDs(try parseSegments(bytes: bytes, path: path))
    }

    /// Ids that do not depend on the file format: segments in time order; an id the file gives
    /// (CSV `id` column, WebVTT cue identifier) is kept; otherwise the label when it is unique
    /// in the file and looks like an identifier (at most 32 characters, no spaces), else
    /// `s<k>` for the k-th segment in time order.
    static func assignIDs(_ segments: [Segment]) -> [Segment] {
        var out = segments.enumerated().sorted { a, b in
            (a.element.start, a.element.end, a.offset) < (b.element.start, b.element.end, b.offset)
        }.map(\.element)
        var counts: [String: Int] = [:]
        for s in out { counts[s.label, default: 0] += 1 }
        var taken = Set(out.map(\.id).filter { !$0.isEmpty })
        for k in out.indices where out[k].id.isEmpty {
            let label = out[k].label
            let idLike = !label.isEmpty && label.count <= 32 && !label.contains(where: { $0.isWhitespace }) && counts[label] == 1
            var id = idLike && !taken.contains(label) ? label : "s\(k + 1)"
            var n = 2
            while taken.contains(id) {
                id = "s\(k + 1)-\(n)"
                n += 1
            }
            out[k].id = id
            taken.insert(id)
        }
        return out
    }

    static func parseSegments(bytes: [UInt8], path: String) throws -> [Segment] {
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
                throw InputError(
                    path: path, problem: "line \(no): expected at least 2 fields (start,end,label,speaker,role), found \(fields.count)")
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
            out.append(
                Segment(
                    id: field("id") ?? "",
                    label: field("label") ?? "", speaker: field("speaker") ?? "",
                    start: start, end: end, role: role, line: no))
        }
        return out
    }

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

    /// RFC 4180 fields of one record (quoted fields, doubled quotes).
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
                    } else {
                        quoted = false
                    }
                } else {
                    cur.append(c)
                }
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
            out.append(
                Segment(
                    id: vtt ? id : "", label: label, speaker: speaker,
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
