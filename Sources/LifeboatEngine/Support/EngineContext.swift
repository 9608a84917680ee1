import Logging
import LifeboatCodecs
import LifeboatCore
import LifeboatPostgres
import LifeboatStorage

/// Everything a command needs from the outside world, resolved by the CLI and handed in:
/// no engine code reads the environment, a config file or a global.
public struct EngineContext: Sendable {
    public var stanza: String
    public var storage: any RepositoryStorage
    public var connection: ConnectionSettings
    public var pgData: String?
    public var processMax: Int
    public var compressType: CompressionType
    public var compressLevel: Int
    public var logger: Logger
    public var progress: ProgressStyle
    /// Written to stderr by progress reporting.
    public var emitProgress: @Sendable (String) -> Void
    /// The options a restored cluster's restore_command must repeat to reach this repository
    /// (never secrets: those come from the environment or the config file).
    public var restoreCommandOptions: [String]
    /// Local directory for the stanza locks (default /tmp/lifeboat).
    public var lockPath: String
    /// Which `repo<N>` `storage` is.
    public var repositoryIndex: Int = 1
    /// Every configured repository, for the commands that visit several (archive-push stores to all;
    /// archive-get and restore fall back in order; info shows each). Empty: `storage` alone.
    public var repositories: [RepositoryTarget] = []
    /// Whether this command has begun changing the repository (see `ChangeMarker`).
    public let changes = ChangeMarker()

    public init(
        stanza: String, storage: any RepositoryStorage, connection: ConnectionSettings, pgData: String?,
        processMax: Int, compressType: CompressionType, compressLevel: Int, logger: Logger,
        progress: ProgressStyle, emitProgress: @escaping @Sendable (String) -> Void, restoreCommandOptions: [String],
        lockPath: String = "/tmp/lifeboat"
    ) {
        self.lockPath = lockPath
        self.stanza = stanza
        self.storage = storage
        self.connection = connection
        self.pgData = pgData
        self.processMax = processMax
        self.compressType = compressType
        self.compressLevel = compressLevel
        self.logger = logger
        self.progress = progress
        self.emitProgress = emitProgress
        self.restoreCommandOptions = restoreCommandOptions
    }

    var repository: Repository { Repository(storage: storage, stanza: stanza) }

    /// The repository root must exist before anything but `init` runs; on an encrypted repository the
    /// passphrase is checked here, before any work starts.
    func requireRepository() async throws {
        guard try await storage.rootExists() else {
            throw LifeboatError(
                .repository, "repository '\(storage.location)' does not exist",
                hint: "check --repo-path, or create the stanza with `lifeboat init --stanza \(stanza) --repo-path \(storage.location)`")
        }
        try await requireMatchingCipher()
    }

    /// Encrypted storage: unlocks the master key (a wrong passphrase fails here, before any work).
    /// Plain storage: refuses a stanza that has a key file, rather than failing later on unreadable objects.
    func requireMatchingCipher() async throws {
        if let encrypted = storage as? EncryptedStorage {
            try await encrypted.unlock()
        } else if try await storage.info(EncryptedStorage.keyFilePath(stanza: stanza)) != nil {
            throw LifeboatError(
                .cipher, "stanza '\(stanza)' in repository '\(storage.displayName)' is encrypted, but no cipher options were given",
                hint: "set repo-cipher-type = aes-256-gcm and the passphrase (LIFEBOAT_REPO_CIPHER_PASS, repo-cipher-pass in the config file, or repo-cipher-pass-file)")
        }
    }

    /// The hash written in archived WAL object names: the content's SHA-256 in a plain repository, an
    /// HMAC of it in an encrypted one (names must not reveal content hashes; see `CipherKeys.nameTag`).
    func archiveNameDigest(forSHA256 sha256: String) async throws -> String {
        try await Self.archiveNameDigest(forSHA256: sha256, in: storage)
    }

    static func archiveNameDigest(forSHA256 sha256: String, in storage: any RepositoryStorage) async throws -> String {
        guard let encrypted = storage as? EncryptedStorage else { return sha256 }
        return try await encrypted.unlock().nameTag(forSHA256: sha256)
    }
}
