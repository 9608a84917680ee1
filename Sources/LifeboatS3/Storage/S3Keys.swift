import LifeboatCore
import LifeboatStorage

/// Repository paths ↔ S3 keys under the repository's prefix.
struct S3Keys: Sendable {
    let prefix: String

    /// The object key of a validated repository path.
    func key(_ path: String) -> String {
        prefix.isEmpty ? path : prefix + "/" + path
    }

    /// The prefix that lists what is under `directory` ("" = the repository root).
    func directoryPrefix(_ directory: String) -> String {
        if directory.isEmpty { return prefix.isEmpty ? "" : prefix + "/" }
        return key(directory) + "/"
    }
}
