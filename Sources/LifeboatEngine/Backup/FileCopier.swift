#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LifeboatCodecs
import LifeboatCore
import LifeboatStorage
import Logging

/// Counters of one backup's copy, shared by the workers.
final class CopyCounters: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var referenced = 0
    private(set) var pageFiles = 0
    private(set) var storedPages = 0
    private(set) var reused = 0
    private(set) var badPages = 0

    func count(referenced: Int = 0, pageFiles: Int = 0, storedPages: Int = 0, reused: Int = 0, badPages: Int = 0) {
        lock.lock()
        defer { lock.unlock() }
        self.badPages += badPages
        self.referenced += referenced
        self.reused += reused
        self.pageFiles += pageFiles
        self.storedPages += storedPages
    }
}

/// Copies one data-directory file into a backup, or decides it need not be copied.
///
/// Full backups store every file whole. A diff/incr first compares size and mtime with the reference
/// (skipped with `--delta`, and when the mtime cannot be trusted); an unchanged file is referenced, not
/// copied. A changed relation file is read page by page and only pages whose hash differs from the
/// reference's page map are stored (`PageObject`); any other changed file is stored whole. A file
/// whose content turns out identical to the reference's (same SHA-256) is referenced as well.
struct FileCopier: Sendable {
    static let largeFileBytes = 64 << 20

    let label: String
    let layout: RepositoryLayout
    let storage: any RepositoryStorage
    let reference: BackupReference?
    let delta: Bool
    let processMax: Int
    let now: Int64
    let counters: CopyCounters
    let logger: Logger
    /// What an interrupted attempt of this backup already stored, and where to note what this one stores.
    let resume: ResumeState?
    let journal: JournalWriter?
    let checksums: PageChecksumPolicy

    /// Nil when PostgreSQL removed the file after the scan (WAL replay drops it again).
    func copy(_ file: SourceFile, workspace: TransferWorkspace, progress: ProgressMeter) async throws -> ManifestFile? {
        let prior = reference?.files[file.manifestPath]
        if let prior, let reference, !delta, reference.mtimeTrusted, prior.size == file.size, prior.mtime == file.mtime,
           file.mtime < reference.startSecond, file.mtime <= now {
            counters.count(referenced: 1)
            progress.advance(bytes: file.size)
            return reference.unchangedEntry(prior, mtime: file.mtime, mode: file.mode)
        }
        if let done = await reusable(file, extension: workspace.compressionExtension) {
            counters.count(reused: 1)
            progress.advance(bytes: file.size)
            try await journal?.record(done)
            return done
        }

        let fd = open(file.absolutePath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw LocalFS.ioError("open", file.absolutePath)
        }
        defer { close(fd) }
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw LocalFS.ioError("stat", file.absolutePath) }
        let mtime = Int64(info.st_mtim.tv_sec)
        let mode = UInt32(info.st_mode & 0o7777)
        let threads = info.st_size >= Self.largeFileBytes ? processMax : 0
        let paged = PageGranularity.qualifies(path: file.manifestPath, size: UInt64(info.st_size))
        let priorMap = paged ? await pageMap(of: prior) : nil
        let inspector = checksums.enabled ? RelationFile(path: file.manifestPath).map {
            PageChecksumInspector(fd: fd, path: file.manifestPath, relation: $0, startLSN: checksums.startLSN)
        } : nil

        let object = layout.dataObject(label, path: file.manifestPath, extension: workspace.compressionExtension)
        var writer = try await storage.create(object, options: WriteOptions(durable: false))
        var entry: ManifestFile
        var map: PageMap?
        do {
            if paged || inspector != nil {
                let result = try await workspace.storePages(
                    fd: fd, sourcePath: file.absolutePath, prior: priorMap, into: &writer, threads: threads, progress: progress,
                    inspect: inspector.map { inspector in { block, page in inspector.inspect(block: block, page: page) } })
                if let inspector, !inspector.badBlocks.isEmpty {
                    let blocks = inspector.badBlocks.map(String.init).joined(separator: ", ")
                    if checksums.failBackup {
                        throw LifeboatError(
                            .checksumMismatch, "page checksum verification failed in '\(file.manifestPath)' block \(blocks)",
                            hint: "the data file is damaged on the server (a re-read gave the same result); without --checksum-page-fail the backup records it and continues")
                    }
                    logger.warning("page checksum verification failed in '\(file.manifestPath)' block \(blocks) (re-read gave the same result); recorded in the manifest")
                    counters.count(badPages: inspector.badBlocks.count)
                }
                let badBlocks = inspector.flatMap { $0.badBlocks.isEmpty ? nil : $0.badBlocks }
                if let prior, let reference, result.transfer.size == prior.size, result.transfer.sha256 == prior.sha256 {
                    await writer.abort()
                    counters.count(referenced: 1)
                    var same = reference.unchangedEntry(prior, mtime: mtime, mode: mode)
                    same.checksumPageErrors = badBlocks
                    return same
                }
                entry = ManifestFile(path: file.manifestPath, size: result.transfer.size, mtime: mtime, mode: mode,
                                     sha256: result.transfer.sha256, storedSize: result.transfer.storedSize,
                                     storedSha256: result.transfer.storedSha256, checksumPageErrors: badBlocks)
                if let prior, let reference, priorMap != nil {
                    let below = BlockLayer(label: prior.storageLabel(in: reference.manifest.label), pages: prior.blockIncremental != nil)
                    entry.blockIncremental = BlockIncremental(base: (prior.blockIncremental?.base ?? []) + [below])
                    counters.count(pageFiles: 1, storedPages: result.changedPages)
                }
                map = paged ? result.pageMap : nil
            } else {
                let result = try await workspace.store(fd: fd, sourcePath: file.absolutePath, into: &writer, threads: threads, progress: progress)
                if let prior, let reference, result.size == prior.size, result.sha256 == prior.sha256 {
                    await writer.abort()
                    counters.count(referenced: 1)
                    return reference.unchangedEntry(prior, mtime: mtime, mode: mode)
                }
                entry = ManifestFile(path: file.manifestPath, size: result.size, mtime: mtime, mode: mode, sha256: result.sha256,
                                     storedSize: result.storedSize, storedSha256: result.storedSha256)
            }
            try await writer.commit()
        } catch {
            await writer.abort()
            throw error
        }
        if let map {
            // Over a chain, only the entries that changed: the layers below hold the rest.
            let bytes = entry.blockIncremental != nil ? map.encodedDelta(against: priorMap ?? PageMap(hashes: [])) : map.encoded()
            try await storage.write(layout.pageMapObject(label, path: file.manifestPath), contents: bytes, options: WriteOptions(durable: false))
            entry.pageMapSha256 = SHA256Hasher.hex(of: bytes)
        }
        try await journal?.record(entry)
        return entry
    }

    /// The entry an interrupted attempt stored for `file`, if the file has not changed since (same size
    /// and mtime, the mtime older than the first attempt's start) and the stored object (and page map)
    /// re-read from the repository still match their recorded SHA-256.
    private func reusable(_ file: SourceFile, extension ext: String) async -> ManifestFile? {
        guard let resume, !delta, let done = resume.stored[file.manifestPath], done.size == file.size, done.mtime == file.mtime,
              file.mtime < resume.header.firstStart, file.mtime <= now else { return nil }
        let object = layout.dataObject(label, path: file.manifestPath, extension: ext)
        guard await StoredObjectCheck.matches(storage, path: object, size: done.storedSize, sha256: done.storedSha256) else { return nil }
        if let map = done.pageMapSha256 {
            guard await StoredObjectCheck.matches(storage, path: layout.pageMapObject(label, path: file.manifestPath), size: nil, sha256: map) else {
                return nil
            }
        }
        var entry = done
        entry.mode = file.mode
        return entry
    }

    /// The reference's page map of this file: the whole map of the chain's first layer with the deltas
    /// of the later ones applied, each checked against the SHA-256 its manifest recorded. A map that
    /// is missing or damaged only costs space: the file is then stored whole.
    private func pageMap(of prior: ManifestFile?) async -> PageMap? {
        guard let prior, let reference, prior.pageMapSha256 != nil else { return nil }
        let top = prior.storageLabel(in: reference.manifest.label)
        let layers = (prior.blockIncremental?.base.map(\.label) ?? []) + [top]
        var map: PageMap?
        for (index, label) in layers.enumerated() {
            let path = layout.pageMapObject(label, path: prior.path)
            let expected = label == top ? prior.pageMapSha256 : reference.entries[label]?[prior.path]?.pageMapSha256
            do {
                guard let expected else { throw LifeboatError(.notFound, "backup '\(label)' records no page map for it") }
                let bytes = try await storage.readAll(path)
                guard SHA256Hasher.hex(of: bytes) == expected else { throw LifeboatError(.checksumMismatch, "it does not match its checksum") }
                map = index == 0 ? try PageMap(decoding: bytes, describe: path) : try map!.applying(delta: bytes, describe: path)
            } catch {
                logger.warning("page map '\(path)' is unusable (\(error)); storing '\(prior.path)' whole")
                return nil
            }
        }
        guard let map, UInt64(map.hashes.count) * UInt64(PageObject.pageSize) >= prior.size else { return nil }
        return map
    }
}
