#if canImport(Glibc)
import Glibc
#endif
import LifeboatCodecs
import LifeboatCore
import LifeboatStorage

/// The backups a restore reads from: the chosen one and every backup its files reference, with the
/// compression each used. Loaded before anything is written, so a missing link fails cleanly.
struct BackupChain: Sendable {
    let label: String
    let compressTypes: [String: CompressionType]

    static func load(_ repository: Repository, for manifest: BackupManifest) async throws -> BackupChain {
        var types: [String: CompressionType] = [:]
        func type(of backup: BackupManifest) throws -> CompressionType {
            guard let type = CompressionType(rawValue: backup.compressType) else {
                throw LifeboatError(.corrupt, "backup '\(backup.label)' uses unknown compression '\(backup.compressType)'")
            }
            return type
        }
        types[manifest.label] = try type(of: manifest)
        for dependency in manifest.dependencies {
            let prior: BackupManifest
            do {
                prior = try await repository.manifest(dependency)
            } catch {
                guard (error as? LifeboatError)?.code == .backupNotFound else { throw error }
                throw LifeboatError(
                    .backupNotFound,
                    "backup '\(manifest.label)' needs files of backup '\(dependency)', which is missing from stanza '\(repository.stanza)'",
                    hint: "the chain full ← diff ← incr is broken; restore a backup that does not depend on '\(dependency)' (--set), and run `lifeboat verify`")
            }
            types[dependency] = try type(of: prior)
        }
        return BackupChain(label: manifest.label, compressTypes: types)
    }

    func compression(of label: String) throws(LifeboatError) -> CompressionType {
        guard let type = compressTypes[label] else {
            throw LifeboatError(.internal, "backup '\(label)' was not loaded with the chain of '\(self.label)'")
        }
        return type
    }
}

/// Rebuilds one file of a backup from the repository, whether it is stored whole in this backup,
/// referenced from an earlier one, or kept as changed pages over a chain of earlier copies, and
/// proves the result against the SHA-256 and size the manifest recorded.
struct FileMaterializer: Sendable {
    let storage: any RepositoryStorage
    let layout: RepositoryLayout
    let chain: BackupChain

    /// Writes `file`'s content into `fd` — an empty regular file at `destination`, opened O_RDWR (a
    /// file rebuilt from page layers is read back to prove its SHA-256) — and throws
    /// `.checksumMismatch` naming the file when the result is not what the manifest recorded.
    /// The one entry point for anything that rebuilds backup files (restore, delta restore).
    func materialize(_ file: ManifestFile, toFD fd: Int32, destination: String, workspace: TransferWorkspace,
                     progress: ProgressMeter? = nil) async throws {
        let storageLabel = file.storageLabel(in: chain.label)
        let type = try chain.compression(of: storageLabel)
        let object = layout.dataObject(storageLabel, path: file.path, extension: type.fileExtension)
        guard let blocks = file.blockIncremental else {
            var reader = try await storage.openRead(object)
            defer { reader.close() }
            let result = try await workspace.fetch(from: &reader, type: type, toFD: fd, destinationPath: destination,
                                                   describe: object, progress: progress)
            try check(file, size: result.size, sha256: result.sha256, object: object)
            return
        }
        for layer in blocks.base {
            let layerType = try chain.compression(of: layer.label)
            try await lay(layerObject(layer.label, file.path, layerType), pages: layer.pages, type: layerType, fd: fd,
                          destination: destination, workspace: workspace, progress: nil)
        }
        try await lay(object, pages: true, type: type, fd: fd, destination: destination, workspace: workspace, progress: progress)
        guard ftruncate(fd, off_t(file.size)) == 0 else { throw LocalFS.ioError("truncate", destination) }
        let (size, sha256) = try workspace.hash(fd: fd, path: destination)
        try check(file, size: size, sha256: sha256, object: object)
    }

    private func layerObject(_ label: String, _ path: String, _ type: CompressionType) -> String {
        layout.dataObject(label, path: path, extension: type.fileExtension)
    }

    /// Writes one layer: a whole copy from offset 0, or each stored page at its block's offset.
    private func lay(_ object: String, pages: Bool, type: CompressionType, fd: Int32, destination: String,
                     workspace: TransferWorkspace, progress: ProgressMeter?) async throws {
        var reader = try await storage.openRead(object)
        defer { reader.close() }
        if pages {
            var parser = PageObjectParser(describe: object)
            _ = try await workspace.fetchStream(from: &reader, type: type, describe: object, progress: progress) { bytes in
                try parser.feed(bytes) { block, page in
                    try LocalFS.writeAll(fd, page, at: off_t(block) * off_t(PageObject.pageSize), path: destination)
                }
            }
            try parser.finish()
        } else {
            var offset: off_t = 0
            _ = try await workspace.fetchStream(from: &reader, type: type, describe: object, progress: progress) { bytes in
                try LocalFS.writeAll(fd, bytes, at: offset, path: destination)
                offset += off_t(bytes.count)
            }
        }
    }

    private func check(_ file: ManifestFile, size: UInt64, sha256: String, object: String) throws(LifeboatError) {
        guard size == file.size, sha256 == file.sha256 else {
            throw LifeboatError(
                .checksumMismatch,
                "file '\(file.path)' of backup '\(chain.label)' does not match its checksum (stored as '\(object)'"
                    + (file.blockIncremental.map { " over \($0.base.count) earlier layer(s)" } ?? "") + ")",
                hint: "the repository copy is damaged; restore another backup with --set, and run `lifeboat verify`")
        }
    }
}
