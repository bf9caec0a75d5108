import ArgumentParser
import CandorCLI
import CandorTestSupport
import Foundation
import Testing

/// One table of situations and the exit code docs/exit-codes.md promises for each, over every
/// command: a command that answers the same situation differently fails here.
@Suite struct ExitCodeTableTests {
    /// Every leaf command of the tree, as its words after `candor`.
    static func leafCommands(_ command: any ParsableCommand.Type = CandorCommand.self, path: [String] = []) -> [[String]] {
        let subs = command.configuration.subcommands
        if subs.isEmpty { return [path] }
        return subs.flatMap { leafCommands($0, path: path + [$0.configuration.commandName ?? ""]) }
    }

    @Test func everyCommandRejectsAnUnknownOptionWithExit2() throws {
        let commands = Self.leafCommands()
        #expect(commands.count >= 20, "\(commands)")
        for words in commands {
            let r = try run(Paths.candor, words + ["--no-such-option-xyz"])
            #expect(r.status == 2, "candor \(words.joined(separator: " ")): exit \(r.status): \(r.stderr)")
            #expect(!r.stderr.contains("Error: Error:"), "\(words)")
        }
    }

    /// (arguments, expected exit code); `WS` is a fresh workspace with an operator key and one
    /// session log (C1/S1), `DIR` a scratch folder.
    static let table: [([String], Int32)] = [
        // 3: something named does not exist or cannot be read.
        (["analyze", "DIR/missing.wav", "--out", "DIR/a.json"], 3),
        (["report", "--analysis", "DIR/missing.json", "--out", "DIR/r.html"], 3),
        (["export", "--format", "csv", "--analysis", "DIR/missing.json", "--out", "DIR/x"], 3),
        (["report", "--case", "C9", "--session", "S9", "--workspace", "WS", "--out", "DIR/r.html"], 3),
        (["export", "--format", "csv", "--case", "C9", "--session", "S9", "--workspace", "WS", "--out", "DIR/x"], 3),
        (["audit", "show", "--case", "C9", "--session", "S9", "--workspace", "WS"], 3),
        (["audit", "verify", "--case", "C9", "--session", "S9", "--workspace", "WS"], 3),
        (["review", "--case", "C9", "--session", "S9", "--seq", "0", "--kind", "note", "--note", "x", "--workspace", "WS"], 3),
        (["review", "--case", "C1", "--session", "S1", "--seq", "99", "--kind", "note", "--note", "x", "--workspace", "WS"], 3),
        (["audit", "verify", "DIR/no-bundle"], 3),
        (["evaluate", "--scores", "DIR/missing.csv"], 3),
        (["train", "--table", "DIR/missing.csv", "--out", "DIR/m.json", "--target", "condition"], 3),
        (["models", "show", "no-such-model", "--models", "MODELS"], 3),
        // 2: the command line is wrong.
        (["analyze"], 2),
        (["analyze", "DIR/x.wav", "--case", "C1"], 2),
        (["report", "--out", "DIR/r.html"], 2),
        (["export", "--format", "xml", "--analysis", "DIR/a.json"], 2),
        (["keys", "init", "--operator", "J. Doe", "--workspace", "WS"], 2),
        (["train", "--table", "DIR/t.csv", "--out", "DIR/m.json", "--target", "deception"], 2),
        (["analyze", "DIR/x.wav", "--lang", "fr"], 2),
        (["analyse", "DIR/x.wav"], 2),
        // 1: anything else (here: an output folder that does not exist).
        (["analyze", "SAMPLE", "--out", "DIR/no/such/folder/a.json"], 1),
        // 0.
        (["audit", "verify", "--case", "C1", "--session", "S1", "--workspace", "WS"], 0),
        (["models", "list", "--models", "MODELS"], 0),
    ]

    @Test func documentedSituationsGiveTheDocumentedCode() throws {
        let dir = tempDir("candor-exit")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ws = dir + "/ws"
        #expect(try run(Paths.candor, ["keys", "init", "--operator", "op", "--workspace", ws]).status == 0)
        #expect(
            try run(
                Paths.candor,
                [
                    "review", "--case", "C1", "--session", "S1", "--seq", "0", "--kind", "note", "--note", "x",
                    "--workspace", ws,
                ]
            ).status != 0)  // no log yet: nothing to review
        let made = try run(
            Paths.candor,
            [
                "analyze", Paths.sample("interview.flac"), "--pitch-only", "--case", "C1", "--session", "S1",
                "--workspace", ws, "--out", dir + "/a.json",
            ])
        #expect(made.status == 0, "\(made.stderr)")
        let models = Paths.packageRoot.appendingPathComponent("models").path
        for (args, expected) in Self.table {
            let resolved = args.map {
                $0.replacingOccurrences(of: "DIR", with: dir).replacingOccurrences(of: "WS", with: ws)
                    .replacingOccurrences(of: "MODELS", with: models).replacingOccurrences(
                        of: "SAMPLE", with: Paths.sample("interview.flac"))
            }
            let r = try run(Paths.candor, resolved)
            #expect(r.status == expected, "candor \(args.joined(separator: " ")): exit \(r.status), expected \(expected): \(r.stderr)")
            if expected != 0 && expected != 2 {
                #expect(r.stderr.split(separator: "\n").count == 1, "one line: \(r.stderr)")
            }
        }
    }
}
