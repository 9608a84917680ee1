import Glibc
import LifeboatCore
import Synchronization

/// The descriptor `syncAll()` calls syncfs on, shared by every copy of one `PosixStorage`.
///
/// Linux's syncfs reports write-back errors that happened after the descriptor was opened, so the
/// descriptor is opened before the first non-durable write and kept: a fresh one at `syncAll()` time
/// would miss an error from the background write-back of an earlier file, and lose that file silently.
final class FileSystemHandle: Sendable {
    private let descriptor = Mutex<Int32?>(nil)

    deinit {
        descriptor.withLock { fd in
            if let fd { try? Syscall.close(fd) }
        }
    }

    /// Opens the root once; a failure is left for the write itself (or `sync`) to report.
    func openIfNeeded(_ root: String) {
        descriptor.withLock { fd in
            if fd == nil { fd = try? Syscall.open(root, O_RDONLY | O_DIRECTORY) }
        }
    }

    /// syncfs on the root's file system. A repository whose subdirectories are other mount points is
    /// not supported: only the root's file system is synced. The mutex is held throughout, so concurrent
    /// calls queue rather than issue overlapping syncfs calls.
    func sync(_ root: String) throws(LifeboatError) {
        let failure = descriptor.withLock { (fd: inout Int32?) -> (action: String, errno: Errno)? in
            let open: Int32
            if let fd {
                open = fd
            } else {
                do throws(Errno) {
                    open = try Syscall.open(root, O_RDONLY | O_DIRECTORY)
                    fd = open
                } catch {
                    return ("open directory", error)
                }
            }
            do throws(Errno) {
                try LinuxExtensions.syncFileSystem(open)
                return nil
            } catch {
                return ("sync file system of", error)
            }
        }
        if let failure { throw PosixFailure.error(failure.action, root, failure.errno) }
    }
}
