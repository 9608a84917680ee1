import LifeboatCore

/// The exit code of every failure, one table (documented in the README): scripts and monitoring
/// can tell "wrong stanza" from "repository corrupt" without parsing messages.
enum ExitCodes {
    static let success: Int32 = 0
    /// archive-get: the file is not in the archive (PostgreSQL's "end of archive").
    static let archiveGetAbsent: Int32 = 1
    /// archive-get: any other failure; PostgreSQL aborts recovery on codes above 125 instead of
    /// treating the failure as the end of the archive and promoting at the wrong point.
    static let archiveGetFatal: Int32 = 126
    /// verify: the repository has at least one problem (each listed); the same code as a corrupt stored file.
    static let verifyFailed: Int32 = 17
    /// drill: the drill ran and at least one check failed (the result is recorded in the repository).
    static let drillFailed: Int32 = 60
    /// check: Nagios plugin convention.
    static let checkWarning: Int32 = 1
    static let checkCritical: Int32 = 2

    static func code(for error: LifeboatError) -> Int32 {
        switch error.code {
        case .invalidArgument: return 2
        case .parse: return 3
        case .stanzaNotFound: return 10
        case .stanzaExists: return 11
        case .systemIdMismatch: return 12
        case .repository: return 13
        case .notFound: return 14
        case .alreadyExists: return 15
        case .checksumMismatch: return 16
        case .corrupt: return 17
        case .auditChainBroken: return 18
        case .cipher: return 19
        case .postgres: return 20
        case .postgresConfig: return 21
        case .lockHeld: return 22
        case .targetOutOfRange: return 30
        case .backupNotFound: return 31
        case .directoryNotEmpty: return 32
        case .unsafePath: return 33
        case .io: return 40
        case .interrupted: return 41
        case .internal: return 50
        }
    }
}
