import CandorTestSupport
import Foundation
import Testing

/// The README's "Using it" commands, in order, on a fresh workspace: the investigator's,
/// supervisor's, integrity office's, researcher's and batch flows. Each must exit 0, as the
/// README implies. The commands are read from the README itself, so the two cannot drift apart.
@Suite(.serialized) struct ReadmeWalkthroughTests {
    /// The `candor …` and `python3 …` command lines of the README's first `sh` block after
    /// "## Using it" (continuation lines joined, trailing comments removed).
    static func readmeCommands() throws -> [String] {
        let text = try String(contentsOfFile: Paths.packageRoot.appendingPathComponent("README.md").path, encoding: .utf8)
        guard let section = text.range(of: "## Using it"), let open = text.range(of: "```sh\n", range: section.upperBound..<text.endIndex),
            let close = text.range(of: "```", range: open.upperBound..<text.endIndex)
        else { return [] }
        var lines: [String] = []
        var pending = ""
        for raw in text[open.upperBound..<close.lowerBound].split(separator: "\n", omittingEmptySubsequences: false) {
            var line = String(raw)
            if line.hasSuffix("\\") {
                pending += String(line.dropLast()) + " "
                continue
            }
            line = pending + line
            pending = ""
            // A comment starts at "  #" outside quotes (the README's lines quote no '#').
            if let hash = line.range(of: "  #") { line = String(line[..<hash.lowerBound]) }
            line = line.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("candor ") || line.hasPrefix("python3 ") { lines.append(line) }
        }
        return lines
    }

    @Test func readmeCommandsRunInOrder() throws {
        let commands = try Self.readmeCommands()
        #expect(commands.count >= 15, "\(commands)")
        let dir = tempDir("candor-readme")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fm = FileManager.default
        // The files the README names: the sample interview as interview.wav with its TextGrid,
        // a recordings folder, and the checkout's samples/ and Tests/ (for the verifier).
        try fm.copyItem(atPath: Paths.sample("interview.flac"), toPath: dir + "/interview.wav")
        try fm.copyItem(atPath: Paths.sample("interview.TextGrid"), toPath: dir + "/interview.TextGrid")
        try fm.createDirectory(atPath: dir + "/recordings", withIntermediateDirectories: true)
        try fm.copyItem(atPath: Paths.sample("interview.flac"), toPath: dir + "/recordings/interview.flac")
        for link in ["samples", "Tests"] {
            try fm.createSymbolicLink(atPath: dir + "/" + link, withDestinationPath: Paths.packageRoot.appendingPathComponent(link).path)
        }
        let port = 20_000 + Int(getpid() % 20_000)
        let binDir = URL(fileURLWithPath: Paths.candor).deletingLastPathComponent().path
        let env = [
            "PATH": binDir + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
            "CANDOR_MODELS": Paths.packageRoot.appendingPathComponent("models").path,
        ]
        var background: [Process] = []
        defer { for p in background { p.terminate(); p.waitUntilExit() } }
        for command in commands {
            let line = command.replacingOccurrences(of: "7380", with: String(port))
            if line.hasSuffix("&") {
                let command = String(line.dropLast()).trimmingCharacters(in: .whitespaces)
                background.append(try UserGuideWalkthroughTests.startInBackground(command, dir: dir, env: env, port: port))
                continue
            }
            let r = try run("/bin/bash", ["-c", line], cwd: dir, env: env)
            #expect(r.status == 0, "README: \(command)\nexit \(r.status)\n\(r.stderr)")
            if r.status != 0 { break }
        }
    }
}
