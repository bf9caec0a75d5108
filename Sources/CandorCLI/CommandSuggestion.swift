import ArgumentParser

/// "Did you mean …?" for a mistyped subcommand: the closest name (edit distance at most 2, or a
/// unique prefix) among the subcommands at the level where the typo is.
enum CommandSuggestion {
    static func hint(for arguments: [String]) -> String? {
        var command: any ParsableCommand.Type = CandorCommand.self
        var path = ["candor"]
        for word in arguments where !word.hasPrefix("-") {
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty else { return nil }
            let names = subcommands.map { name(of: $0) }
            if let next = subcommands.first(where: { name(of: $0) == word }) {
                command = next
                path.append(word)
                continue
            }
            guard let best = closest(word, in: names) else { return nil }
            return "Did you mean '\((path + [best]).joined(separator: " "))'? (see '\(path.joined(separator: " ")) --help')"
        }
        return nil
    }

    static func name(of command: any ParsableCommand.Type) -> String {
        command.configuration.commandName ?? String(describing: command).lowercased()
    }

    static func closest(_ word: String, in names: [String]) -> String? {
        let prefixed = names.filter { $0.hasPrefix(word) }
        if word.count >= 2, prefixed.count == 1 { return prefixed[0] }
        let scored = names.map { ($0, distance(word, $0)) }.filter { $0.1 <= 2 }.sorted { $0.1 < $1.1 }
        return scored.first?.0
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var row = Array(0...y.count)
        for i in 1...x.count {
            var previous = row[0]
            row[0] = i
            for j in 1...y.count {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (x[i - 1] == y[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[y.count]
    }
}
