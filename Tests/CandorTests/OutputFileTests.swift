#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import CandorAudio
@testable import Candor

/// The output writer on its own: refusals, devices, planted symlinks, private temporary files.
@Suite struct OutputFileTests {
    func folder() -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("candor-out-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    func text(_ p: String) -> String? { try? String(contentsOfFile: p, encoding: .utf8) }

    func write(_ path: String, _ s: String, _ p: OutputProtection = OutputProtection()) throws {
        try writeAtomically(to: path, protection: p) { $0.write(s) }
    }

    @Test func refusesItsOwnInputByPathLinkOrSymlink() throws {
        let d = folder()
        defer { try? FileManager.default.removeItem(atPath: d) }
        let input = d + "/ev.wav"
        try "RIFF original".write(toFile: input, atomically: false, encoding: .utf8)
        link(input, d + "/hard.wav")
        symlink(input, d + "/soft.wav")
        let p = OutputProtection(inputs: [input])
        for target in [input, d + "/./ev.wav", d + "/hard.wav", d + "/soft.wav"] {
            #expect(throws: OutputRefused.self, "\(target)") { try write(target, "{}", p) }
        }
        #expect(text(input) == "RIFF original")
        // --force overwrites.
        var forced = p
        forced.force = true
        try write(d + "/hard.wav", "{}", forced)
        #expect(text(d + "/hard.wav") == "{}\n")
        #expect(text(input) == "RIFF original")  // the rename replaced the link, not the recording
    }

    @Test func refusesALoggedRecordingByHash() throws {
        let d = folder()
        defer { try? FileManager.default.removeItem(atPath: d) }
        let copy = d + "/copy.wav"
        try "RIFF logged".write(toFile: copy, atomically: false, encoding: .utf8)
        let sha = try sha256(ofFile: copy)
        #expect(throws: OutputRefused.self) { try write(copy, "{}", OutputProtection(evidenceSHA256: [sha])) }
        #expect(text(copy) == "RIFF logged")
        #expect(throws: OutputRefused.self) { try write(copy, "{}", OutputProtection(evidencePaths: [copy])) }
        try write(d + "/other.json", "{}", OutputProtection(evidenceSHA256: [sha]))
        #expect(text(d + "/other.json") == "{}\n")
    }

    @Test func aCharacterDeviceStaysADevice() throws {
        try write("/dev/null", "{}")
        var st = stat()
        #expect(stat("/dev/null", &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR)
        // /dev/full: a clear error, and still a device.
        do {
            try write("/dev/full", "{}")
            Issue.record("writing /dev/full succeeded")
        } catch let e as OutputError {
            #expect(e.description.contains("/dev/full"), "\(e)")
        }
        #expect(stat("/dev/full", &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR)
    }

    @Test func aFIFOIsWrittenIntoNotReplaced() throws {
        let d = folder()
        defer { try? FileManager.default.removeItem(atPath: d) }
        let fifo = d + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        let reader = Thread {
            let fd = open(fifo, O_RDONLY)
            var buf = [UInt8](repeating: 0, count: 64)
            while read(fd, &buf, 64) > 0 {}
            close(fd)
        }
        reader.start()
        try write(fifo, "{}")
        var st = stat()
        #expect(lstat(fifo, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO)
    }

    @Test func plantedSymlinksAtTemporaryNamesAreNotFollowed() throws {
        let d = folder()
        defer { try? FileManager.default.removeItem(atPath: d) }
        let victim = d + "/victim.txt"
        try "precious".write(toFile: victim, atomically: false, encoding: .utf8)
        // Every name the writer tries first has a symlink to the victim planted on it.
        let planted = (0..<5).map { ".candor-\(getpid())-\(String(format: "%016x", $0)).tmp" }
        for n in planted { symlink(victim, d + "/" + n) }
        var k = 0
        let out = try OutputFile(path: d + "/out.json", protection: OutputProtection()) {
            defer { k += 1 }
            return k < planted.count ? planted[k] : ".candor-\(getpid())-ffffffffffffffff.tmp"
        }
        #expect(out.tempPath.hasSuffix("ffffffffffffffff.tmp"))
        var st = stat()
        #expect(stat(out.tempPath, &st) == 0 && st.st_mode & 0o777 == 0o600)
        out.write("{}\n")
        try out.commit()
        #expect(text(victim) == "precious")
        #expect(text(d + "/out.json") == "{}\n")
        #expect(stat(out.tempPath, &st) != 0)
    }

    @Test func failureLeavesNothingAndStaleTempsAreRemoved() throws {
        let d = folder()
        defer { try? FileManager.default.removeItem(atPath: d) }
        // A temporary file of a process that no longer runs (pid beyond pid_max).
        let stale = d + "/.candor-2147483000-0123456789abcdef.tmp"
        FileManager.default.createFile(atPath: stale, contents: Data("old".utf8))
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try writeAtomically(to: d + "/out.json", beforeRelease: { _ in throw Boom() }, { $0.write("{}") })
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: d)
        #expect(left.isEmpty, "\(left)")
        try write(d + "/out.json", "{}")
        #expect(try FileManager.default.contentsOfDirectory(atPath: d) == ["out.json"])
    }

    @Test func theHashIsKnownBeforeTheOutputAppears() throws {
        let d = folder()
        defer { try? FileManager.default.removeItem(atPath: d) }
        var seen: String?
        try writeAtomically(
            to: d + "/out.json",
            beforeRelease: { out in
                seen = out.sha256
                #expect(!FileManager.default.fileExists(atPath: d + "/out.json"))
            },
            { $0.write("{\"a\":1}") })
        #expect(seen == (try sha256(ofFile: d + "/out.json")))
    }
}
