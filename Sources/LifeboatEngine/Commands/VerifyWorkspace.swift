#if canImport(Glibc)
import Glibc
#endif
import LifeboatCodecs
import LifeboatCore
import LifeboatStorage

/// One object `verify` hashes.
enum VerifyJob: Sendable {
    /// A backup's stored object: its stored bytes against the manifest's storedSize / storedSha256.
    case backupFile(StoredFile, object: String)
    /// The page map of a relation file stored page by page: its bytes against `pageMapSha256`.
    case pageMap(StoredFile, object: String)
    /// An archived WAL object: decompressed, against the SHA-256 in its name.
    case archivedWAL(ArchivedObject)

    var expectedStoredSize: UInt64 {
        switch self {
        case .backupFile(let stored, _): stored.file.storedSize
        case .pageMap(let stored, _): stored.file.size / UInt64(PageObject.pageSize) * 8
        case .archivedWAL(let object): object.storedSize
        }
    }

    var isBackupFile: Bool {
        if case .backupFile = self { return true }
        return false
    }

    var isArchivedWAL: Bool {
        if case .archivedWAL = self { return true }
        return false
    }
}

struct VerifyOutcome: Sendable {
    var bytesRead: UInt64
    var problem: VerifyIssue?
}

/// One verify worker's buffers: a read buffer for hashing stored bytes, and a transfer workspace
/// that decompresses WAL into /dev/null while hashing it. Memory stays bounded by the chunk size.
final class VerifyWorkspace {
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: TransferWorkspace.chunkSize, alignment: 64)
    private let transfer = TransferWorkspace(compressionType: .none, level: 0)
    private let devNull = open("/dev/null", O_WRONLY | O_CLOEXEC)

    deinit {
        buffer.deallocate()
        if devNull >= 0 { close(devNull) }
    }

    func check(_ job: VerifyJob, storage: any RepositoryStorage, progress: ProgressMeter) async throws -> VerifyOutcome {
        switch job {
        case .backupFile(let stored, let object):
            return await checkBackupFile(stored, object: object, storage: storage, progress: progress)
        case .pageMap(let stored, let object):
            return await checkPageMap(stored, object: object, storage: storage, progress: progress)
        case .archivedWAL(let object):
            return try await checkWAL(object, storage: storage, progress: progress)
        }
    }

    private func checkBackupFile(_ stored: StoredFile, object: String, storage: any RepositoryStorage, progress: ProgressMeter) async -> VerifyOutcome {
        let file = stored.file
        let owner = stored.owner == stored.backup ? "" : " (stored by backup \(stored.owner))"
        func problem(_ kind: VerifyIssue.Kind, _ why: String, read: UInt64) -> VerifyOutcome {
            VerifyOutcome(bytesRead: read, problem: VerifyIssue(
                kind: kind, backup: stored.backup, file: file.path, object: object,
                message: "backup \(stored.backup): stored file '\(file.path)'\(owner) \(why) ('\(object)')"))
        }
        let count: UInt64, actual: String
        switch await hashStored(object, storage: storage, progress: progress) {
        case .success(let hashed): (count, actual) = hashed
        case .failure(let failure): return problem(failure.kind, failure.why, read: failure.read)
        }
        if count != file.storedSize {
            let how = count < file.storedSize ? "is truncated" : "is longer than recorded"
            return problem(.size, "\(how): \(count) bytes stored, the manifest records \(file.storedSize)", read: count)
        }
        if let expected = file.storedSha256 {
            guard actual == expected else {
                return problem(.checksum, "does not match its checksum (expected \(expected.prefix(12))…, got \(actual.prefix(12))…)", read: count)
            }
            return VerifyOutcome(bytesRead: count, problem: nil)
        }
        // Manifests written before storedSha256 existed: decompress and check the original content.
        return await checkOriginal(stored, object: object, storage: storage, read: count, problem: problem)
    }

    private func checkPageMap(_ stored: StoredFile, object: String, storage: any RepositoryStorage, progress: ProgressMeter) async -> VerifyOutcome {
        let path = stored.file.path
        func problem(_ kind: VerifyIssue.Kind, _ why: String, read: UInt64) -> VerifyOutcome {
            VerifyOutcome(bytesRead: read, problem: VerifyIssue(
                kind: kind, backup: stored.backup, file: path, object: object,
                message: "backup \(stored.backup): page map of '\(path)' (stored by backup \(stored.owner)) \(why) ('\(object)')"))
        }
        switch await hashStored(object, storage: storage, progress: progress) {
        case .failure(let failure):
            return problem(failure.kind, failure.why, read: failure.read)
        case .success(let (count, actual)):
            guard actual == stored.file.pageMapSha256 else {
                return problem(.checksum, "does not match its checksum", read: count)
            }
            return VerifyOutcome(bytesRead: count, problem: nil)
        }
    }

    struct ReadFailure: Error {
        let kind: VerifyIssue.Kind
        let why: String
        let read: UInt64
    }

    /// Streams a stored object through SHA-256: its byte count and hex digest, or why it could not be read.
    private func hashStored(_ object: String, storage: any RepositoryStorage, progress: ProgressMeter) async -> Result<(UInt64, String), ReadFailure> {
        var hasher = SHA256Hasher()
        var count: UInt64 = 0
        do {
            var reader = try await storage.openRead(object)
            defer { reader.close() }
            while true {
                let read = try await reader.read(into: buffer)
                if read == 0 { break }
                hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<read]))
                count += UInt64(read)
                progress.advance(bytes: UInt64(read))
            }
        } catch {
            if error.code == .notFound { return .failure(ReadFailure(kind: .missing, why: "is missing from the repository", read: count)) }
            return .failure(ReadFailure(kind: .unreadable, why: "cannot be read: \(error.message)", read: count))
        }
        return .success((count, hasher.finalizeHex()))
    }

    private func checkOriginal(_ stored: StoredFile, object: String, storage: any RepositoryStorage, read: UInt64,
                               problem: (VerifyIssue.Kind, String, UInt64) -> VerifyOutcome) async -> VerifyOutcome {
        guard let type = CompressionType(fileExtension: stored.compressionExtension) else {
            return problem(.corrupt, "has an unknown compression suffix", read)
        }
        do {
            var reader = try await storage.openRead(object)
            defer { reader.close() }
            let result = try await transfer.fetch(from: &reader, type: type, toFD: devNull, destinationPath: "/dev/null", describe: object)
            guard result.size == stored.file.size, result.sha256 == stored.file.sha256 else {
                return problem(.checksum, "does not match its checksum", read + result.storedSize)
            }
            return VerifyOutcome(bytesRead: read + result.storedSize, problem: nil)
        } catch {
            let failure = error as? LifeboatError
            return problem(failure?.code == .corrupt ? .corrupt : .unreadable, failure?.message ?? "\(error)", read)
        }
    }

    private func checkWAL(_ object: ArchivedObject, storage: any RepositoryStorage, progress: ProgressMeter) async throws -> VerifyOutcome {
        let name = object.name.wal.name
        func problem(_ kind: VerifyIssue.Kind, _ why: String, read: UInt64) -> VerifyOutcome {
            VerifyOutcome(bytesRead: read, problem: VerifyIssue(
                kind: kind, backup: nil, file: name, object: object.path,
                message: "archive: WAL file '\(name)' \(why) ('\(object.path)')"))
        }
        guard let type = CompressionType(fileExtension: object.name.fileExtension) else {
            return problem(.corrupt, "has an unknown compression suffix", read: 0)
        }
        let result: TransferResult
        do {
            var reader = try await storage.openRead(object.path)
            defer { reader.close() }
            result = try await transfer.fetch(from: &reader, type: type, toFD: devNull, destinationPath: "/dev/null",
                                              describe: object.path, progress: progress)
        } catch {
            let failure = error as? LifeboatError
            switch failure?.code {
            case .notFound?: return problem(.missing, "vanished from the repository", read: 0)
            case .corrupt?: return problem(.corrupt, "does not decompress (truncated or damaged)", read: object.storedSize)
            default: return problem(.unreadable, "cannot be read: \(failure?.message ?? "\(error)")", read: 0)
            }
        }
        guard try await EngineContext.archiveNameDigest(forSHA256: result.sha256, in: storage) == object.name.sha256 else {
            return problem(.checksum, "does not match the checksum in its name (got \(result.sha256.prefix(12))…)", read: result.storedSize)
        }
        return VerifyOutcome(bytesRead: result.storedSize, problem: nil)
    }
}
