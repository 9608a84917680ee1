import Testing
@testable import LifeboatStorage

/// A driver under test: `run` hands a fresh, empty repository to the body and cleans up afterwards.
/// Every test in `StorageConformanceTests` runs once per entry of `all`; a new driver (S3) joins the
/// suite by adding itself there (gated on its server being configured).
struct StorageBackend: Sendable, CustomTestStringConvertible {
    let testDescription: String
    let run: @Sendable (_ body: (any RepositoryStorage) async throws -> Void) async throws -> Void

    static let all: [StorageBackend] = [.posix, .posixLinkFallback, .memory, .encryptedMemory, .encryptedPosix]

    static let posix = StorageBackend(testDescription: "posix") { body in
        let directory = TemporaryDirectory()
        // The trailing "/" checks that the root is normalised.
        let storage = PosixStorage(root: directory.path + "/repo/")
        try storage.ensureRoot()
        try await body(storage)
        withExtendedLifetime(directory) {}
    }

    /// The POSIX driver as it behaves on a file system without RENAME_NOREPLACE.
    static let posixLinkFallback = StorageBackend(testDescription: "posix (link fallback)") { body in
        let directory = TemporaryDirectory()
        let storage = PosixStorage(root: directory.path + "/repo", noReplaceStrategy: .linkThenUnlink)
        try storage.ensureRoot()
        try await body(storage)
        withExtendedLifetime(directory) {}
    }

    static let memory = StorageBackend(testDescription: "memory") { body in
        try await body(MemoryStorage())
    }

    /// The encryption decorator must keep every rule of the backend it wraps.
    static let encryptedMemory = StorageBackend(testDescription: "encrypted (memory)") { body in
        try await body(EncryptedStorage(base: MemoryStorage(), stanza: "main", keys: .random()))
    }

    static let encryptedPosix = StorageBackend(testDescription: "encrypted (posix)") { body in
        let directory = TemporaryDirectory()
        let storage = PosixStorage(root: directory.path + "/repo")
        try storage.ensureRoot()
        try await body(EncryptedStorage(base: storage, stanza: "main", keys: .random()))
        withExtendedLifetime(directory) {}
    }
}
