#if canImport(Glibc)
import Glibc
#endif
import CandorTestSupport
import Foundation
import Testing

/// Outputs never destroy evidence, and an analysis is logged before it appears.
@Suite(.serialized) struct OutputSafetyTests {
    /// A workspace with operator "olga" and a 0.5 s recording.
    func setUp() throws -> (root: String, ws: String, wav: String) {
        let root = tempDir("candor-output-safety")
        let ws = root + "/ws"
        let r = try candor("keys", "init", "--operator", "olga", "--workspace", ws)
        #expect(r.status == 0, "\(r.stderr)")
        let wav = root + "/ev.wav"
        writeWAV(wav, samples: sine(180, seconds: 0.5))
        return (root, ws, wav)
    }

    func bytes(_ p: String) -> Data? { FileManager.default.contents(atPath: p) }

    @Test func analyzeRefusesItsInputAndLoggedRecordings() throws {
        let (root, ws, wav) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let original = bytes(wav)
        let own = try candor("analyze", wav, "--case", "C", "--session", "S", "--out", wav, "--workspace", ws, "--pitch-only")
        #expect(own.status == 2, "\(own.stderr)")
        #expect(own.stderr.contains("refusing to overwrite"), "\(own.stderr)")
        #expect(bytes(wav) == original)
        // Log ev.wav, then try to write another analysis over it (by path and through a copy).
        let ok = try candor("analyze", wav, "--case", "C", "--session", "S", "--out", root + "/ev.json", "--workspace", ws, "--pitch-only")
        #expect(ok.status == 0, "\(ok.stderr)")
        let other = root + "/other.wav"
        writeWAV(other, samples: sine(220, seconds: 0.5))
        let copy = root + "/copy-of-ev.wav"
        try FileManager.default.copyItem(atPath: wav, toPath: copy)
        for target in [wav, copy] {
            let r = try candor("analyze", other, "--case", "C", "--session", "S2", "--out", target, "--workspace", ws, "--pitch-only")
            #expect(r.status == 2, "\(target): \(r.stderr)")
            #expect(bytes(target) == original)
        }
        // report --out onto its own analysis input is refused too.
        let rep = try candor("report", "--analysis", root + "/ev.json", "--out", root + "/ev.json")
        #expect(rep.status == 2, "\(rep.stderr)")
        // --evidence says what matched.
        let v = try candor("audit", "verify", "--case", "C", "--session", "S", "--workspace", ws, "--evidence", wav, root + "/ev.json")
        #expect(v.status == 0, "\(v.stdout)\(v.stderr)")
        #expect(v.stdout.contains("evidence \(wav): matches the recording of seq"), "\(v.stdout)")
        #expect(v.stdout.contains("evidence \(root)/ev.json: matches the analysis output of seq"), "\(v.stdout)")
    }

    @Test func analyzeOntoADeviceKeepsTheDevice() throws {
        let (root, ws, wav) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let r = try candor("analyze", wav, "--case", "C", "--session", "S", "--out", "/dev/null", "--workspace", ws, "--pitch-only")
        #expect(r.status == 0, "\(r.stderr)")
        var st = stat()
        #expect(stat("/dev/null", &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR)
        // A full device: one clear line, exit 1, still a device.
        let full = try candor("analyze", wav, "--out", "/dev/full", "--pitch-only")
        #expect(full.status == 1, "\(full.stderr)")
        #expect(full.stderr.contains("/dev/full"), "\(full.stderr)")
        #expect(full.stderr.split(separator: "\n").count == 1, "\(full.stderr)")
        #expect(stat("/dev/full", &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR)
    }

    /// Kills `candor analyze --case` with SIGKILL the moment its output appears, 20 times:
    /// every output present must be in the log.
    @Test func killedAsSoonAsTheOutputAppearsTheOutputIsLogged() throws {
        let (root, ws, wav) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var present = 0
        for i in 0..<20 {
            let out = root + "/run\(i).json"
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Paths.candor)
            p.arguments = ["analyze", wav, "--case", "C", "--session", "K\(i)", "--out", out, "--workspace", ws, "--pitch-only", "--quiet"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            var st = stat()
            while p.isRunning && stat(out, &st) != 0 {}
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            guard stat(out, &st) == 0 else { continue }
            present += 1
            let v = try candor("audit", "verify", "--case", "C", "--session", "K\(i)", "--workspace", ws, "--evidence", out)
            #expect(v.status == 0, "run \(i): \(v.stdout)\(v.stderr)")
            #expect(v.stdout.contains("matches the analysis output"), "run \(i): \(v.stdout)")
        }
        #expect(present > 0)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.allSatisfy { $0.hasPrefix(".candor-") }, "\(leftovers)")
    }

    @Test func exportWithATrailingSlashAndNoLogOnFailure() throws {
        let (root, ws, wav) = try setUp()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let ok = try candor("analyze", wav, "--case", "C", "--session", "S", "--out", root + "/ev.json", "--workspace", ws, "--pitch-only")
        #expect(ok.status == 0, "\(ok.stderr)")
        func records() throws -> Int {
            let r = try candor("audit", "verify", "--case", "C", "--session", "S", "--workspace", ws, "--json")
            let o = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            return o?["size"] as? Int ?? -1
        }
        let before = try records()
        // An existing non-empty folder: refused, untouched, nothing logged.
        let full = root + "/full"
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: full + "/keep.txt", contents: Data("keep".utf8))
        let refused = try candor("audit", "export", "--case", "C", "--session", "S", "--out", full + "/", "--workspace", ws)
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(bytes(full + "/keep.txt") == Data("keep".utf8))
        // An unwritable parent: a clear error, nothing logged.
        let locked = root + "/locked"
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: true)
        chmod(locked, 0o500)
        defer { chmod(locked, 0o700) }
        if geteuid() != 0 {
            let r = try candor("audit", "export", "--case", "C", "--session", "S", "--out", locked + "/bundle/", "--workspace", ws)
            #expect(r.status == 1, "\(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        }
        #expect(try records() == before)
        // An existing empty folder, with a trailing slash: the bundle goes there.
        let empty = root + "/bundle"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let e = try candor("audit", "export", "--case", "C", "--session", "S", "--out", empty + "/", "--workspace", ws)
        #expect(e.status == 0, "\(e.stderr)")
        #expect(try records() == before + 1)
        // No trust anchor in this test: a bundle verifies only unpinned (docs/audit-bundle.md).
        let v = try candor("audit", "verify", empty + "/", "--allow-unpinned", "--evidence", wav)
        #expect(v.status == 0, "\(v.stdout)\(v.stderr)")
        let strays = try FileManager.default.contentsOfDirectory(atPath: root).filter { $0.contains(".candor-") }
        #expect(strays.isEmpty, "\(strays)")
    }

    /// A copy of a workspace made read-only (chmod -R a-w) verifies, and verification does not
    /// change the files (no WAL switch, no -wal/-shm created).
    @Test func aReadOnlyWorkspaceVerifies() throws {
        let (root, ws, wav) = try setUp()
        defer {
            _ = try? run("/bin/chmod", ["-R", "u+w", root])
            try? FileManager.default.removeItem(atPath: root)
        }
        let ok = try candor("analyze", wav, "--case", "C", "--session", "S", "--out", root + "/ev.json", "--workspace", ws, "--pitch-only")
        #expect(ok.status == 0, "\(ok.stderr)")
        let copy = root + "/ro-ws"
        #expect(try run("/bin/cp", ["-a", ws, copy]).status == 0)
        #expect(try run("/bin/chmod", ["-R", "a-w", copy]).status == 0)
        // SQLite's -shm/-wal companions may appear where the folder is writable (as root);
        // the database itself must not change.
        func listing() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: copy).filter { !$0.hasSuffix("-shm") && !$0.hasSuffix("-wal") }.sorted()
        }
        let before = try listing()
        let sqliteBefore = bytes(copy + "/audit.sqlite")
        let v = try candor("audit", "verify", "--case", "C", "--session", "S", "--workspace", copy, "--evidence", wav)
        #expect(v.status == 0, "\(v.stdout)\(v.stderr)")
        #expect(v.stdout.contains("intact"), "\(v.stdout)")
        #expect(try listing() == before)
        #expect(bytes(copy + "/audit.sqlite") == sqliteBefore)
        // As root chmod does not stop writes: also verify through a read-only bind mount.
        guard geteuid() == 0 else { return }
        let mnt = root + "/mnt"
        try FileManager.default.createDirectory(atPath: mnt, withIntermediateDirectories: true)
        guard try run("/bin/mount", ["--bind", ws, mnt]).status == 0 else {
            print("read-only bind mount not possible here; verified the chmod a-w copy only")
            return
        }
        defer { _ = try? run("/bin/umount", [mnt]) }
        #expect(try run("/bin/mount", ["-o", "remount,bind,ro", mnt]).status == 0)
        let m = try candor("audit", "verify", "--case", "C", "--session", "S", "--workspace", mnt, "--evidence", wav)
        #expect(m.status == 0, "\(m.stdout)\(m.stderr)")
        // `audit show` logs the viewing first: on a read-only mount it says it cannot, and
        // names --read-only, which shows the log without logging and says so.
        let show = try candor("audit", "show", "--case", "C", "--session", "S", "--workspace", mnt)
        #expect(show.status == 1 && show.stderr.contains("--read-only"), "\(show.status) \(show.stderr)")
        #expect(show.stderr.split(separator: "\n").count == 1, "\(show.stderr)")
        #expect(!show.stdout.contains("evidence_ingested"))
        let ro = try candor("audit", "show", "--case", "C", "--session", "S", "--workspace", mnt, "--read-only")
        #expect(ro.status == 0, "\(ro.stderr)")
        #expect(ro.stdout.contains("evidence_ingested") && ro.stdout.contains("good signature") && !ro.stdout.contains("BAD"))
        #expect(ro.stderr.contains("not recorded"), "\(ro.stderr)")
    }

    /// A workspace and output folder on a full file system (a 1 MB tmpfs, mounted as root):
    /// a clear one-line error, no unlogged output, and the log still verifies.
    @Test func aFullDiskGivesAClearErrorAndNoUnloggedOutput() throws {
        let root = tempDir("candor-full-disk")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let mnt = root + "/small"
        try FileManager.default.createDirectory(atPath: mnt, withIntermediateDirectories: true)
        guard geteuid() == 0, try run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mnt]).status == 0 else {
            print("skipped: cannot mount a small tmpfs (needs root)")
            return
        }
        defer { _ = try? run("/bin/umount", [mnt]) }
        let ws = mnt + "/ws"
        #expect(try candor("keys", "init", "--operator", "olga", "--workspace", ws).status == 0)
        let wav = root + "/ev.wav"
        writeWAV(wav, samples: sine(180, seconds: 3))
        let first = try candor(
            "analyze", wav, "--case", "C", "--session", "S", "--out", mnt + "/first.json", "--workspace", ws, "--pitch-only")
        #expect(first.status == 0, "\(first.stderr)")
        _ = try run("/bin/dd", ["if=/dev/zero", "of=\(mnt)/filler", "bs=4k"])
        let out = mnt + "/second.json"
        let r = try candor("analyze", wav, "--case", "C", "--session", "S", "--out", out, "--workspace", ws, "--pitch-only")
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        if FileManager.default.fileExists(atPath: out) {
            let v = try candor("audit", "verify", "--case", "C", "--session", "S", "--workspace", ws, "--evidence", out)
            #expect(v.status == 0, "an output exists that the log does not hold: \(v.stdout)\(v.stderr)")
        }
        let strays = try FileManager.default.contentsOfDirectory(atPath: mnt).filter { $0.hasSuffix(".tmp") }
        #expect(strays.isEmpty, "\(strays)")
        // Verification still works on the full disk, and so does an unlogged `audit show --read-only`.
        let v = try candor("audit", "verify", "--case", "C", "--session", "S", "--workspace", ws)
        #expect(v.status == 0, "\(v.stdout)\(v.stderr)")
        let show = try candor("audit", "show", "--case", "C", "--session", "S", "--workspace", ws, "--read-only")
        #expect(show.status == 0 && show.stdout.contains("analysis_completed"), "\(show.stderr)")
    }
}
