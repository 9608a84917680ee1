import Glibc
import LifeboatCore

/// Writes one file under its temporary name and publishes it on `commit()`.
///
/// A class so that a writer dropped without `commit()` or `abort()` still closes its descriptor and
/// removes its temporary file (deinit), instead of leaving both behind.
final class PosixFileWriter: StorageWriter {
    private enum State {
        case writing(fd: Int32)
        /// A write or commit failed and the temporary file is already removed: commit must refuse,
        /// because publishing now could publish a truncated file.
        case failed
        case committed
        case aborted
    }

    private var state: State
    private let temporaryPath: String
    private let finalPath: String
    private let directoryPath: String
    private let options: WriteOptions
    private let noReplaceStrategy: NoReplaceStrategy
    private(set) var bytesWritten: UInt64 = 0

    init(
        fd: Int32, temporaryPath: String, finalPath: String, directoryPath: String,
        options: WriteOptions, noReplaceStrategy: NoReplaceStrategy
    ) {
        self.state = .writing(fd: fd)
        self.temporaryPath = temporaryPath
        self.finalPath = finalPath
        self.directoryPath = directoryPath
        self.options = options
        self.noReplaceStrategy = noReplaceStrategy
    }

    deinit {
        if case .writing = state { discard() }
    }

    func write(_ bytes: UnsafeRawBufferPointer) async throws(LifeboatError) {
        try append(bytes)
    }

    func commit() async throws(LifeboatError) {
        try publish()
    }

    func abort() async {
        if case .writing = state {
            discard()
            state = .aborted
        }
    }

    /// The synchronous body of `write`, also used by `PosixStorage.write` (the bytes never outlive it).
    func append(_ bytes: UnsafeRawBufferPointer) throws(LifeboatError) {
        let fd = try openDescriptor("write")
        do {
            try Syscall.writeAll(fd, bytes)
            bytesWritten += UInt64(bytes.count)
        } catch {
            discard()
            throw PosixFailure.error("write", finalPath, error)
        }
    }

    /// Durable: fsync the data, close, rename into place, fsync the directory — in that order, so that
    /// after a crash the final name holds either the old file or the complete new one. (Directories
    /// created for this file were synced into their parents by `create`.)
    /// Non-durable: close and rename; `syncAll()` later makes both durable.
    func publish() throws(LifeboatError) {
        let fd = try openDescriptor("commit")
        if options.durable {
            do {
                try Syscall.fsync(fd)
            } catch {
                // Never retry fsync: after a failure Linux may already have dropped the dirty pages.
                discard()
                throw PosixFailure.error("sync", finalPath, error)
            }
        }
        do {
            try Syscall.close(fd)
        } catch {
            // close reports delayed write errors on NFS: the data may not be there.
            state = .failed
            try? Syscall.unlink(temporaryPath)
            throw PosixFailure.error("close", finalPath, error)
        }
        state = .failed  // descriptor closed; until the rename succeeds the temp file is ours to remove
        do {
            try rename()
        } catch {
            try? Syscall.unlink(temporaryPath)
            throw error
        }
        state = .committed
        guard options.durable else { return }
        do {
            try Syscall.syncDirectory(directoryPath)
        } catch {
            // The file is visible but its name may not survive a crash: not acknowledged.
            throw PosixFailure.error("sync directory", directoryPath, error)
        }
    }

    /// Closes and removes the temporary file, best effort: it is hidden from `list` even if this fails.
    func discard() {
        if case .writing(let fd) = state {
            try? Syscall.close(fd)
            try? Syscall.unlink(temporaryPath)
        }
        state = .failed
    }

    private func openDescriptor(_ operation: String) throws(LifeboatError) -> Int32 {
        guard case .writing(let fd) = state else {
            let why: String
            switch state {
            case .failed: why = "an earlier write or commit failed"
            case .committed: why = "it is already committed"
            case .aborted, .writing: why = "it was aborted"
            }
            throw LifeboatError(.internal, "unable to \(operation) '\(finalPath)': \(why)")
        }
        return fd
    }

    private func rename() throws(LifeboatError) {
        guard options.noReplace else {
            do {
                try Syscall.rename(temporaryPath, finalPath)
            } catch {
                throw PosixFailure.error("rename '\(temporaryPath)' to", finalPath, error)
            }
            return
        }
        if noReplaceStrategy == .renameat2 {
            do {
                try LinuxExtensions.renameNoReplace(temporaryPath, finalPath)
                return
            } catch {
                if error.code == EEXIST { throw alreadyExists() }
                // EINVAL: this file system has no RENAME_NOREPLACE (e.g. some network file systems);
                // ENOSYS: this C library has no renameat2. Both: fall back to link.
                if error.code != EINVAL && error.code != ENOSYS {
                    throw PosixFailure.error("rename '\(temporaryPath)' to", finalPath, error)
                }
            }
        }
        do {
            try Syscall.link(temporaryPath, finalPath)
        } catch {
            if error.code == EEXIST { throw alreadyExists() }
            throw PosixFailure.error("link '\(temporaryPath)' to", finalPath, error)
        }
        // The file is published under its final name; a failure here leaves only a hidden second name.
        try? Syscall.unlink(temporaryPath)
    }

    private func alreadyExists() -> LifeboatError {
        LifeboatError(.alreadyExists, "unable to create '\(finalPath)': \(Errno(code: EEXIST).text)")
    }
}
