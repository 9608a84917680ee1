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

    /// diff/incr: compare every file's content with the reference instead of trusting size + mtime.
    public var delta: Bool
    /// Fail the backup when a page fails its data checksum (default: report it and carry on).
    public var checksumPageFail: Bool

    public init(type: BackupType = .full, startFast: Bool = false, archiveTimeoutSeconds: Double = 60, delta: Bool = false,
                checksumPageFail: Bool = false) {
        self.type = type
        self.startFast = startFast
        self.archiveTimeoutSeconds = archiveTimeoutSeconds
        self.delta = delta
        self.checksumPageFail = checksumPageFail
    }
}

public struct BackupReport: Codable, Sendable {
    public var label: String
    public var type: BackupType
    /// The type asked for: differs from `type` when a diff/incr had no full backup to build on.
    public var requestedType: BackupType
    /// True when a diff/incr was taken as a full because the stanza had no full backup yet.
    public var promotedToFull: Bool
    /// The backup a diff/incr stores its changes against.
    public var reference: String?
    /// Files not copied because the reference already holds the same bytes.
    public var referencedFiles: Int
    /// Relation files stored as their changed pages only, and how many pages that was.
    public var pageIncrementalFiles: Int
    public var storedPages: Int
    /// True when this run finished an interrupted backup of the same kind instead of starting over.
    public var resumed: Bool
    /// Files the interrupted attempt had stored and verified that were not copied again.
    public var reusedFiles: Int
    /// Relation file blocks whose data checksum failed (after a re-read) while they were copied.
    public var checksumPageErrors: [PageChecksumErrors]
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

        let reference = BackupReference.choose(
            options.type, from: try await repository.backups(), systemIdentifier: facts.systemIdentifier,
            pgVersion: facts.versionNum, timeline: facts.timeline)
        let type = reference == nil ? BackupType.full : options.type
        if type != options.type {
            context.logger.info("no full backup of this cluster to base a \(options.type.rawValue) backup on: taking a full backup instead")
        }
        if let reference {
            let how = options.delta ? ", comparing every file's content (--delta)"
                : reference.mtimeTrusted ? "" : ", comparing every file's content (reference is on timeline \(reference.manifest.timeline))"
            context.logger.info("\(type.rawValue) backup against '\(reference.manifest.label)' (\(reference.manifest.type.rawValue))\(how)")
        }
        // Every refusal is behind us: from here on a failure is worth an audit record.
        context.changes.markStarted()
        let resume = try await resumeOrRemoveAbandoned(context, type: type, reference: reference?.manifest.label,
                                                       systemIdentifier: facts.systemIdentifier)
        let plan = BackupPlan(requestedType: options.type, type: type, reference: reference, resume: resume?.state)
        let label: String
        if let resume { label = resume.label } else { label = try await freshLabel(repository, type: type, full: reference?.fullLabel) }
        context.logger.info("backup '\(label)' starting (\(options.startFast ? "immediate" : "spread") checkpoint)")
        let start = try await connection.query(
            "SELECT pg_backup_start(\(connection.escapeLiteral("lifeboat " + label)), \(options.startFast))::text AS lsn, "
                + "extract(epoch FROM clock_timestamp())::text AS now")
        let startTime = Date(timeIntervalSince1970: Double(start.value(0, "now") ?? "") ?? Date().timeIntervalSince1970)
        guard let startLSN = start.value(0, "lsn").flatMap(LSN.init) else {
            throw LifeboatError(.postgres, "pg_backup_start returned no start location")
        }
        if resume == nil {
            let header = ResumeHeader(
                type: type, reference: reference?.manifest.label, compressType: context.compressType.rawValue,
                compressLevel: context.compressLevel, systemIdentifier: facts.systemIdentifier,
                firstStart: Int64(startTime.timeIntervalSince1970.rounded(.down)))
            try await context.storage.write(repository.layout.resumeHeader(label), contents: try header.encoded(), options: WriteOptions(durable: true))
        }

        do {
            return try await copyAndFinish(
                context, connection: connection, facts: facts, stanza: stanza, label: label, plan: plan, options: options,
                dataDirectory: dataDirectory, startTime: startTime, startLSN: startLSN, began: began)
        } catch {
            // Closing the session aborts the backup on the server; the partial copy must not linger.
            context.logger.error("backup '\(label)' failed; removing its partial copy")
            try? await context.storage.removeTree(repository.layout.backupDirectory(label))
            throw error
        }
    }

    private static func copyAndFinish(
        _ context: EngineContext, connection: PostgresConnection, facts: ServerFacts, stanza: StanzaRecord,
        label: String, plan: BackupPlan, options: BackupOptions, dataDirectory: String, startTime: Date, startLSN: LSN, began: Double
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
        let counters = CopyCounters()
        let copier = FileCopier(
            label: label, layout: layout, storage: storage, reference: plan.reference, delta: options.delta,
            processMax: context.processMax, now: Int64(Date().timeIntervalSince1970), counters: counters, logger: context.logger,
            resume: plan.resume, journal: JournalWriter(storage: storage, directory: layout.journalDirectory(label)),
            checksums: PageChecksumPolicy(enabled: facts.dataChecksums, startLSN: startLSN, failBackup: options.checksumPageFail))
        let stored = try await Parallel.map(contents.files, workers: context.processMax,
                                            workspace: { TransferWorkspace(compressionType: type, level: level) }) { workspace, file in
            let entry = try await copier.copy(file, workspace: workspace, progress: progress)
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
            label: label, type: plan.type, reference: plan.reference?.manifest.label, lifeboatVersion: LifeboatVersion.current,
            systemIdentifier: facts.systemIdentifier, pgVersion: facts.versionNum, timeline: timeline,
            startLSN: backupLabel.startLSN, stopLSN: stopLSN, startTime: startTime, stopTime: stopTime,
            startWALFile: firstSegment.fileName(segmentSize: segmentSize), stopWALFile: lastSegment.fileName(segmentSize: segmentSize),
            stopNextXid: after.value(0, "xmax").flatMap(UInt64.init), walSegmentSize: segmentSize.bytes,
            compressType: type.rawValue, compressLevel: level, backupLabel: labelFile,
            tablespaceMap: spcmap.isEmpty ? nil : spcmap, tablespaces: contents.tablespaces,
            directories: contents.directories, files: stored.compactMap { $0 })
        try await storage.write(layout.manifest(label), contents: try manifest.encoded(), options: WriteOptions(durable: true))
        // Complete: the resume notes have served their purpose.
        try? await storage.removeTree(layout.journalDirectory(label))
        try? await storage.remove(layout.resumeHeader(label))
        if plan.resume != nil {
            do {
                let strays = try await ResumedBackupSweep.run(
                    manifest, layout: layout, storage: storage, compressionExtension: type.fileExtension)
                if strays > 0 { context.logger.info("removed \(strays) objects of the interrupted attempt that the finished backup does not use") }
            } catch {
                context.logger.warning("backup '\(label)' is complete, but objects of its interrupted attempt could not be swept: \(error)")
            }
        }

        let report = BackupReport(
            label: label, type: plan.type, requestedType: plan.requestedType, promotedToFull: plan.type != plan.requestedType,
            reference: plan.reference?.manifest.label, referencedFiles: counters.referenced,
            pageIncrementalFiles: counters.pageFiles, storedPages: counters.storedPages, resumed: plan.resume != nil,
            reusedFiles: counters.reused,
            checksumPageErrors: manifest.files.compactMap { file in
                file.reference == nil ? file.checksumPageErrors.map { PageChecksumErrors(path: file.path, blocks: $0) } : nil
            }, timeline: timeline, startLSN: manifest.startLSN, stopLSN: stopLSN,
            startTime: startTime, stopTime: stopTime, files: manifest.files.count, originalSize: manifest.originalSize,
            storedSize: manifest.storedSize, seconds: ProgressMeter.now() - began,
            walStart: manifest.startWALFile, walStop: manifest.stopWALFile)
        if counters.badPages > 0 {
            context.logger.warning("\(counters.badPages) page(s) failed their data checksum; see `lifeboat info` (the backup is otherwise complete)")
        }
        if plan.resume != nil {
            context.logger.info("resumed backup '\(label)': \(counters.reused) files reused from the interrupted attempt")
        }
        if plan.reference != nil {
            context.logger.info("\(counters.referenced) files unchanged (referenced), \(counters.pageFiles) relation files stored as \(counters.storedPages) changed pages")
        }
        context.logger.info("backup '\(label)' complete: \(manifest.files.count) files, \(ByteFormat.human(manifest.originalSize)) stored as \(ByteFormat.human(manifest.storedSize)), WAL \(manifest.startWALFile)…\(manifest.stopWALFile)")
        return report
    }

    /// Interrupted backups (no manifest): the newest one of the same type, reference, compression and
    /// cluster is resumed; every other one is removed. Neither is ever listed.
    private static func resumeOrRemoveAbandoned(
        _ context: EngineContext, type: BackupType, reference: String?, systemIdentifier: String
    ) async throws -> (label: String, state: ResumeState)? {
        let repository = context.repository
        var resume: (label: String, state: ResumeState)?
        for abandoned in try await repository.abandonedBackupLabels().sorted().reversed() {
            if resume == nil, let bytes = try? await context.storage.readAll(repository.layout.resumeHeader(abandoned)),
               let header = ResumeHeader.decode(bytes), header.type == type, header.reference == reference,
               header.compressType == context.compressType.rawValue, header.compressLevel == context.compressLevel,
               header.systemIdentifier == systemIdentifier {
                let state = try await ResumeState.load(repository, label: abandoned, header: header)
                context.logger.info("resuming interrupted backup '\(abandoned)': \(state.stored.count) files already stored will be checked and reused")
                resume = (abandoned, state)
            } else {
                context.logger.info("removing interrupted backup '\(abandoned)' (it never completed)")
            }
            // The backup lock keeps every other backup writer out: whatever is half-written there is a dead
            // one's (on S3, unfinished uploads that removing the directory would not end).
            await AbandonedWrites.remove(under: repository.layout.backupDirectory(abandoned), olderThan: Date(), context: context)
            if resume?.label != abandoned {
                try await context.storage.removeTree(repository.layout.backupDirectory(abandoned))
            }
        }
        return resume
    }

    /// "<time>F" for a full; "<full label>_<time>D" / "…I" for a diff / incr, as pgBackRest names them.
    private static func freshLabel(_ repository: Repository, type: BackupType, full: String?) async throws -> String {
        let suffix = type == .full ? "F" : type == .diff ? "D" : "I"
        while true {
            let time = WallClock.backupLabel(Date(), suffix: suffix)
            let label = full.map { $0 + "_" + time } ?? time
            if try await repository.storage.list(repository.layout.backupDirectory(label)).isEmpty { return label }
            try await Task.sleep(nanoseconds: 250_000_000)
        }
    }
}

/// What kind of backup this run takes and against what.
struct BackupPlan: Sendable {
    let requestedType: BackupType
    let type: BackupType
    let reference: BackupReference?
    let resume: ResumeState?
}
