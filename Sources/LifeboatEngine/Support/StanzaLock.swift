import LifeboatCore
import LifeboatStorage

/// The per-stanza lock that keeps two backups (and later expire) from running together.
/// archive-push never takes it: archiving must not wait for a backup.
enum StanzaLock {
    static func acquire(_ context: EngineContext, purpose: String) throws -> FileLock {
        let directory: String
        if let posix = context.storage as? PosixStorage {
            directory = posix.root + "/" + context.stanza
        } else {
            directory = "/tmp/lifeboat"
            try LocalFS.makeDirectories(directory, mode: 0o700)
        }
        do {
            return try FileLock.acquire(path: "\(directory)/\(purpose).lock")
        } catch {
            guard error.code == .lockHeld else { throw error }
            throw LifeboatError(
                .lockHeld, "another lifeboat \(purpose) is running on stanza '\(context.stanza)'",
                hint: "wait for it to finish (see `ps -ef | grep lifeboat`); an abandoned lock is released when its process exits")
        }
    }
}
