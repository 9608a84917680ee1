/// The one error type every Lifeboat layer throws.
///
/// `code` is stable and is what the CLI maps to an exit code; `message` is one lower-case line that
/// names the file, stanza or value involved (never a secret); `hint` tells the operator what to do next.
public struct LifeboatError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable, CaseIterable {
        case invalidArgument      // a flag, option or config value is malformed
        case parse                // a file or value read from PostgreSQL/the repository could not be parsed
        case stanzaNotFound       // the stanza has not been created with `lifeboat init`
        case stanzaExists         // `init` on a stanza that exists for another cluster
        case systemIdMismatch     // the cluster is not the one the stanza was created for
        case repository           // repository missing, unreadable or unwritable
        case notFound             // an object that must exist does not
        case alreadyExists        // an object exists and must not be replaced
        case checksumMismatch     // content does not match its recorded SHA-256
        case corrupt              // a stored object cannot be decoded (truncated, bad frame)
        case auditChainBroken     // the audit trail's hash chain is broken: a record was removed, edited or reordered
        case postgres             // PostgreSQL unreachable or a query failed
        case postgresConfig       // PostgreSQL reachable but not configured for Lifeboat (wal_level, archive_mode...)
        case lockHeld             // another Lifeboat process holds the stanza lock
        case targetOutOfRange     // a recovery target outside the recoverable window
        case backupNotFound       // no backup matches the label or target
        case directoryNotEmpty    // restore into a non-empty directory without --force
        case unsafePath           // a manifest path that would escape the target directory
        case io                   // a local file-system operation failed
        case interrupted          // the work was cancelled or interrupted
        case cipher               // encryption: wrong or missing passphrase, encrypted vs plain repository mismatch
        case `internal`           // a bug: an invariant did not hold
    }

    public let code: Code
    public let message: String
    public let hint: String?

    public init(_ code: Code, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    /// One line: the message, then the hint behind `HINT:`.
    public var description: String {
        guard let hint else { return message }
        return "\(message) HINT: \(hint)"
    }
}
