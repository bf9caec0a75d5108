import CandorTestSupport
import Foundation
import Testing

/// openSMILE 2.6 from PyPI (scripts/setup-test.sh installs it) and the Keele readings.
let openSMILEInstalled: Bool = (try? run("/usr/bin/env", ["python3", "-c", "import opensmile"]).status) == 0
let keeleFolder = Paths.packageRoot.appendingPathComponent("../shared/data/keele").standardizedFileURL.path

struct EgemapsTests {
    /// A 1 s sine of amplitude `a` at `f` Hz (16 kHz).
    func sine(_ path: String, f: Double = 220, a: Float = 0.5, seconds: Double = 1) {
        let n = Int(16000 * seconds)
        writeWAV(path, samples: (0..<n).map { a * Float(sin(2 * Double.pi * f * Double($0) / 16000)) })
    }

    func csvRows(_ text: String) -> [[String]] {
        text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    @Test func csvHasOpenSMILEColumnsAndIndependentValues() throws {
        let dir = tempDir("candor-egemaps")
        sine("\(dir)/tone.wav")
        let r = try candor("features", "--set", "egemaps", "\(dir)/tone.wav", "--out", "\(dir)/t.csv")
        try #require(r.status == 0, "\(r.stderr)")
        let rows = csvRows(try String(contentsOfFile: "\(dir)/t.csv", encoding: .utf8))
        try #require(rows.count == 2)
        #expect(rows[0].count == 89)
        #expect(rows[0][0] == "file")
        #expect(rows[0][1] == "F0semitoneFrom27.5Hz_sma3nz_amean")
        #expect(rows[0].last == "equivalentSoundLevel_dBp")
        let value = Dictionary(uniqueKeysWithValues: zip(rows[0], rows[1]))
        // Ground truth of a pure 220 Hz tone of amplitude 0.5: mean square 0.125 → −9.03 dB;
        // F0 = 12·log2(220 / 27.5) = 36 semitones; one voiced stretch.
        let leq = try #require(Double(value["equivalentSoundLevel_dBp"]!))
        #expect(abs(leq - 10 * log10(0.125)) < 0.05)
        let f0 = try #require(Double(value["F0semitoneFrom27.5Hz_sma3nz_amean"]!))
        #expect(abs(f0 - 36) < 0.1)
        #expect(Double(value["VoicedSegmentsPerSec"]!)! < 2)
    }

    @Test func jsonAndSegmentsRows() throws {
        let dir = tempDir("candor-egemaps")
        sine("\(dir)/tone.wav", seconds: 2)
        try "start,end,speaker\n0.0,1.0,A\n1.0,2.0,B\n".write(toFile: "\(dir)/s.csv", atomically: true, encoding: .utf8)
        let r = try candor("features", "--set", "egemaps", "\(dir)/tone.wav", "--segments", "\(dir)/s.csv", "--out", "\(dir)/s.out.csv")
        try #require(r.status == 0, "\(r.stderr)")
        let rows = csvRows(try String(contentsOfFile: "\(dir)/s.out.csv", encoding: .utf8))
        #expect(rows.count == 3)
        #expect(rows[0].prefix(5) == ["file", "segment", "speaker", "start", "end"])
        #expect(rows[2][2] == "B")
        let j = try candor("features", "--set", "egemaps", "\(dir)/tone.wav", "--format", "json")
        try #require(j.status == 0, "\(j.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any]
        let first = (doc?["rows"] as? [[String: Any]])?.first
        #expect((first?["features"] as? [String: Any])?.count == 88)
    }

    @Test func unreadableInputIsExit3AndBadSetIsExit2() throws {
        let dir = tempDir("candor-egemaps")
        try "not audio".write(toFile: "\(dir)/x.wav", atomically: true, encoding: .utf8)
        let r = try candor("features", "--set", "egemaps", "\(dir)/x.wav")
        #expect(r.status == 3)
        #expect(r.stderr.contains("x.wav"))
        sine("\(dir)/tone.wav")
        #expect(try candor("features", "--set", "nope", "\(dir)/tone.wav").status == 2)
        try "start,end\n0.5,0.8\n3,4\n".write(toFile: "\(dir)/late.csv", atomically: true, encoding: .utf8)
        let late = try candor("features", "\(dir)/tone.wav", "--segments", "\(dir)/late.csv")
        #expect(late.status == 3)
        #expect(late.stderr.contains("late.csv") && late.stderr.contains("line 3"), "\(late.stderr)")
        // Shorter than one 20 ms frame: a row of empty cells, not zeros.
        writeWAV("\(dir)/blip.wav", samples: [Float](repeating: 0.1, count: 100))
        let blip = try candor("features", "\(dir)/blip.wav")
        try #require(blip.status == 0, "\(blip.stderr)")
        let row = csvRows(blip.stdout)[1]
        #expect(row.count == 89 && row.dropFirst().allSatisfy(\.isEmpty))
    }

    /// Agreement with openSMILE 2.6 eGeMAPSv02 on 73 real-speech files (Keele in 6 s pieces,
    /// LibriVox, Fish Fillets NG): benchmarks/egemaps/compare_opensmile.py. The target
    /// is 80 of 88; the floor asserted here is what this version reaches (docs/features.md lists
    /// every functional that does not agree and why), so a regression fails the test.
    @Test(
        .enabled(if: openSMILEInstalled, "openSMILE (pip install opensmile) not installed: run scripts/setup-test.sh"),
        .enabled(if: FileManager.default.fileExists(atPath: keeleFolder + "/wav"), "Keele database not found at ../shared/data/keele"))
    func agreementWithOpenSMILE() throws {
        let dir = tempDir("candor-egemaps-agreement")
        let script = Paths.packageRoot.appendingPathComponent("benchmarks/egemaps/compare_opensmile.py").path
        let r = try run("/usr/bin/env", ["python3", script, Paths.candor, dir, "--keele", keeleFolder])
        try #require(r.status == 0, "\(r.stderr)")
        let last = try #require(r.stdout.split(separator: "\n").last)
        let words = last.split(separator: " ")
        try #require(words.count == 7 && words[0] == "agree", "\(last)")
        let agreeing = Int(words[1]) ?? 0
        let files = Int(words[5]) ?? 0
        #expect(files >= 60)
        #expect(agreeing >= 32, "\(r.stdout)")
    }
}
