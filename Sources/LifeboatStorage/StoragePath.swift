import LifeboatCore

/// Validation of repository-relative paths, shared by every driver so they all refuse the same paths.
package enum StoragePath {
    /// The components of `path`, or `.unsafePath` if it could escape the repository or is ambiguous.
    /// `allowRoot` admits "" (the repository root) for the calls that may look at it (`info`, `list`).
    package static func components(_ path: String, allowRoot: Bool = false) throws(LifeboatError) -> [Substring] {
        if path.isEmpty {
            if allowRoot { return [] }
            throw unsafe(path, "the path is empty")
        }
        if path.utf8.contains(0) { throw unsafe(path, "it contains a NUL byte") }
        if path.hasPrefix("/") { throw unsafe(path, "it must be relative to the repository") }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        for part in parts {
            switch part {
            case "": throw unsafe(path, "it has an empty component")
            case ".", "..": throw unsafe(path, "it has a '\(part)' component")
            default: continue
            }
        }
        return parts
    }

    /// The parent directory ("" for a top-level name) and base name of an already validated path.
    package static func split(_ components: [Substring]) -> (parent: String, name: String) {
        (components.dropLast().joined(separator: "/"), String(components.last ?? ""))
    }

    private static func unsafe(_ path: String, _ reason: String) -> LifeboatError {
        LifeboatError(.unsafePath, "unsafe repository path '\(path)': \(reason)")
    }
}
