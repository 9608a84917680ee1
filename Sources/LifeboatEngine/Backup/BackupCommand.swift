#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LifeboatCodecs
import LifeboatCore
import LifeboatPostgres
import LifeboatStorage

public struct BackupOptions: Sendable {
    public var type: BackupType
    /// Ask PostgreSQL for an immediate checkpoint instead of a spread one.
    public var startFast: Bool
    /// How long to wait for the backup's last WAL segment to reach the repository.
    public var archiveTimeoutSeconds: Double

    public init(type: BackupType = .full, startFast: Bool = false, archiveTimeoutSeconds: Double = 60) {
        self.type = type
        self.startFast = startFast
        self.archiveTimeoutSeconds = archiveTimeoutSeconds
    }
}

public struct BackupReport: Codable, Sendable {
    public var label: String
    public var type: BackupType
    public var timeline: UInt32
    public var startLSN: LSN
    public var stopLSN: LSN
    public var startTime: Date
    public var stopTime: Date
    public var files: Int
    public var originalSize: UInt64
    public var storedSize: UInt64
    public var seconds: Double
    public var walStart: String
    public var walStop: String
}

/// `lifeboat backup`: an online, non-exclusive base backup of a running cluster.
///
/// Order matters for safety: the backup directory gets its manifest only after every file is stored
/// and synced and the WAL that makes the copy consistent is in the repository, so `info` and
/// `restore` never see a backup that could not be restored.
public enum BackupCommand {
    public static func run(_ context: EngineContext, options: BackupOptions) async throws -> BackupReport {
        guard options.type == .full else {
            throw LifeboatError(.invalidArgument, "backup type '\(options.type.rawValue)' is not supported yet",
                                hint: "take a full backup: --type full")
        }
        let began = ProgressMeter.now()
        try await context.requireRepository()
        let repository = context.repository
        let stanza = try await repository.loadStanza()
        let lock = try StanzaLock.acquire(context, purpose: "backup")
        defer { lock.release() }

        let connection = try await PostgresConnection.connect(context.connection)
        defer { connection.close() }
        let facts = try await ServerFacts.read(from: connection)
        try stanza.requireSameCluster(systemIdentifier: facts.systemIdentifier, source: "the server at \(context.connection.displayTarget)")
        try ServerChecks.requireArchiving(facts, stanza: context.stanza)
        let dataDirectory = context.pgData ?? facts.dataDirectory
        guard let localId = WALIdentity.systemIdentifier(dataDirectory: dataDirectory) else {
            throw LifeboatError(.io, "cannot read '\(dataDirectory)/global/pg_control'",
                                hint: "backup runs on the database host: set --pg-data to the server's data directory")
        }
        try stanza.requireSameCluster(systemIdentifier: localId, source: "data directory '\(dataDirectory)'")

        for abandoned in try await repository.abandonedBackupLabels() {
            context.logger.info("removing interrupted backup '\(abandoned)' (it never completed)")
            try await context.storage.removeTree(repository.layout.backupDirectory(abandoned))
        }

        let label = try await freshLabel(repository, type: options.type)
        context.logger.info("backup '\(label)' starting (\(options.startFast ? "immediate" : "spread") checkpoint)")
        let start = try await connection.query(
            "SELECT pg_backup_start(\(connection.escapeLiteral("lifeboat " + label)), \(options.startFast))::text AS lsn, "
                + "extract(epoch FROM clock_timestamp())::text AS now")
        let startTime = Date(timeIntervalSince1970: Double(start.value(0, "now") ?? "") ?? Date().timeIntervalSince1970)

        do {
            return try await copyAndFinish(
                context, connection: connection, facts: facts, stanza: stanza, label: label, options: options,
                dataDirectory: dataDirectory, startTime: startTime, began: began)
        } catch {
            // Closing the session aborts the backup on the server; the partial copy must not linger.
            context.logger.error("backup '\(label)' failed; removing its partial copy")
            try? await context.storage.removeTree(repository.layout.backupDirectory(label))
            throw error
        }
    }

    private static func copyAndFinish(
        _ context: EngineContext, connection: PostgresConnection, facts: ServerFacts, stanza: StanzaRecord,
        label: String, options: BackupOptions, dataDirectory: String, startTime: Date, began: Double
    ) async throws -> BackupReport {
        let repository = context.repository
        var contents = try DataDirectoryScanner(dataDirectory: dataDirectory).scan()
        for index in contents.tablespaces.indices {
            contents.tablespaces[index].name = facts.tablespaces.first { $0.oid == contents.tablespaces[index].oid }?.name ?? ""
        }
        let totalBytes = contents.files.reduce(UInt64(0)) { $0 + $1.size }
        context.logger.info("copying \(contents.files.count) files (\(ByteFormat.human(totalBytes))) with \(context.processMax) workers, \(context.compressType.rawValue) compression")

        let progress = ProgressMeter(title: "backup", totalBytes: totalBytes, totalFiles: contents.files.count,
                                     style: context.progress, emit: context.emitProgress)
        let storage = context.storage
        let type = context.compressType
        let level = context.compressLevel
        let layout = repository.layout
        let processMax = context.processMax
        let stored = try await Parallel.map(contents.files, workers: context.processMax,
                                            workspace: { TransferWorkspace(compressionType: type, level: level) }) { workspace, file in
            let entry = try await copy(file, label: label, layout: layout, storage: storage, workspace: workspace,
                                       processMax: processMax, progress: progress)
            progress.fileDone()
            return entry
        }
        progress.finish()
        // One sync for the whole backup instead of one per file: nothing is listed before this returns.
        try await storage.syncAll()

        let stop = try await connection.query("SELECT lsn::text AS lsn, labelfile, spcmapfile FROM pg_backup_stop(false)")
        let after = try await connection.query(
            "SELECT extract(epoch FROM clock_timestamp())::text AS now, pg_snapshot_xmax(pg_current_snapshot())::text AS xmax")
        guard let stopText = stop.value(0, "lsn"), let stopLSN = LSN(stopText), let labelFile = stop.value(0, "labelfile") else {
            throw LifeboatError(.postgres, "pg_backup_stop returned no stop location")
        }
        let backupLabel = try BackupLabel(parsing: labelFile)
        let stopTime = Date(timeIntervalSince1970: Double(after.value(0, "now") ?? "") ?? Date().timeIntervalSince1970)
        let timeline = backupLabel.startTimeline ?? facts.timeline
        let segmentSize = WALSegmentSize(bytes: stanza.walSegmentSize) ?? .default16MiB
        let firstSegment = WALSegment(containing: backupLabel.startLSN, timeline: timeline, segmentSize: segmentSize)
        // The last byte the backup needs lies just before the stop location.
        let lastSegment = WALSegment(containing: LSN(rawValue: stopLSN.rawValue - 1), timeline: timeline, segmentSize: segmentSize)
        try await WALWait.untilArchived(
            from: firstSegment, through: lastSegment, segmentSize: segmentSize, repository: repository,
            timeoutSeconds: options.archiveTimeoutSeconds, label: label, logger: context.logger)

        let spcmap = stop.value(0, "spcmapfile") ?? ""
        let manifest = BackupManifest(
            label: label, type: .full, reference: nil, lifeboatVersion: LifeboatVersion.current,
            systemIdentifier: facts.systemIdentifier, pgVersion: facts.versionNum, timeline: timeline,
            startLSN: backupLabel.startLSN, stopLSN: stopLSN, startTime: startTime, stopTime: stopTime,
            startWALFile: firstSegment.fileName(segmentSize: segmentSize), stopWALFile: lastSegment.fileName(segmentSize: segmentSize),
            stopNextXid: after.value(0, "xmax").flatMap(UInt64.init), walSegmentSize: segmentSize.bytes,
            compressType: type.rawValue, compressLevel: level, backupLabel: labelFile,
            tablespaceMap: spcmap.isEmpty ? nil : spcmap, tablespaces: contents.tablespaces,
            directories: contents.directories, files: stored.compactMap { $0 })
        try await storage.write(layout.manifest(label), contents: try manifest.encoded(), options: WriteOptions(durable: true))

        let report = BackupReport(
            label: label, type: .full, timeline: timeline, startLSN: manifest.startLSN, stopLSN: stopLSN,
            startTime: startTime, stopTime: stopTime, files: manifest.files.count, originalSize: manifest.originalSize,
            storedSize: manifest.storedSize, seconds: ProgressMeter.now() - began,
            walStart: manifest.startWALFile, walStop: manifest.stopWALFile)
        context.logger.info("backup '\(label)' complete: \(manifest.files.count) files, \(ByteFormat.human(manifest.originalSize)) stored as \(ByteFormat.human(manifest.storedSize)), WAL \(manifest.startWALFile)…\(manifest.stopWALFile)")
        return report
    }

    /// Files this large get zstd worker threads of their own.
    static let largeFileBytes = 64 << 20

    /// Copies one file; nil when PostgreSQL removed it after the scan (a dropped relation needs no copy:
    /// WAL replay drops it again).
    private static func copy(
        _ file: SourceFile, label: String, layout: RepositoryLayout, storage: any RepositoryStorage,
        workspace: TransferWorkspace, processMax: Int, progress: ProgressMeter
    ) async throws -> ManifestFile? {
        let fd = open(file.absolutePath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw LocalFS.ioError("open", file.absolutePath)
        }
        defer { close(fd) }
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw LocalFS.ioError("stat", file.absolutePath) }
        let ext = workspace.compressionExtension
        var writer = try await storage.create(layout.dataObject(label, path: file.manifestPath, extension: ext),
                                              options: WriteOptions(durable: false))
        do {
            let threads = info.st_size >= Self.largeFileBytes ? processMax : 0
            let result = try await workspace.store(fd: fd, sourcePath: file.absolutePath, into: &writer, threads: threads, progress: progress)
            try await writer.commit()
            return ManifestFile(path: file.manifestPath, size: result.size, mtime: Int64(info.st_mtim.tv_sec),
                                mode: UInt32(info.st_mode & 0o7777), sha256: result.sha256, storedSize: result.storedSize,
                                storedSha256: result.storedSha256)
        } catch {
            await writer.abort()
            throw error
        }
    }

    private static func freshLabel(_ repository: Repository, type: BackupType) async throws -> String {
        let suffix = type == .full ? "F" : type == .diff ? "D" : "I"
        while true {
            let label = WallClock.backupLabel(Date(), suffix: suffix)
            if try await repository.storage.list(repository.layout.backupDirectory(label)).isEmpty { return label }
            try await Task.sleep(nanoseconds: 250_000_000)
        }
    }
}
