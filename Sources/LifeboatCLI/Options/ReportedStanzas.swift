import LifeboatCore
import LifeboatStorage

/// `status` and `metrics` without a stanza report every stanza: each `[<stanza>]` section of the config
/// file, or, when it has none, every stanza present in the configured repositories (a directory holding
/// a `stanza.json`).
extension ResolvedOptions {
    /// nil when a stanza is given (flag, LIFEBOAT_STANZA or `stanza =` under [global]): the command then
    /// reports that one stanza exactly as before. Otherwise the stanzas to report, sorted by name.
    func reportedStanzas() async throws(LifeboatError) -> [String]? {
        if stanza != nil { return nil }
        let sections = config.sections.keys.filter { $0 != "global" }.sorted()
        if !sections.isEmpty { return sections }
        var found = Set<String>()
        var unreadable: [String] = []
        for repository in try visitedRepositories(selected: try selectedRepository()) {
            do {
                let storage = try repository.baseStorage()
                for entry in try await storage.list("") where entry.kind == .directory {
                    if try await storage.info("\(entry.name)/stanza.json") != nil { found.insert(entry.name) }
                }
            } catch {
                unreadable.append("repo\(repository.index): \(error.message)")
            }
        }
        guard !found.isEmpty else {
            throw LifeboatError(
                .invalidArgument,
                "no stanza given, the config file has no [<stanza>] section, and no stanza was found in the repository"
                    + (unreadable.isEmpty ? "" : " (\(unreadable.joined(separator: "; ")))"),
                hint: "add --stanza NAME (or LIFEBOAT_STANZA), or a [NAME] section to the config file")
        }
        return found.sorted()
    }

    /// The same options seen from one stanza (its config section applies).
    func forStanza(_ name: String) -> ResolvedOptions {
        ResolvedOptions(given: given, environment: environment, config: config, stanza: name)
    }
}
