import Foundation
import Testing

/// Every bad input gets exit code 3, a one-line message naming the file and the problem,
/// and leaves no output file behind.
@Suite struct BadInputTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var expect: String
        var make: @Sendable (String) -> Void
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "missing.wav", expect: "no such file") { _ in },
        Case(name: "folder.wav", expect: "is a directory") {
            try? FileManager.default.createDirectory(atPath: $0, withIntermediateDirectories: true)
        },
        Case(name: "empty.wav", expect: "empty file") { FileManager.default.createFile(atPath: $0, contents: Data()) },
        Case(name: "text.wav", expect: "not a readable audio file") {
            FileManager.default.createFile(atPath: $0, contents: Data("just some text, not audio\n".utf8))
        },
        Case(name: "truncated.wav", expect: "truncated") { p in
            writeWAV(p, samples: sine(150, seconds: 1))
            let d = FileManager.default.contents(atPath: p)!
            FileManager.default.createFile(atPath: p, contents: d.prefix(d.count / 2))
        },
        Case(name: "claims-more.wav", expect: "header declares") { writeWAV($0, samples: sine(150, seconds: 1), claimBytes: 64000) },
        Case(name: "nan.wav", expect: "NaN or infinite") { p in
            var s = sine(150, seconds: 1); s[4000] = .nan
            writeWAV(p, samples: s, float: true)
        },
        Case(name: "inf.wav", expect: "NaN or infinite") { p in
            var s = sine(150, seconds: 1); s[9000] = .infinity
            writeWAV(p, samples: s, float: true)
        },
        Case(name: "silence.wav", expect: "only silence") { writeWAV($0, samples: [Float](repeating: 0, count: 16000)) },
        Case(name: "short.wav", expect: "too short") { writeWAV($0, samples: sine(150, seconds: 0.02)) },
        Case(name: "header-only.wav", expect: "no audio samples") { writeWAV($0, samples: []) },
    ]

    @Test(arguments: cases)
    func rejectsWithExitCode3(_ c: Case) throws {
        let dir = tempDir()
        let path = dir + "/" + c.name
        c.make(path)
        let out = dir + "/out.json"
        let r = try candor("analyze", path, "--out", out, "--quiet")
        #expect(r.status == 3)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one line: \(r.stderr)")
        #expect(r.stderr.contains(path), "names the file: \(r.stderr)")
        #expect(r.stderr.contains(c.expect), "says the problem: \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out), "no output left behind")
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: dir))?.filter { $0.contains(".tmp") } ?? []
        #expect(leftovers.isEmpty)
    }

    @Test func usageErrorsExit2() throws {
        let r = try candor("analyze", "x.wav", "--pitch-floor", "500", "--pitch-ceiling", "100")
        #expect(r.status == 2)
        let r2 = try candor("no-such-command")
        #expect(r2.status == 2)
    }

    @Test func ceilingAboveNyquistIsInvalidInput() throws {
        let dir = tempDir()
        let p = dir + "/lowrate.wav"
        writeWAV(p, samples: sine(150, seconds: 1, sampleRate: 8000), sampleRate: 8000)
        let r = try candor("analyze", p, "--pitch-ceiling", "5000", "--out", dir + "/o.json")
        #expect(r.status == 3)
        #expect(r.stderr.contains("Nyquist"))
    }
}
