import CandorTestSupport
import Foundation
import Testing

/// The user guide's commands, in order, on a fresh workspace: the investigator's (analyse,
/// report, export), the researcher's (train, evaluate, calibrate) and the supervisor's (list,
/// verify, export, trust, witness, show, review) flows. Every command the guide shows is a
/// success case, so each must exit 0. The commands are read from `docs/user-guide.md` itself;
/// only the guide's placeholders (the workspace and witness folders, the witness host, optional
/// `[…]` parts) are filled in, so a command that stops working, or a new command whose files the
/// guide never makes, fails this test.
@Suite(.serialized) struct UserGuideWalkthroughTests {
    /// Every `candor …` line of the guide's fenced blocks, continuation lines joined and trailing
    /// comments removed. Blocks fenced as ```` ```text ```` are alternatives that need a service
    /// outside the workspace (an HTTPS witness with a private CA, a time-stamping authority);
    /// `WitnessTLSTests` and `WitnessTimestampTests` run those commands against test services.
    static func guideCommands() throws -> [String] {
        let text = try String(contentsOfFile: Paths.packageRoot.appendingPathComponent("docs/user-guide.md").path, encoding: .utf8)
        var commands: [String] = []
        var inBlock = false
        var skipBlock = false
        var pending = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                if inBlock {
                    inBlock = false
                    skipBlock = false
                } else {
                    inBlock = true
                    skipBlock = trimmed == "```text"
                }
                pending = ""
                continue
            }
            guard inBlock, !skipBlock else { continue }
            if trimmed.hasSuffix("\\") {
                pending += String(trimmed.dropLast()) + " "
                continue
            }
            var line = pending + trimmed
            pending = ""
            if let hash = line.range(of: "  #") { line = String(line[..<hash.lowerBound]) }
            line = line.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("candor ") { commands.append(line) }
        }
        return commands
    }

    /// The guide's placeholders made concrete for a test folder.
    static func concrete(_ command: String, dir: String, port: Int) -> String {
        var line = command
        let replacements = [
            ("/srv/witness", dir + "/witness"),
            ("0.0.0.0:7380", "127.0.0.1:\(port)"),
            ("integrity-host:7380", "127.0.0.1:\(port)"),
            ("--log-key keys/log.vkey", "--log-key \(dir)/ws/keys/log.vkey"),
            ("--vkey witness.vkey", "--vkey \(dir)/witness/witness.vkey"),
        ]
        for (from, to) in replacements { line = line.replacingOccurrences(of: from, with: to) }
        // Optional parts are given: "[--json report.json]" → "--json report.json".
        line = line.replacingOccurrences(of: #"\[([^\]]*)\]"#, with: "$1", options: .regularExpression)
        return line
    }

    @Test func userGuideCommandsRunInOrder() throws {
        let commands = try Self.guideCommands()
        #expect(commands.count >= 25, "\(commands)")
        for needed in ["analyze", "report", "export", "train", "evaluate", "calibrate", "audit verify", "audit show", "witness", "review"] {
            #expect(commands.contains { $0.hasPrefix("candor " + needed) }, "the guide lost its '\(needed)' command")
        }
        let dir = tempDir("candor-guide")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fm = FileManager.default
        // The files the guide assumes: the recording with its roles TextGrid, a labelled feature
        // table (the synthetic sample), a models folder for trained models.
        try fm.copyItem(atPath: Paths.sample("interview.flac"), toPath: dir + "/interview.flac")
        try fm.copyItem(atPath: Paths.sample("interview.TextGrid"), toPath: dir + "/interview.TextGrid")
        try fm.copyItem(atPath: Paths.sample("synthetic-features/features.csv"), toPath: dir + "/features.csv")
        try fm.copyItem(atPath: Paths.sample("synthetic-features/features.csv"), toPath: dir + "/held-out.csv")
        try fm.createDirectory(atPath: dir + "/models", withIntermediateDirectories: true)
        try Self.writeScores(dir + "/scores.csv")
        let port = 21_000 + Int(getpid() % 20_000)
        let env = [
            "CANDOR_WORKSPACE": dir + "/ws",
            "CANDOR_MODELS": Paths.packageRoot.appendingPathComponent("models").path,
            "PATH": URL(fileURLWithPath: Paths.candor).deletingLastPathComponent().path + ":"
                + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
        ]
        var background: [Process] = []
        defer { for p in background { p.terminate(); p.waitUntilExit() } }
        var ran: [String] = []
        for command in commands {
            let line = Self.concrete(command, dir: dir, port: port)
            try Self.prepare(for: line, dir: dir)
            if line.hasPrefix("candor witness serve") {
                background.append(try Self.startInBackground(line, dir: dir, env: env, port: port))
                ran.append(line)
                continue
            }
            let r = try run("/bin/bash", ["-c", line], cwd: dir, env: env)
            #expect(r.status == 0, "user guide: \(command)\nexit \(r.status)\n\(r.stderr)")
            if r.status != 0 { break }
            ran.append(line)
        }
        #expect(ran.count == commands.count, "ran \(ran.count) of \(commands.count)")
        // The walk left what the guide promises: a report, the exports, a verified bundle, and
        // reviews that later `audit show` lists.
        for f in ["report.html", "interview.frames.csv", "interview.segments.csv", "bundle/checkpoint", "trust.json", "calibration.json"] {
            #expect(fm.fileExists(atPath: dir + "/" + f), "missing \(f)")
        }
        let show = try run("/bin/bash", ["-c", "candor audit show --case C-2026-0142 --session 1"], cwd: dir, env: env)
        #expect(show.status == 0 && show.stdout.contains("disregard") && !show.stdout.contains("BAD"), "\(show.stdout)")
    }

    /// Files a command needs that earlier commands of the guide make in a user's hands: a folder
    /// of analyses with labels, neutral interviews for `calibrate`, an older checkpoint.
    static func prepare(for line: String, dir: String) throws {
        let fm = FileManager.default
        let analysis = dir + "/interview.analysis.json"
        if line.contains("--analyses analyses/") && !fm.fileExists(atPath: dir + "/analyses") {
            // Twelve "interviews" (copies of the analysis under other names, one speaker each):
            // the answers labelled 1 and the baselines 0.
            try fm.createDirectory(atPath: dir + "/analyses", withIntermediateDirectories: true)
            var labels = ["id,speaker,group,label"]
            let doc = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: analysis))) as? [String: Any])
            let segments = (doc["segments"] as? [[String: Any]]) ?? []
            for k in 0..<12 {
                try fm.copyItem(atPath: analysis, toPath: dir + "/analyses/s\(k).json")
                for s in segments {
                    guard let id = s["id"] as? String, let role = s["role"] as? String, role == "answer" || role == "baseline" else {
                        continue
                    }
                    labels.append("s\(k)/\(id),spk\(k),\(k % 2 == 0 ? "f" : "m"),\(role == "answer" ? 1 : 0)")
                }
            }
            try (labels.joined(separator: "\n") + "\n").write(toFile: dir + "/labels.csv", atomically: true, encoding: .utf8)
        }
        if line.contains("calibrate neutral/") && !fm.fileExists(atPath: dir + "/neutral") {
            try fm.createDirectory(atPath: dir + "/neutral", withIntermediateDirectories: true)
            for k in 0..<2 { try fm.copyItem(atPath: analysis, toPath: dir + "/neutral/n\(k).analysis.json") }
        }
        if line.contains("--since old-checkpoint") && !fm.fileExists(atPath: dir + "/old-checkpoint") {
            try fm.copyItem(atPath: dir + "/bundle/checkpoint", toPath: dir + "/old-checkpoint")
        }
    }

    /// `candor witness serve`, started in the background and waited for.
    static func startInBackground(_ line: String, dir: String, env: [String: String], port: Int) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", "exec " + line]
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        var e = ProcessInfo.processInfo.environment
        for (k, v) in env { e[k] = v }
        p.environment = e
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        for _ in 0..<100 {
            if (try? run("/usr/bin/curl", ["-s", "-o", "/dev/null", "http://127.0.0.1:\(port)/"]))?.status == 0 { break }
            usleep(100_000)
        }
        return p
    }

    /// A small scores table (`id,speaker,group,label,score`) for `candor evaluate --scores`.
    static func writeScores(_ path: String) throws {
        var rows = ["id,speaker,group,label,score"]
        for s in 0..<10 {
            for k in 0..<4 {
                let label = k % 2
                let score = 0.2 + 0.4 * Double(label) + 0.05 * Double((s * 7 + k * 3) % 5)
                rows.append("r\(s)-\(k),spk\(s),\(s % 2 == 0 ? "f" : "m"),\(label),\(score)")
            }
        }
        try (rows.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }
}
