#if canImport(Glibc)
import Glibc
#endif
import LifeboatCore
import LifeboatStorage

/// The per-stanza lock that keeps two backups (and later expire) from running together.
/// It lives in a local directory (`lock-path`), not in the repository: taking or failing to take it
/// never changes the repository. archive-push never takes it: archiving must not wait for a backup.
enum StanzaLock {
    static func acquire(_ context: EngineContext, purpose: String) throws -> FileLock {
        try prepareDirectory(context.lockPath)
        do {
            return try FileLock.acquire(path: "\(context.lockPath)/\(context.stanza)-\(purpose).lock")
        } catch {
            guard error.code == .lockHeld else { throw error }
            throw LifeboatError(
                .lockHeld, "another lifeboat \(purpose) is running on stanza '\(context.stanza)'",
                hint: "wait for it to finish (see `ps -ef | grep lifeboat`); an abandoned lock is released when its process exits")
        }
    }

    /// Like /tmp: anyone may create a lock file in it, only its owner may remove one. Users of one
    /// host (root for a manual run, postgres from cron) then share the same locks.
    private static func prepareDirectory(_ path: String) throws {
        if try LocalFS.status(path) != nil { return }
        try LocalFS.makeDirectories(LocalFS.parent(of: path), mode: 0o755)
        if mkdir(path, 0o1777) != 0 && errno != EEXIST { throw LocalFS.ioError("create lock directory", path) }
        chmod(path, 0o1777)
    }
}
