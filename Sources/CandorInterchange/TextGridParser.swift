import CandorAudio
import CandorCore
import CandorFeatures

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
                    out.append(
                        Segment(
                            id: "", label: label, speaker: name,
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
        return Self.ownExportSegments(out) ?? out
    }

    /// A TextGrid written by `candor export` has turn, pause, flag and pitch tiers besides its
    /// `segments-<speaker>` (and `segments`) tiers: only those are segments, with the speaker
    /// from the tier name. Nil for any other TextGrid.
    static func ownExportSegments(_ all: [Segment]) -> [Segment]? {
        let prefix = "segments-"
        let own = all.filter { $0.speaker == "segments" || $0.speaker.hasPrefix(prefix) }
        guard !own.isEmpty else { return nil }
        return own.map { s in
            var s = s
            s.speaker = s.speaker == "segments" ? "" : String(s.speaker.dropFirst(prefix.count))
            return s
        }
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
                if !afterEquals
                    && (word.hasSuffix(":") || word.hasPrefix("[") || word.hasSuffix("?")
                        || (word.first?.isLetter == true))
                {
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
