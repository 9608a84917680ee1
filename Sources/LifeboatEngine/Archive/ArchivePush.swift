#if canImport(Glibc)
import Glibc
#endif
import LifeboatCodecs
import LifeboatCore
import LifeboatStorage

public struct ArchivePushReport: Codable, Sendable {
    public var wal: String
    public var storedAs: String
    public var size: UInt64
    public var storedSize: UInt64
    public var sha256: String
    /// True when an identical copy was already archived (PostgreSQL retried after a crash).
    public var alreadyArchived: Bool
    /// With several repositories: every repository that holds the file (all of them on success).
    public var repositories: [String]? = nil
}

/// `lifeboat archive-push %p`: PostgreSQL's archive_command. Exit 0 means the file is durable in the
/// repository; the same name with the same content is accepted again, different content never replaces it.
public enum ArchivePush {
    public static func run(_ context: EngineContext, walPath: String) async throws -> ArchivePushReport {
        let fileName = LocalFS.baseName(of: walPath)
        guard let wal = WALFileName(fileName) else {
            throw LifeboatError(
                .invalidArgument, "'\(fileName)' is not a WAL, .history, .backup or .partial file name",
                hint: "archive_command must pass %p: archive_command = 'lifeboat archive-push --stanza \(context.stanza) %p'")
        }
        let fd = open(walPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT {
                throw LifeboatError(.notFound, "WAL file '\(walPath)' does not exist",
                                    hint: "archive-push takes the path PostgreSQL passes as %p (relative to the data directory)")
            }
            throw LocalFS.ioError("open", walPath)
        }
        defer { close(fd) }
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)

        try await context.requireRepository()
        let repository = context.repository
        let stanza = try await repository.loadStanza()
        if let walSystemId = try clusterIdentity(of: wal, fd: fd, context: context) {
            try stanza.requireSameCluster(systemIdentifier: walSystemId, source: "WAL file '\(fileName)'")
        }

        let existing = try await repository.archived(wal)
        let sha256 = try hashFile(fd, path: walPath)
        let nameDigest = try await context.archiveNameDigest(forSHA256: sha256)
        var report = ArchivePushReport(wal: wal.name, storedAs: "", size: 0, storedSize: 0, sha256: sha256, alreadyArchived: false)
        if let stored = existing.first {
            guard stored.name.sha256 == nameDigest else {
                throw LifeboatError(
                    .alreadyExists,
                    "WAL file '\(wal.name)' is already archived with different content (stored \(stored.name.sha256.prefix(12))…, new \(nameDigest.prefix(12))…); the archived copy was kept",
                    hint: "two clusters may be archiving into stanza '\(context.stanza)', or the WAL was damaged: check archive_command and --stanza")
            }
            report.storedAs = stored.path
            report.alreadyArchived = true
            context.logger.info("WAL file '\(wal.name)' was already archived with identical content")
            return report
        }

        let name = ArchiveObjectName(wal: wal, sha256: nameDigest, fileExtension: context.compressType.fileExtension)
        let path = repository.layout.archiveDirectory(for: wal) + "/" + name.storedName
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw LocalFS.ioError("seek", walPath) }
        var writer = try await context.storage.create(path, options: WriteOptions(durable: true, noReplace: true))
        var result = TransferResult()
        do {
            // The hash is known from the first pass; PostgreSQL never rewrites a segment it handed over.
            // PostgreSQL runs one archive_command at a time, so zstd may use both cores for it.
            result = try await TransferWorkspace(compressionType: context.compressType, level: context.compressLevel)
                .store(fd: fd, sourcePath: walPath, into: &writer, hashing: false, threads: 2)
            try await writer.commit()
        } catch let error as LifeboatError where error.code == .alreadyExists {
            // Another archive-push of the same name and content won the race; its copy is as good as ours.
            await writer.abort()
        } catch {
            await writer.abort()
            throw error
        }
        report.storedAs = path
        report.size = result.size
        report.storedSize = result.storedSize
        context.logger.debug("archived '\(wal.name)' as '\(path)' (\(result.size) → \(result.storedSize) bytes)")
        return report
    }

    /// Segments carry the system identifier in their first page; other files are checked through the
    /// data directory PostgreSQL runs archive_command in.
    private static func clusterIdentity(of wal: WALFileName, fd: Int32, context: EngineContext) throws -> String? {
        if wal.kind == .segment || wal.kind == .partial {
            var header = [UInt8](repeating: 0, count: 40)
            let count = header.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 40, 0) }
            if count == 40, let id = WALIdentity.systemIdentifier(walHeader: header) { return id }
        }
        return WALIdentity.systemIdentifier(dataDirectory: context.pgData ?? ".")
    }

    private static func hashFile(_ fd: Int32, path: String) throws -> String {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        return try LocalFS.sha256(of: fd, path: path, buffer: buffer)
    }
}
