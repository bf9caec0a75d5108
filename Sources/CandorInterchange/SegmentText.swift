import CandorAudio
import CandorCore
import CandorFeatures

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Text helpers

extension StringProtocol {
    /// Splits on every occurrence of `sep` (no Foundation).
    func splitOn(_ sep: String) -> [String] {
        let a = Array(self), b = Array(sep)
        var out: [String] = [], cur = "", i = 0
        while i < a.count {
            if i + b.count <= a.count && Array(a[i..<(i + b.count)]) == b {
                out.append(cur); cur = ""; i += b.count
            } else {
                cur.append(a[i]); i += 1
            }
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
