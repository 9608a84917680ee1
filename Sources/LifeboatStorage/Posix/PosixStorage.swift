import Glibc
import LifeboatCore
import struct Foundation.Date

/// A repository in a local (or NFS-mounted) directory.
///
/// Files are written to a temporary name in their final directory and renamed into place, so readers
/// never see half a file; durability follows `WriteOptions` (see `PosixFileWriter.publish`). System calls
/// block the calling thread: they are short for local disks, and `durable: false` plus one `syncAll()`
/// keeps the long ones (fsync) out of the per-file path.
public struct PosixStorage: RepositoryStorage {
    /// The repository directory, without trailing "/" (except for "/" itself).
    public let root: String
    let noReplaceStrategy: NoReplaceStrategy
    private let fileSystem: FileSystemHandle

    /// Does not touch the disk: commands check the root themselves, and `init` calls `ensureRoot()`.
    public init(root: String) {
        self.init(root: root, noReplaceStrategy: .renameat2)
    }

    /// `noReplaceStrategy` lets tests exercise the link()+unlink() fallback on a file system that
    /// supports renameat2.
    init(root: String, noReplaceStrategy: NoReplaceStrategy) {
        var root = root
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        // "" would otherwise join into "/x", i.e. the file system root; a relative root means the cwd.
        self.root = root.isEmpty ? "." : root
        self.noReplaceStrategy = noReplaceStrategy
        self.fileSystem = FileSystemHandle()
    }

    public var capabilities: StorageCapabilities { [.atomicNoReplace, .syncAll] }
    public var displayName: String { "posix:\(root)" }
    public var location: String { root }

    public func rootExists() async throws(LifeboatError) -> Bool {
        do {
            return Syscall.isDirectory(try Syscall.status(root))
        } catch {
            if error.code == ENOENT || error.code == ENOTDIR { return false }
            throw PosixFailure.error("get information about", root, error)
        }
    }

    /// mkdir -p of the root; what it creates gets mode 0700 and is synced into its parent.
    public func ensureRoot() throws(LifeboatError) {
        let absolute = root.hasPrefix("/")
        let components = root.split(separator: "/")
        try PosixDirectory.createParents(root: absolute ? "/" : ".", components: components, durable: true)
        let info: stat
        do {
            info = try Syscall.status(root)
        } catch {
            throw PosixFailure.error("create repository directory", root, error)
        }
        // mkdir's EEXIST also covers a file of that name.
        if !Syscall.isDirectory(info) {
            throw PosixFailure.error("use repository directory", root, Errno(code: ENOTDIR))
        }
    }

    public func info(_ path: String) async throws(LifeboatError) -> StorageEntry? {
        let components = try StoragePath.components(path, allowRoot: true)
        let full = absolute(path)
        do {
            return PosixDirectory.entry(name: String(components.last ?? ""), info: try Syscall.status(full))
        } catch {
            if error.code == ENOENT || error.code == ENOTDIR { return nil }
            throw PosixFailure.error("get information about", full, error)
        }
    }

    public func list(_ directory: String) async throws(LifeboatError) -> [StorageEntry] {
        _ = try StoragePath.components(directory, allowRoot: true)
        return try PosixDirectory.list(absolute(directory))
    }

    public func openRead(_ path: String) async throws(LifeboatError) -> any StorageReader {
        try openReader(path)
    }

    public func readAll(_ path: String) async throws(LifeboatError) -> [UInt8] {
        let reader = try openReader(path)
        defer { reader.close() }
        return try reader.readRemaining()
    }

    public func create(_ path: String, options: WriteOptions) async throws(LifeboatError) -> any StorageWriter {
        try makeWriter(path, options: options)
    }

    public func write(_ path: String, contents: [UInt8], options: WriteOptions) async throws(LifeboatError) {
        let writer = try makeWriter(path, options: options)
        // withUnsafeBytes only rethrows untyped errors, so the failure comes out as a value.
        let failure = contents.withUnsafeBytes { (bytes) -> LifeboatError? in
            do throws(LifeboatError) {
                try writer.append(bytes)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
        // Both append and publish remove the temporary file themselves when they fail.
        try writer.publish()
    }

    public func remove(_ path: String) async throws(LifeboatError) {
        _ = try StoragePath.components(path)
        let full = absolute(path)
        do {
            try Syscall.unlink(full)
        } catch {
            if error.code == ENOENT || error.code == ENOTDIR { return }
            throw PosixFailure.error("remove", full, error)
        }
    }

    public func removeTree(_ directory: String) async throws(LifeboatError) {
        _ = try StoragePath.components(directory)
        try PosixDirectory.removeTree(absolute(directory))
    }

    public func removeAbandonedWrites(under directory: String, olderThan cutoff: Date) async throws(LifeboatError) -> Int {
        _ = try StoragePath.components(directory, allowRoot: true)
        return try PosixDirectory.removeTemporaries(under: absolute(directory), modifiedBefore: cutoff)
    }

    public func syncAll() async throws(LifeboatError) {
        try fileSystem.sync(root)
    }

    /// `root` joined with a validated repository-relative path; "" is the root itself.
    func absolute(_ path: String) -> String {
        Self.join(root, path)
    }

    static func join(_ directory: String, _ name: String) -> String {
        if name.isEmpty { return directory }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    private func openReader(_ path: String) throws(LifeboatError) -> PosixFileReader {
        _ = try StoragePath.components(path)
        let full = absolute(path)
        let fd: Int32
        do {
            fd = try Syscall.open(full, O_RDONLY)
        } catch {
            // ENOTDIR: a parent is a file, so this file cannot exist either.
            let absent = error.code == ENOTDIR ? Errno(code: ENOENT) : error
            throw PosixFailure.error("open", full, absent, purpose: "for reading", absentIsNotFound: true)
        }
        // open(O_RDONLY) succeeds on a directory; refuse it here rather than fail on the first read.
        if let info = try? Syscall.fileStatus(fd), Syscall.isDirectory(info) {
            try? Syscall.close(fd)
            throw PosixFailure.error("open", full, Errno(code: EISDIR), purpose: "for reading")
        }
        Syscall.adviseSequential(fd)
        return PosixFileReader(fd: fd, path: full)
    }

    private func makeWriter(_ path: String, options: WriteOptions) throws(LifeboatError) -> PosixFileWriter {
        let components = try StoragePath.components(path)
        let (parent, name) = StoragePath.split(components)
        let directory = absolute(parent)
        let temporary = Self.join(directory, StorageNaming.temporaryName(for: name, pid: getpid()))
        let final = absolute(path)
        // Open the sync descriptor before the first non-durable write, so that syncAll's syncfs sees
        // write-back errors from then on (Linux reports only errors after the descriptor was opened).
        if !options.durable { fileSystem.openIfNeeded(root) }

        func openTemporary() throws(Errno) -> Int32 {
            try Syscall.open(temporary, O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
        }
        var fd: Int32
        do {
            fd = try openTemporary()
        } catch {
            guard error.code == ENOENT else { throw PosixFailure.error("open", final, error, purpose: "for writing") }
            // Only now create the parents: most files go into a directory that already exists.
            try PosixDirectory.createParents(root: root, components: Array(components.dropLast()), durable: options.durable)
            do {
                fd = try openTemporary()
            } catch {
                throw PosixFailure.error("open", final, error, purpose: "for writing")
            }
        }
        // The umask filtered the mode given to open; the repository's files are 0600 regardless.
        if fchmod(fd, 0o600) != 0 {
            let failure = Errno.current
            try? Syscall.close(fd)
            try? Syscall.unlink(temporary)
            throw PosixFailure.error("set permissions of", final, failure)
        }
        return PosixFileWriter(
            fd: fd, temporaryPath: temporary, finalPath: final, directoryPath: directory,
            options: options, noReplaceStrategy: noReplaceStrategy)
    }
}
