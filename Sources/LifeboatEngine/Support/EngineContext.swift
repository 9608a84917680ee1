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

    /// The repository root must exist before anything but `init` runs.
    func requireRepository() async throws {
        guard try await storage.rootExists() else {
            throw LifeboatError(
                .repository, "repository '\(storage.location)' does not exist",
                hint: "check --repo-path, or create the stanza with `lifeboat init --stanza \(stanza) --repo-path \(storage.location)`")
        }
    }
}
