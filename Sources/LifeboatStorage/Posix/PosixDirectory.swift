import Glibc
import LifeboatCore
import struct Foundation.Date

/// Directory work of the POSIX driver: listing, creating parents, recursive removal.
/// Paths here are absolute (root joined with the repository-relative path), as messages name them.
enum PosixDirectory {
    /// The entries of `path` except ".", ".." and temporary names, sorted byte-wise like S3 lists keys.
    /// An absent directory, or a file at that path, lists as [].
    static func list(_ path: String) throws(LifeboatError) -> [StorageEntry] {
        let fd: Int32
        do {
            fd = try Syscall.open(path, O_RDONLY | O_DIRECTORY)
        } catch {
            if error.code == ENOENT || error.code == ENOTDIR { return [] }
            throw PosixFailure.error("open directory", path, error)
        }
        guard let stream = fdopendir(fd) else {
            let failure = Errno.current
            try? Syscall.close(fd)
            throw PosixFailure.error("open directory", path, failure)
        }
        defer { closedir(stream) }

        var entries: [StorageEntry] = []
        while true {
            errno = 0  // readdir returns nil both at the end and on error; only errno tells them apart.
            guard let raw = readdir(stream) else {
                if errno != 0 { throw PosixFailure.error("list directory", path, .current) }
                break
            }
            let name = entryName(raw)
            if name == "." || name == ".." || StorageNaming.isTemporary(name) { continue }
            let info: stat
            do {
                info = try Syscall.status(in: dirfd(stream), name)
            } catch {
                // Removed between readdir and fstatat (a concurrent expire), or a dangling link: not there.
                if error.code == ENOENT { continue }
                throw PosixFailure.error("get information about", path + "/" + name, error)
            }
            entries.append(entry(name: name, info: info))
        }
        entries.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return entries
    }

    /// Creates the missing directories of `components` under `root` (mkdir -p, 0700), then, if
    /// `durable`, fsyncs the parent of each directory it created so that the new names survive a crash.
    ///
    /// A directory that another writer created concurrently (EEXIST here) is synced by that writer; its
    /// mkdir is also ordered before our later fsyncs in the journal of ext4 and XFS.
    static func createParents(root: String, components: [Substring], durable: Bool) throws(LifeboatError) {
        var created: [(directory: String, parent: String)] = []
        var parent = root
        for component in components {
            let directory = PosixStorage.join(parent, String(component))
            do {
                try Syscall.makeDirectory(directory)
                created.append((directory, parent))
            } catch {
                if error.code != EEXIST { throw PosixFailure.error("create directory", directory, error) }
            }
            parent = directory
        }
        guard durable else { return }
        for (_, parent) in created {
            do {
                try Syscall.syncDirectory(parent)
            } catch {
                throw PosixFailure.error("sync directory", parent, error)
            }
        }
    }

    /// rm -rf: removes `path` and everything under it; absent is fine. Links are removed, never
    /// followed, so a link inside the repository cannot make this delete files outside it.
    static func removeTree(_ path: String) throws(LifeboatError) {
        let info: stat
        do {
            info = try Syscall.linkStatus(path)
        } catch {
            if error.code == ENOENT || error.code == ENOTDIR { return }
            throw PosixFailure.error("get information about", path, error)
        }
        if !Syscall.isDirectory(info) {
            do {
                try Syscall.unlink(path)
            } catch {
                if error.code != ENOENT { throw PosixFailure.error("remove", path, error) }
            }
            return
        }
        for name in try childNames(path) {
            try removeTree(path + "/" + name)
        }
        do {
            try Syscall.removeDirectory(path)
        } catch {
            if error.code != ENOENT { throw PosixFailure.error("remove directory", path, error) }
        }
    }

    /// Removes the temporary files (`StorageNaming.isTemporary`) under `path`, at any depth, whose last
    /// write is older than `cutoff`: what killed writers left. Links are never followed.
    static func removeTemporaries(under path: String, modifiedBefore cutoff: Date) throws(LifeboatError) -> Int {
        var removed = 0
        for name in try childNames(path) {
            let child = path + "/" + name
            let info: stat
            do {
                info = try Syscall.linkStatus(child)
            } catch {
                if error.code == ENOENT { continue }
                throw PosixFailure.error("get information about", child, error)
            }
            if Syscall.isDirectory(info) {
                removed += try removeTemporaries(under: child, modifiedBefore: cutoff)
                continue
            }
            guard StorageNaming.isTemporary(name), entry(name: name, info: info).modified < cutoff else { continue }
            do {
                try Syscall.unlink(child)
                removed += 1
            } catch {
                if error.code != ENOENT { throw PosixFailure.error("remove", child, error) }
            }
        }
        return removed
    }

    /// All names in a directory, read completely before anything is removed: POSIX leaves unspecified
    /// whether readdir returns entries removed or added while it runs.
    private static func childNames(_ path: String) throws(LifeboatError) -> [String] {
        let fd: Int32
        do {
            fd = try Syscall.open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
        } catch {
            if error.code == ENOENT { return [] }
            throw PosixFailure.error("open directory", path, error)
        }
        guard let stream = fdopendir(fd) else {
            let failure = Errno.current
            try? Syscall.close(fd)
            throw PosixFailure.error("open directory", path, failure)
        }
        defer { closedir(stream) }
        var names: [String] = []
        while true {
            errno = 0
            guard let raw = readdir(stream) else {
                if errno != 0 { throw PosixFailure.error("list directory", path, .current) }
                return names
            }
            let name = entryName(raw)
            if name != "." && name != ".." { names.append(name) }
        }
    }

    static func entry(name: String, info: stat) -> StorageEntry {
        let isDirectory = Syscall.isDirectory(info)
        let modified = Date(
            timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1_000_000_000)
        return StorageEntry(
            name: name, kind: isDirectory ? .directory : .file,
            size: isDirectory ? 0 : UInt64(info.st_size), modified: modified)
    }

    private static func entryName(_ entry: UnsafeMutablePointer<dirent>) -> String {
        withUnsafePointer(to: &entry.pointee.d_name) {
            String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
        }
    }
}
