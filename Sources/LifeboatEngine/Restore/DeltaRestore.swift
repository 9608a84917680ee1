#if canImport(Glibc)
import Glibc
#endif
import LifeboatCodecs
import LifeboatCore
import LifeboatStorage

/// What `restore --delta` did to the existing directory.
public struct DeltaRestoreReport: Codable, Sendable, Equatable {
    /// Files of the backup found locally and compared (size, then SHA-256).
    public var filesChecked: Int
    /// Files written from the repository: different, missing or of the wrong type locally.
    public var filesRewritten: Int
    /// Files, directories and links the backup does not have, removed.
    public var entriesRemoved: Int
    /// Original bytes written.
    public var bytesRewritten: UInt64
}

/// `restore --delta`: brings an existing data directory to exactly what a full restore of the backup
/// would produce, rewriting only the files whose content differs (size, then SHA-256 of the local
/// file against the manifest), removing what the backup does not have (stale WAL in pg_wal, a
/// leftover postmaster.pid, dropped relations…), and fixing modes and times.
///
/// Safety: the server must be stopped (a live postmaster.pid is refused); the directory must look like
/// a data directory (PG_VERSION) unless empty; global/pg_control is removed first and restored last, so
/// an interrupted delta restore leaves a directory PostgreSQL refuses to start rather than a silent mix
/// of old and new files. Symlinks are never followed, except the tablespace links the backup defines,
/// and only the backup's own version directory inside a tablespace location is managed (another
/// PostgreSQL version's directory beside it is left alone).
enum DeltaRestore {
    static let controlFile = "global/pg_control"

    /// Checks made by RestorePlan before anything is written: refuses a directory a running server
    /// uses, and one that does not look like a data directory.
    static func checkTarget(_ dataDirectory: String) throws(LifeboatError) {
        guard let info = try LocalFS.status(dataDirectory) else { return }
        guard LocalFS.isDirectory(info) else {
            throw LifeboatError(.directoryNotEmpty, "restore target '\(dataDirectory)' exists and is not a directory")
        }
        if try LocalFS.entries(of: dataDirectory).isEmpty { return }
        if let pid = try runningPostmaster(dataDirectory) {
            throw LifeboatError(.directoryNotEmpty, "restore directory '\(dataDirectory)' is in use by a running server (postmaster.pid, process \(pid))",
                                hint: "stop PostgreSQL (pg_ctl stop -D \(dataDirectory)) before restore --delta")
        }
        guard try LocalFS.status(dataDirectory + "/PG_VERSION") != nil else {
            throw LifeboatError(.directoryNotEmpty, "restore directory '\(dataDirectory)' is not empty and does not look like a PostgreSQL data directory (no PG_VERSION): refusing --delta",
                                hint: "give --delta a data directory, or restore into an empty directory")
        }
    }

    /// The pid in postmaster.pid when that process is alive (kill 0 succeeds or is refused for
    /// permission: either way it exists). A stale file (crashed server) is not a running server.
    static func runningPostmaster(_ dataDirectory: String) throws(LifeboatError) -> Int32? {
        let path = dataDirectory + "/postmaster.pid"
        guard try LocalFS.status(path) != nil else { return nil }
        let text = String(decoding: try LocalFS.readFile(path, limit: 4096), as: UTF8.self)
        guard let first = text.split(separator: "\n").first, let pid = Int32(first.filter { !$0.isWhitespace }), pid > 0 else {
            // Unreadable content: assume the worst.
            return -1
        }
        if kill(pid, 0) == 0 || errno == EPERM { return pid }
        return nil
    }

    /// Writes one file of the backup to a destination that does not exist yet, verifying it.
    typealias Fetch = @Sendable (TransferWorkspace, ManifestFile, String) async throws -> Void

    /// The per-file fetch of a full restore: create with O_EXCL, rebuild the file from its chain
    /// (which checks size and SHA-256), set mode and time.
    static func fetcher(_ context: EngineContext, chain: BackupChain) -> Fetch {
        let materializer = FileMaterializer(storage: context.storage, layout: context.repository.layout, chain: chain)
        return { workspace, file, destination in
            // Read-write: a file rebuilt from page layers is read back to check its SHA-256.
            let fd = open(destination, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw LocalFS.ioError("create", destination) }
            defer { close(fd) }
            try await materializer.materialize(file, toFD: fd, destination: destination, workspace: workspace)
            guard fchmod(fd, mode_t(file.mode & 0o7777)) == 0 else { throw LocalFS.ioError("set the mode of", destination) }
            var times = [timespec(tv_sec: Int(file.mtime), tv_nsec: 0), timespec(tv_sec: Int(file.mtime), tv_nsec: 0)]
            guard futimens(fd, &times) == 0 else { throw LocalFS.ioError("set the time of", destination) }
        }
    }

    /// Brings the directory in line with the manifest; `fetch` writes each file that differs.
    static func run(
        _ context: EngineContext, manifest: BackupManifest, plan: RestorePlan,
        fetch: @escaping Fetch
    ) async throws -> DeltaRestoreReport {
        guard let type = CompressionType(rawValue: manifest.compressType) else {
            throw LifeboatError(.corrupt, "backup '\(manifest.label)' uses unknown compression '\(manifest.compressType)'")
        }
        let root = plan.dataDirectory
        try LocalFS.makeDirectories(root, mode: 0o700)
        try LocalFS.makeDirectory(root, mode: 0o700)

        // First, make the directory unstartable until the restore completes.
        if try LocalFS.status(root + "/" + controlFile) != nil {
            guard unlink(root + "/" + controlFile) == 0 else { throw LocalFS.ioError("remove", root + "/" + controlFile) }
            try LocalFS.syncDirectory(root + "/global")
        }

        var removed = try removeExtras(manifest: manifest, plan: plan)
        removed += try ensureLayout(plan: plan)

        let progress = ProgressMeter(title: "restore --delta", totalBytes: manifest.originalSize, totalFiles: manifest.files.count,
                                     style: context.progress, emit: context.emitProgress)
        let files = manifest.files.filter { $0.path != controlFile }.sorted { $0.size > $1.size }
        let outcomes = try await Parallel.map(files, workers: context.processMax,
                                              workspace: { DeltaWorkspace(type: type) }) { workspace, file in
            let outcome = try await sync(file, root: root, workspace: workspace, progress: progress, fetch: fetch)
            progress.fileDone()
            return outcome
        }
        var report = DeltaRestoreReport(filesChecked: 0, filesRewritten: 0, entriesRemoved: removed, bytesRewritten: 0)
        for outcome in outcomes { report.add(outcome) }
        if let control = manifest.files.first(where: { $0.path == controlFile }) {
            report.add(try await sync(control, root: root, workspace: DeltaWorkspace(type: type), progress: progress, fetch: fetch))
        }
        progress.finish()
        return report
    }

    struct Outcome: Sendable {
        var checked: Bool
        var rewritten: Bool
        var bytes: UInt64
        var removedBefore: Int
    }

    /// One file: kept (mode and time fixed) when the local copy has the backup's size and SHA-256,
    /// otherwise replaced by the backup's copy.
    static func sync(_ file: ManifestFile, root: String, workspace: DeltaWorkspace, progress: ProgressMeter,
                     fetch: Fetch) async throws -> Outcome {
        let destination = root + "/" + file.path
        var removedBefore = 0
        var checked = false
        if let info = try LocalFS.status(destination) {
            if LocalFS.isRegular(info) {
                checked = true
                if UInt64(info.st_size) == file.size, try workspace.sha256(of: destination) == file.sha256 {
                    try fixAttributes(destination, file: file, info: info)
                    progress.advance(bytes: file.size)
                    return Outcome(checked: true, rewritten: false, bytes: 0, removedBefore: 0)
                }
                guard unlink(destination) == 0 else { throw LocalFS.ioError("remove", destination) }
            } else {
                // A directory or link where the backup has a file: never follow it, remove it.
                try removeEntry(destination, info: info)
                removedBefore = 1
            }
        }
        try await fetch(workspace.transfer, file, destination)
        progress.advance(bytes: file.size)
        return Outcome(checked: checked, rewritten: true, bytes: file.size, removedBefore: removedBefore)
    }

    private static func fixAttributes(_ path: String, file: ManifestFile, info: stat) throws(LifeboatError) {
        if info.st_mode & 0o7777 != mode_t(file.mode & 0o7777) {
            guard chmod(path, mode_t(file.mode & 0o7777)) == 0 else { throw LocalFS.ioError("set the mode of", path) }
        }
        if Int64(info.st_mtim.tv_sec) != file.mtime || info.st_mtim.tv_nsec != 0 {
            var times = [timespec(tv_sec: Int(file.mtime), tv_nsec: 0), timespec(tv_sec: Int(file.mtime), tv_nsec: 0)]
            guard utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW) == 0 else { throw LocalFS.ioError("set the time of", path) }
        }
    }

    // MARK: layout

    /// Removes every entry the backup does not have, deepest first, without following links (except
    /// into the tablespace locations the backup defines). Returns how many entries went.
    private static func removeExtras(manifest: BackupManifest, plan: RestorePlan) throws -> Int {
        let root = plan.dataDirectory
        var keepFiles = Set(manifest.files.map(\.path))
        keepFiles.remove(controlFile)
        let keepDirectories = Set(manifest.directories.map(\.path)).union(["pg_tblspc"])
        var removed = 0

        func walk(_ relative: String, _ absolute: String) throws {
            for name in try LocalFS.entries(of: absolute) {
                let childRelative = relative.isEmpty ? name : relative + "/" + name
                let childAbsolute = absolute + "/" + name
                guard let info = try LocalFS.status(childAbsolute) else { continue }
                if relative == "pg_tblspc", let oid = UInt32(name), let location = plan.tablespaces[oid] {
                    // A tablespace link the backup has: keep it if it points at the restore location.
                    if LocalFS.isSymlink(info), try LocalFS.readLink(childAbsolute) == location,
                       let target = try LocalFS.status(location), LocalFS.isDirectory(target) {
                        try walkTablespace(childRelative, location)
                        continue
                    }
                    try removeEntry(childAbsolute, info: info)
                    removed += 1
                    continue
                }
                if LocalFS.isDirectory(info) && keepDirectories.contains(childRelative) {
                    try walk(childRelative, childAbsolute)
                } else if LocalFS.isRegular(info) && keepFiles.contains(childRelative) {
                    continue
                } else {
                    try removeEntry(childAbsolute, info: info)
                    removed += 1
                }
            }
        }

        /// Inside a tablespace location only the backup's version directories are managed.
        func walkTablespace(_ relative: String, _ location: String) throws {
            for name in try LocalFS.entries(of: location) {
                let childRelative = relative + "/" + name
                guard keepDirectories.contains(childRelative) else { continue }
                guard let info = try LocalFS.status(location + "/" + name) else { continue }
                if LocalFS.isDirectory(info) {
                    try walk(childRelative, location + "/" + name)
                } else {
                    try removeEntry(location + "/" + name, info: info)
                    removed += 1
                }
            }
        }

        if let info = try LocalFS.status(root), LocalFS.isDirectory(info) { try walk("", root) }
        return removed
    }

    /// Creates missing directories and tablespace links, replaces non-directories where the backup has
    /// a directory, and sets every directory's mode. Returns the entries it had to remove.
    private static func ensureLayout(plan: RestorePlan) throws -> Int {
        let root = plan.dataDirectory
        var removed = 0
        func directory(_ path: String, mode: mode_t) throws {
            if let info = try LocalFS.status(path), !LocalFS.isDirectory(info) {
                try removeEntry(path, info: info)
                removed += 1
            }
            try LocalFS.makeDirectory(path, mode: mode)
        }
        if !plan.tablespaces.isEmpty && !plan.directories.contains(where: { $0.path == "pg_tblspc" }) {
            try directory(root + "/pg_tblspc", mode: 0o700)
        }
        for entry in plan.directories where !entry.path.hasPrefix("pg_tblspc/") {
            try directory(root + "/" + entry.path, mode: mode_t(entry.mode & 0o7777))
        }
        for (oid, location) in plan.tablespaces.sorted(by: { $0.key < $1.key }) {
            try LocalFS.makeDirectories(location, mode: 0o700)
            try LocalFS.makeDirectory(location, mode: 0o700)
            let link = root + "/pg_tblspc/\(oid)"
            if try LocalFS.status(link) == nil {
                guard symlink(location, link) == 0 else { throw LocalFS.ioError("create tablespace link", link) }
            }
        }
        for entry in plan.directories where entry.path.hasPrefix("pg_tblspc/") {
            try directory(root + "/" + entry.path, mode: mode_t(entry.mode & 0o7777))
        }
        return removed
    }

    /// Removes a file, link or whole directory tree, never following links.
    static func removeEntry(_ path: String, info: stat) throws(LifeboatError) {
        if LocalFS.isDirectory(info) {
            try LocalFS.removeContents(of: path)
            guard rmdir(path) == 0 else { throw LocalFS.ioError("remove directory", path) }
        } else {
            guard unlink(path) == 0 else { throw LocalFS.ioError("remove", path) }
        }
    }
}

extension DeltaRestoreReport {
    mutating func add(_ outcome: DeltaRestore.Outcome) {
        if outcome.checked { filesChecked += 1 }
        if outcome.rewritten {
            filesRewritten += 1
            bytesRewritten += outcome.bytes
        }
        entriesRemoved += outcome.removedBefore
    }
}

/// One delta worker's buffers: a read buffer for hashing local files, and the transfer workspace the
/// per-file fetch reuses.
final class DeltaWorkspace {
    let transfer: TransferWorkspace
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: TransferWorkspace.chunkSize, alignment: 64)

    init(type: CompressionType) {
        transfer = TransferWorkspace(compressionType: type, level: 0)
    }

    deinit { buffer.deallocate() }

    /// SHA-256 of a local regular file, streamed; never follows a link.
    func sha256(of path: String) throws(LifeboatError) -> String {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw LocalFS.ioError("open", path) }
        defer { close(fd) }
        return try LocalFS.sha256(of: fd, path: path, buffer: buffer)
    }
}
