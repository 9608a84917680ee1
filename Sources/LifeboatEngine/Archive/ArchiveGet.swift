#if canImport(Glibc)
import Glibc
#endif
import LifeboatCodecs
import LifeboatCore
import LifeboatStorage

public struct ArchiveGetReport: Codable, Sendable {
    public var wal: String
    public var found: Bool
    public var size: UInt64
    public var source: String?
    /// With several repositories: the one the file came from.
    public var repository: String? = nil
}

/// `lifeboat archive-get %f %p`: PostgreSQL's restore_command. Absent → the caller exits 1 (end of
/// archive); every other failure is thrown and must abort recovery, never look like "absent".
public enum ArchiveGet {
    public static func run(_ context: EngineContext, walName: String, destination: String) async throws -> ArchiveGetReport {
        guard let wal = WALFileName(walName) else {
            throw LifeboatError(.invalidArgument, "'\(walName)' is not a WAL, .history, .backup or .partial file name",
                                hint: "restore_command must pass %f and %p: restore_command = 'lifeboat archive-get %f \"%p\"'")
        }
        try await context.requireRepository()
        let repository = context.repository
        _ = try await repository.loadStanza()
        guard let object = try await repository.archived(wal).first else {
            return ArchiveGetReport(wal: wal.name, found: false, size: 0, source: nil)
        }
        guard let type = CompressionType(fileExtension: object.name.fileExtension) else {
            throw LifeboatError(.corrupt, "archived file '\(object.path)' has an unknown compression suffix")
        }

        let temp = destination + ".lifeboat.tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw LocalFS.ioError("create", temp) }
        var reader = try await context.storage.openRead(object.path)
        defer { reader.close() }
        let result: TransferResult
        do {
            result = try await TransferWorkspace(compressionType: type, level: 0)
                .fetch(from: &reader, type: type, toFD: fd, destinationPath: temp, describe: object.path)
            guard try await context.archiveNameDigest(forSHA256: result.sha256) == object.name.sha256 else {
                throw LifeboatError(
                    .checksumMismatch,
                    "archived file '\(object.path)' does not match its checksum (content sha256 \(result.sha256.prefix(12))… is not the one recorded in its name)",
                    hint: "the repository copy is damaged; recovery was stopped so PostgreSQL does not promote at the wrong point")
            }
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        close(fd)
        // PostgreSQL reads the file right away and fetches it again after a crash: no fsync needed.
        guard rename(temp, destination) == 0 else {
            let failure = LocalFS.ioError("rename into place", destination)
            unlink(temp)
            throw failure
        }
        return ArchiveGetReport(wal: wal.name, found: true, size: result.size, source: object.path)
    }
}
