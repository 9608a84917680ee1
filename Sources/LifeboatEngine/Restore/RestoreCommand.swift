#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LifeboatCodecs
import LifeboatCore
import LifeboatStorage

public struct RestoreOptions: Sendable {
    public var pgData: String
    public var set: String?
    public var target: RecoveryTarget
    public var targetAction: TargetAction?
    public var targetExclusive: Bool
    public var tablespaceMap: [UInt32: String]
    public var force: Bool
    /// Restored clusters stop archiving (archive_mode = off): a restore next to the live cluster must
    /// not push a second history into the same stanza.
    public var archiveModeOff: Bool
    /// Update an existing (stopped) data directory in place, rewriting only the files that differ.
    public var delta: Bool

    public init(pgData: String, set: String? = nil, target: RecoveryTarget = .endOfArchive, targetAction: TargetAction? = nil,
                targetExclusive: Bool = false, tablespaceMap: [UInt32: String] = [:], force: Bool = false, archiveModeOff: Bool = false,
                delta: Bool = false) {
        self.delta = delta
        self.pgData = pgData
        self.set = set
        self.target = target
        self.targetAction = targetAction
        self.targetExclusive = targetExclusive
        self.tablespaceMap = tablespaceMap
        self.force = force
        self.archiveModeOff = archiveModeOff
    }
}

public struct RestoreReport: Codable, Sendable {
    public var label: String
    public var target: String
    public var pgData: String
    public var files: Int
    public var size: UInt64
    public var seconds: Double
    public var backupStopTime: Date
    /// Set by `--delta`: what was compared, rewritten and removed.
    public var delta: DeltaRestoreReport? = nil
}

/// `lifeboat restore`: rebuilds a data directory from a backup, verifying every byte, and prepares
/// PostgreSQL to replay archived WAL up to the target. Every check runs before the first write.
public enum RestoreCommand {
    public static func run(_ context: EngineContext, options: RestoreOptions) async throws -> RestoreReport {
        let began = ProgressMeter.now()
        try await context.requireRepository()
        let repository = context.repository
        let stanza = try await repository.loadStanza()
        let segmentSize = WALSegmentSize(bytes: stanza.walSegmentSize) ?? .default16MiB
        let manifest = try await chooseBackup(repository, options: options, segmentSize: segmentSize)
        let plan = try RestorePlan.prepare(manifest: manifest, options: options)
        // Every backup the chosen one is rebuilt from must be there before the first write.
        let chain = try await BackupChain.load(repository, for: manifest)
        context.logger.info("restoring backup '\(manifest.label)' into '\(plan.dataDirectory)' for \(RecoverySettings.describe(options.target))")

        let files: Int
        var delta: DeltaRestoreReport?
        if options.delta {
            delta = try await DeltaRestore.run(context, manifest: manifest, plan: plan, fetch: DeltaRestore.fetcher(context, chain: chain))
            files = manifest.files.count
        } else {
            try plan.createLayout()
            files = try await restoreFiles(context, manifest: manifest, plan: plan, chain: chain)
        }
        try writeRecoveryFiles(context, manifest: manifest, plan: plan, options: options)
        for root in plan.syncRoots { try LocalFS.syncFileSystem(containing: root) }

        let report = RestoreReport(
            label: manifest.label, target: RecoverySettings.describe(options.target), pgData: plan.dataDirectory,
            files: files, size: manifest.originalSize, seconds: ProgressMeter.now() - began, backupStopTime: manifest.stopTime, delta: delta)
        if let delta {
            context.logger.info("delta restore: \(delta.filesChecked) files checked, \(delta.filesRewritten) rewritten (\(ByteFormat.human(delta.bytesRewritten))), \(delta.entriesRemoved) removed")
        }
        context.logger.info("restore of '\(manifest.label)' complete: \(files) files, \(ByteFormat.human(manifest.originalSize)); start PostgreSQL on '\(plan.dataDirectory)' to replay WAL")
        return report
    }

    /// `--set`, or the newest backup that ends before the target; the target must lie in the
    /// recoverable window and the backup's own WAL must be archived.
    static func chooseBackup(_ repository: Repository, options: RestoreOptions, segmentSize: WALSegmentSize) async throws -> BackupManifest {
        let manifests = try await repository.backups()
        let summaries = manifests.map(BackupSummary.init)
        let chosen: BackupSummary
        if let set = options.set {
            guard let summary = summaries.first(where: { $0.label == set }) else {
                throw LifeboatError(.backupNotFound, "backup set '\(set)' not found in stanza '\(repository.stanza)'",
                                    hint: "list the backups with `lifeboat info --stanza \(repository.stanza)`")
            }
            chosen = try BackupSelection.choose(from: [summary], target: options.target, stanza: repository.stanza)
        } else {
            chosen = try BackupSelection.choose(from: summaries, target: options.target, stanza: repository.stanza)
        }
        let archived = try await repository.archivedSegments(segmentSize: segmentSize)
        switch options.target {
        case .time, .lsn:
            guard let window = RecoverableWindow.compute(backups: summaries, archivedAt: archived, segmentSize: segmentSize) else {
                throw LifeboatError(.targetOutOfRange, "no backup in stanza '\(repository.stanza)' has its WAL archived",
                                    hint: "check archiving with `lifeboat info`; a backup is restorable once its WAL is archived")
            }
            try window.check(options.target)
        default:
            break
        }
        let first = WALSegment(containing: chosen.startLSN, timeline: chosen.timeline, segmentSize: segmentSize)
        let last = WALSegment(containing: LSN(rawValue: chosen.stopLSN.rawValue - 1), timeline: chosen.timeline, segmentSize: segmentSize)
        if let missing = ArchiveRanges.missing(from: first, through: last, archived: Set(archived.keys)).first {
            throw LifeboatError(
                .notFound, "WAL segment '\(missing.fileName(segmentSize: segmentSize))' needed to make backup '\(chosen.label)' consistent is missing from the archive",
                hint: "run `lifeboat verify`; restore another backup with --set")
        }
        return manifests.first { $0.label == chosen.label }!
    }

    private static func restoreFiles(_ context: EngineContext, manifest: BackupManifest, plan: RestorePlan, chain: BackupChain) async throws -> Int {
        let type = try chain.compression(of: manifest.label)
        let progress = ProgressMeter(title: "restore", totalBytes: manifest.storedSize, totalFiles: manifest.files.count,
                                     style: context.progress, emit: context.emitProgress)
        let materializer = FileMaterializer(storage: context.storage, layout: context.repository.layout, chain: chain)
        let files = manifest.files.sorted { $0.size > $1.size }
        _ = try await Parallel.map(files, workers: context.processMax,
                                   workspace: { TransferWorkspace(compressionType: type, level: 0) }) { workspace, file in
            let destination = plan.dataDirectory + "/" + file.path
            let fd = open(destination, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw LocalFS.ioError("create", destination) }
            defer { close(fd) }
            try await materializer.materialize(file, toFD: fd, destination: destination, workspace: workspace,
                                               progress: file.reference == nil ? progress : nil)
            guard fchmod(fd, mode_t(file.mode & 0o7777)) == 0 else { throw LocalFS.ioError("set the mode of", destination) }
            var times = [timespec(tv_sec: Int(file.mtime), tv_nsec: 0), timespec(tv_sec: Int(file.mtime), tv_nsec: 0)]
            guard futimens(fd, &times) == 0 else { throw LocalFS.ioError("set the time of", destination) }
            progress.fileDone()
            return ()
        }
        progress.finish()
        return files.count
    }

    private static func writeRecoveryFiles(_ context: EngineContext, manifest: BackupManifest, plan: RestorePlan, options: RestoreOptions) throws {
        let root = plan.dataDirectory
        let label = Array(manifest.backupLabel.utf8)
        try LocalFS.writeFileDurably(root + "/backup_label", label, mode: 0o600)

        let autoConfPath = root + "/postgresql.auto.conf"
        let existing = (try? LocalFS.readFile(autoConfPath)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let command = ([LocalFS.currentExecutable(), "archive-get"] + context.restoreCommandOptions)
            .map(RecoverySettings.shellQuote).joined(separator: " ") + " %f \"%p\""
        let settings = RecoverySettings(
            restoreCommand: command, target: options.target, action: options.targetAction, exclusive: options.targetExclusive,
            archiveModeOff: options.archiveModeOff, backupLabel: manifest.label)
        try LocalFS.writeFileDurably(autoConfPath, Array(settings.merged(into: existing).utf8), mode: 0o600)
        try LocalFS.writeFileDurably(root + "/recovery.signal", [], mode: 0o600)

        // PostgreSQL's own manifest, so `pg_verifybackup -n` can vouch for the restore before first start.
        var files = manifest.files.map {
            PostgresBackupManifest.File(path: $0.path, size: $0.size, lastModified: Date(timeIntervalSince1970: Double($0.mtime)), sha256Hex: $0.sha256)
        }
        files.append(PostgresBackupManifest.File(path: "backup_label", size: UInt64(label.count), lastModified: Date(),
                                                 sha256Hex: SHA256Hasher.hex(of: label)))
        let text = PostgresBackupManifest.render(
            files: files, walRanges: [.init(timeline: manifest.timeline, startLSN: manifest.startLSN, endLSN: manifest.stopLSN)])
        try LocalFS.writeFileDurably(root + "/backup_manifest", Array(text.utf8), mode: 0o600)
    }
}
