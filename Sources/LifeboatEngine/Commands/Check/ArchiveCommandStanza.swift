/// Which stanza an archive_command's `lifeboat archive-push` archives to, read the way lifeboat itself
/// resolves it: the `--stanza` flag, then `LIFEBOAT_STANZA=` set in front of the command, then the
/// `stanza` of the config file it names (`--config FILE`, or `LIFEBOAT_CONFIG=` in front).
enum ArchiveCommandStanza: Equatable {
    /// The stanza and where it was found, e.g. "--stanza" or "config file /etc/lifeboat/x.conf".
    case named(String, source: String)
    /// Nothing on the command names it: the server's environment or the default config file does.
    case unknown

    static func resolve(words: [String], stanzaInConfigFile: (String) -> String?) -> ArchiveCommandStanza {
        if let flag = value(of: "--stanza", in: words) { return .named(flag, source: "--stanza") }
        if let assigned = assignment("LIFEBOAT_STANZA", in: words), !assigned.isEmpty {
            return .named(assigned, source: "LIFEBOAT_STANZA")
        }
        if let path = value(of: "--config", in: words) ?? assignment("LIFEBOAT_CONFIG", in: words),
           let stanza = stanzaInConfigFile(path), !stanza.isEmpty {
            return .named(stanza, source: "config file \(path)")
        }
        return .unknown
    }

    /// `--name VALUE` or `--name=VALUE`; the first occurrence, as the argument parser would see it.
    static func value(of flag: String, in words: [String]) -> String? {
        for (index, word) in words.enumerated() {
            if word == flag, index + 1 < words.count { return words[index + 1] }
            if word.hasPrefix(flag + "=") { return String(word.dropFirst(flag.count + 1)) }
        }
        return nil
    }

    /// `NAME=value` in front of the program (the shell's environment assignment, or `env NAME=value`).
    static func assignment(_ name: String, in words: [String]) -> String? {
        for word in words where word != "env" && word != "exec" {
            guard word.contains("=") else { return nil }
            if word.hasPrefix(name + "=") { return String(word.dropFirst(name.count + 1)) }
        }
        return nil
    }
}
