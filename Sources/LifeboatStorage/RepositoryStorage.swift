import LifeboatCore
import struct Foundation.Date

/// A place that holds a repository: a POSIX directory, memory (tests), later an S3 bucket.
///
/// Rules every implementation follows (the conformance suite in `LifeboatStorageTests` checks them):
/// - Paths are repository-relative and "/"-separated. An absolute path, an empty component, "." or ".."
///   throws `.unsafePath`. Only `info` and `list` accept "" (the repository root).
/// - `info` returns nil for an absent path (never throws `.notFound`); `list` of an absent directory
///   returns []; `remove` and `removeTree` of an absent path succeed; `openRead` and `readAll` of an
///   absent file throw `.notFound`.
/// - Every other failure throws `.repository` (unreadable, unwritable, full...), never `.notFound`:
///   `archive-get` must not mistake a broken repository for a missing file, or PostgreSQL ends recovery early.
/// - A file being written is invisible (to `info`, `list`, `openRead`) until `commit()`, which publishes it
///   atomically; a reader sees the old content or the new, never a mix.
/// - `list` returns entries sorted by name in byte-wise UTF-8 order (the order S3 lists keys in), and
///   never returns a temporary name (see `StorageNaming.isTemporary`).
/// - Directories are implied by the files under them: they are created as needed by `create`, and a
///   caller must not rely on an empty directory surviving (object stores have none).
/// - Error messages are one lower-case line naming the path, with the system's reason.
public protocol RepositoryStorage: Sendable {
    var capabilities: StorageCapabilities { get }
    /// Identifies the repository in messages and `info`, e.g. "posix:/var/lib/lifeboat". Never a secret.
    var displayName: String { get }
    /// The repository root as the user named it (a directory path; `s3://bucket/prefix`), for messages
    /// such as "repository '<location>' does not exist".
    var location: String { get }

    /// Whether the repository root exists (a directory; a reachable bucket). Failing to find out (no
    /// permission, server unreachable) throws `.repository`.
    func rootExists() async throws(LifeboatError) -> Bool
    /// Makes the root exist for `init`: creates the directory; an object store checks its bucket exists.
    func ensureRoot() async throws(LifeboatError)

    /// The entry at `path`, or nil if nothing is there. "" is the repository root.
    func info(_ path: String) async throws(LifeboatError) -> StorageEntry?
    /// Files and directories directly under `directory`, sorted by name. "" is the repository root.
    /// An absent directory (or a file at that path) lists as [].
    func list(_ directory: String) async throws(LifeboatError) -> [StorageEntry]
    /// Opens a file for streaming reads; `.notFound` if it is absent.
    func openRead(_ path: String) async throws(LifeboatError) -> any StorageReader
    /// The whole content of a small file (manifests, catalogs); `.notFound` if it is absent.
    func readAll(_ path: String) async throws(LifeboatError) -> [UInt8]
    /// Starts writing `path` under a temporary name; parent directories are created as needed.
    /// Nothing is visible until the writer's `commit()`.
    func create(_ path: String, options: WriteOptions) async throws(LifeboatError) -> any StorageWriter
    /// `create` + one write + `commit`, for small files.
    func write(_ path: String, contents: [UInt8], options: WriteOptions) async throws(LifeboatError)
    /// Removes one file; an absent file is fine. Directories are removed with `removeTree`.
    /// Removal is not synced: after a crash a removed file may come back, which expiry tolerates.
    func remove(_ path: String) async throws(LifeboatError)
    /// Removes `directory` and everything under it (a file at that path is removed too); absent is fine.
    /// Refuses "" so that no caller can wipe the repository root by accident.
    func removeTree(_ directory: String) async throws(LifeboatError)
    /// Removes what writers that died left under `directory` (at any depth) and last touched before
    /// `olderThan`: the POSIX driver's temporary files, S3's incomplete multipart uploads (which stay
    /// billed until aborted). Never a committed file. A live writer caught by the cut-off loses its
    /// write and its commit fails, so nothing unstored is ever acknowledged; callers still pick a
    /// cut-off no live writer predates, or hold the lock that keeps writers out. Returns how many went.
    func removeAbandonedWrites(under directory: String, olderThan: Date) async throws(LifeboatError) -> Int
    /// Makes every earlier non-durable commit durable. Call once after a batch of `durable: false` commits
    /// and before acknowledging them (e.g. before writing the backup's manifest).
    func syncAll() async throws(LifeboatError)
}
