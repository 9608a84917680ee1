import LifeboatCore

/// The configuration file (`--config`, default /etc/lifeboat/lifeboat.conf): INI sections, a `[global]`
/// section for every stanza and one `[<stanza>]` section per stanza that overrides it.
///
///     [global]
///     repo-path = /var/lib/lifeboat
///     compress-type = zstd
///
///     [main]
///     pg-data = /var/lib/postgresql/15/main
///
/// Keys are the long option names without dashes in front. `#` and `;` start comments.
struct ConfigFile: Sendable, Equatable {
    static let defaultPath = "/etc/lifeboat/lifeboat.conf"

    private(set) var sections: [String: [String: String]] = [:]
    let path: String?

    init(path: String? = nil, sections: [String: [String: String]] = [:]) {
        self.path = path
        self.sections = sections
    }

    init(parsing text: String, path: String) throws(LifeboatError) {
        self.path = path
        var section: String?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.count > 2 else {
                    throw LifeboatError(.invalidArgument, "config file '\(path)' line \(index + 1): malformed section header '\(line)'")
                }
                let name = String(line.dropFirst().dropLast()).trimmingWhitespace()
                section = name
                sections[name, default: [:]] = sections[name, default: [:]]
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw LifeboatError(.invalidArgument, "config file '\(path)' line \(index + 1): expected 'name = value'",
                                    hint: "options are written as in the flags without the dashes, e.g. repo-path = /var/lib/lifeboat")
            }
            guard let section else {
                throw LifeboatError(.invalidArgument, "config file '\(path)' line \(index + 1): option outside a section",
                                    hint: "put shared options under [global] and per-stanza ones under [<stanza>]")
            }
            let key = String(line[..<equals]).trimmingWhitespace()
            var value = String(line[line.index(after: equals)...]).trimmingWhitespace()
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            sections[section, default: [:]][key] = value
        }
    }

    /// The stanza section wins over global.
    func value(_ key: String, stanza: String?) -> String? {
        if let stanza, let value = sections[stanza]?[key] { return value }
        return sections["global"]?[key]
    }
}
