import Glibc

/// Thin wrappers over the system calls the POSIX driver uses: retry on EINTR, complete short writes,
/// add O_CLOEXEC to every descriptor (so a child process, e.g. PostgreSQL started by a drill, inherits
/// none), and report failures as `Errno`.
enum Syscall {
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0) throws(Errno) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw .current }
        }
    }

    /// Closes without retrying: on Linux the descriptor is gone even when close reports EINTR, and a
    /// retry could close a descriptor another thread has just been given.
    static func close(_ fd: Int32) throws(Errno) {
        if Glibc.close(fd) != 0, errno != EINTR { throw .current }
    }

    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let count = Glibc.read(fd, base, buffer.count)
            if count >= 0 { return count }
            if errno != EINTR { throw .current }
        }
    }

    /// Writes all of `bytes`: write(2) may write less than asked (signals, pipes, some file systems).
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(Errno) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let count = Glibc.write(fd, base + offset, bytes.count - offset)
            if count > 0 {
                offset += count
            } else if count == 0 {
                // Cannot happen for a regular file with bytes left; treat as an I/O error, not a loop.
                throw Errno(code: EIO)
            } else if errno != EINTR {
                throw .current
            }
        }
    }

    /// fsync rather than fdatasync for new files: their size, allocation and mode are metadata that
    /// fdatasync need not flush on every file system, and a new file changes all of it anyway.
    static func fsync(_ fd: Int32) throws(Errno) {
        while Glibc.fsync(fd) != 0 {
            if errno != EINTR { throw .current }
        }
    }

    static func fileStatus(_ fd: Int32) throws(Errno) -> Glibc.stat {
        var info = Glibc.stat()
        if Glibc.fstat(fd, &info) != 0 { throw .current }
        return info
    }

    /// stat (following symbolic links, so a repository directory may be a link to another disk).
    static func status(_ path: String) throws(Errno) -> Glibc.stat {
        var info = Glibc.stat()
        if stat(path, &info) != 0 { throw .current }
        return info
    }

    /// lstat: used where a link must be removed rather than followed (`removeTree`).
    static func linkStatus(_ path: String) throws(Errno) -> Glibc.stat {
        var info = Glibc.stat()
        if Glibc.lstat(path, &info) != 0 { throw .current }
        return info
    }

    static func status(in directory: Int32, _ name: String) throws(Errno) -> Glibc.stat {
        var info = Glibc.stat()
        if Glibc.fstatat(directory, name, &info, 0) != 0 { throw .current }
        return info
    }

    /// mkdir then chmod: mkdir's mode is filtered by the umask, and the repository's 0700 must not be.
    static func makeDirectory(_ path: String) throws(Errno) {
        if Glibc.mkdir(path, 0o700) != 0 { throw .current }
        if Glibc.chmod(path, 0o700) != 0 { throw .current }
    }

    static func rename(_ from: String, _ to: String) throws(Errno) {
        if Glibc.rename(from, to) != 0 { throw .current }
    }

    static func link(_ from: String, _ to: String) throws(Errno) {
        if Glibc.link(from, to) != 0 { throw .current }
    }

    static func unlink(_ path: String) throws(Errno) {
        if Glibc.unlink(path) != 0 { throw .current }
    }

    static func removeDirectory(_ path: String) throws(Errno) {
        if Glibc.rmdir(path) != 0 { throw .current }
    }

    /// Opens a directory and fsyncs it, making the names created or renamed in it durable.
    static func syncDirectory(_ path: String) throws(Errno) {
        let fd = try open(path, O_RDONLY | O_DIRECTORY)
        defer { try? close(fd) }
        try fsync(fd)
    }

    /// Tells the kernel the file is read front to back, so it reads ahead more aggressively.
    /// Advice only: a failure changes nothing but speed, so it is ignored.
    static func adviseSequential(_ fd: Int32) {
        _ = posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
    }

    static func isDirectory(_ info: Glibc.stat) -> Bool { info.st_mode & S_IFMT == S_IFDIR }
}
