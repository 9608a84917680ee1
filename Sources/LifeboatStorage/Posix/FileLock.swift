import Glibc
import LifeboatCore
import Synchronization

/// Advisory exclusive lock (flock on a file under the repository, or a local lock dir) held for the life
/// of the value; used so two backups on one stanza never run together.
///
/// flock rather than fcntl locks: an flock lock belongs to the open file description, so it is released
/// when the process dies (no stale locks after kill -9), and a second open of the same file in the same
/// process conflicts with the first, as a second process would. The lock file is never deleted: unlinking
/// it while another process has it open would let two processes lock two different files of one name.
public final class FileLock: Sendable {
    /// The lock file's path, as given to `acquire`.
    public let path: String
    private let descriptor: Mutex<Int32?>

    private init(path: String, fd: Int32) {
        self.path = path
        self.descriptor = Mutex(fd)
    }

    deinit {
        release()
    }

    /// Non-blocking: throws .lockHeld "another lifeboat process holds lock 'PATH' (pid N)" when held.
    /// Writes the pid into the file. `release()` and deinit unlock. Missing parent directories are
    /// created with mode 0700, the file with 0600.
    public static func acquire(path: String) throws(LifeboatError) -> FileLock {
        let fd = try openLockFile(path)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let failure = Errno.current
            if failure.code == EINTR { continue }
            let holder = failure.code == EWOULDBLOCK ? readPid(fd) : nil
            try? Syscall.close(fd)
            guard failure.code == EWOULDBLOCK else {
                throw LifeboatError(.io, "unable to lock '\(path)': \(failure.text)")
            }
            throw LifeboatError(
                .lockHeld,
                "another lifeboat process holds lock '\(path)' (pid \(holder.map(String.init) ?? "unknown"))",
                hint: "wait for that process to finish; the lock is released when it exits")
        }
        // The pid is for operators reading the message above; the lock itself is the flock, so a failure
        // to record it does not matter and is not synced.
        let record = Array("\(getpid())\n".utf8)
        if ftruncate(fd, 0) == 0 {
            _ = record.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
        return FileLock(path: path, fd: fd)
    }

    /// Unlocks and closes; calling it again (or letting deinit run after it) does nothing.
    public func release() {
        descriptor.withLock { fd in
            guard let open = fd else { return }
            _ = flock(open, LOCK_UN)
            try? Syscall.close(open)
            fd = nil
        }
    }

    private static func openLockFile(_ path: String) throws(LifeboatError) -> Int32 {
        var createdParents = false
        while true {
            do {
                // O_EXCL first so that only a file this call created gets its mode forced to 0600;
                // an existing lock file may belong to another user and keeps its mode.
                let fd = try Syscall.open(path, O_RDWR | O_CREAT | O_EXCL, mode: 0o600)
                _ = fchmod(fd, 0o600)
                return fd
            } catch {
                switch error.code {
                case EEXIST:
                    do {
                        return try Syscall.open(path, O_RDWR)
                    } catch {
                        // Removed between the two opens: try creating it again.
                        if error.code == ENOENT { continue }
                        throw LifeboatError(.io, "unable to open lock file '\(path)': \(error.text)")
                    }
                case ENOENT where !createdParents:
                    try createParents(of: path)
                    createdParents = true
                default:
                    throw LifeboatError(.io, "unable to open lock file '\(path)': \(error.text)")
                }
            }
        }
    }

    private static func createParents(of path: String) throws(LifeboatError) {
        var components = path.split(separator: "/")
        components.removeLast()
        var directory = path.hasPrefix("/") ? "" : "."
        for component in components {
            directory += "/" + component
            do {
                try Syscall.makeDirectory(directory)
            } catch {
                if error.code != EEXIST {
                    throw LifeboatError(.io, "unable to create lock directory '\(directory)': \(error.text)")
                }
            }
        }
    }

    /// The pid the holder wrote, or nil if it has not written it yet (it locks first, then writes).
    private static func readPid(_ fd: Int32) -> Int? {
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: bytes[0..<count], as: UTF8.self)
        return text.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) }
    }
}
