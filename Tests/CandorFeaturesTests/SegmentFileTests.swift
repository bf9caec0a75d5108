#if canImport(Glibc)
import Glibc
#endif
import CandorAudio
import CandorFeatures
import CandorInterchange
import Foundation
import Testing

/// Segment files that are not files, or hold nothing, are errors (not hangs, not silence).
@Suite struct SegmentFileTests {
    func folder() -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("candor-seg-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    @Test func aFIFOIsRefusedWithoutBlocking() throws {
        let d = folder()
        defer { try? FileManager.default.removeItem(atPath: d) }
        let fifo = d + "/segments.csv"
        #expect(mkfifo(fifo, 0o600) == 0)
        // No writer ever opens the FIFO: reading it would block forever.
        do {
            _ = try SegmentReader.read(path: fifo)
            Issue.record("a FIFO was read as a segment file")
        } catch let e as InputError {
            #expect(e.description.contains("not a regular file"), "\(e)")
        }
    }

    @Test func emptyFilesAreErrors() throws {
        let d = folder()
        defer { try? FileManager.default.removeItem(atPath: d) }
        for (name, text) in [("a.csv", ""), ("b.vtt", "\n  \n"), ("c.csv", "start,end,label,speaker,role\n"), ("d.vtt", "WEBVTT\n\n")] {
            let p = d + "/" + name
            FileManager.default.createFile(atPath: p, contents: Data(text.utf8))
            #expect(throws: InputError.self, "\(name)") { try SegmentReader.read(path: p) }
        }
    }
}

@Suite struct SegmentTextTests {
    /// A negative WebVTT/SRT time is an error naming the line, not a positive time.
    @Test func aMinusSignInACueTimeIsAnError() throws {
        let vtt = "WEBVTT\n\n-00:01.000 --> 00:02.000\n[answer] yes\n"
        do {
            let s = try SegmentReader.parse(bytes: Array(vtt.utf8), path: "x.vtt")
            Issue.record("accepted a negative start: \(s.map(\.start))")
        } catch let e as InputError {
            #expect(e.description.contains("line 3"), "\(e)")
        }
        let srt = "1\n00:00:01,000 --> -00:00:02,000\nyes\n"
        #expect(throws: InputError.self) { try SegmentReader.parse(bytes: Array(srt.utf8), path: "x.srt") }
        let ok = try SegmentReader.parse(bytes: Array("WEBVTT\n\n00:01.000 --> 00:02.500\n[answer] yes\n".utf8), path: "x.vtt")
        #expect(ok.count == 1 && ok[0].start == 1 && ok[0].end == 2.5)
    }

    /// RFC 4180: a quoted field may contain newlines; line numbers stay those of the file.
    @Test func quotedNewlinesInCSV() throws {
        let csv = "start,end,label,speaker,role\n0,1,\"first line\nsecond line\",A,answer\n1,2,plain,A,answer\n2,x,bad,A,answer\n"
        do {
            _ = try SegmentReader.parse(bytes: Array(csv.utf8), path: "x.csv")
            Issue.record("accepted a bad end time")
        } catch let e as InputError {
            #expect(e.description.contains("line 5"), "\(e)")  // the 4th record starts on line 5
        }
        let good = try SegmentReader.parse(bytes: Array(csv.utf8.dropLast("2,x,bad,A,answer\n".utf8.count)), path: "x.csv")
        #expect(good.count == 2)
        #expect(good.first?.label == "first line\nsecond line")
        #expect(good.last?.line == 4)
    }
}
