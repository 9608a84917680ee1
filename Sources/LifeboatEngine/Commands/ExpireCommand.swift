import Foundation
import LifeboatCodecs
import LifeboatCore
import LifeboatStorage

public struct ExpireOptions: Sendable {
    public var policy: RetentionPolicy
    public var dryRun: Bool
    /// `--set LABEL`: remove that backup and what depends on it, whatever the policy keeps.
    public var set: String?
    public var now: Date

    public init(policy: RetentionPolicy, dryRun: Bool, set: String? = nil, now: Date = Date()) {
        self.policy = policy
        self.dryRun = dryRun
        self.set = set
        self.now = now
    }
}

public struct ExpireReport: Codable, Sendable {
    public struct RemovedWAL: Codable, Sendable {
        public var timeline: UInt32
        public var first: String
        public var last: String
        /// Archived segments in the range.
        public var segments: Int
        /// Stored objects removed for the range (segments plus their .backup/.partial companions).
        public var files: Int
        public var storedBytes: UInt64
        public var reason: String
    }

    public var stanza: String
    /// The repository expired (its own policy applies: repo<N>-retention-…).
    public var repo: Int
    public var dryRun: Bool
    /// The effective policy for that repository.
    public var policy: [String: String]
    /// The backup named by `--set`, if any.
    public var set: String?
    /// Backups removed (or to be removed), oldest first, each with the rule that removes it.
    public var backups: [RetentionPlan.BackupRemoval]
    /// Interrupted backups (no manifest) whose remains are removed.
    public var abandoned: [String]
    public var kept: [String]
    public var wal: [RemovedWAL]
    public var history: [String]
    public var notes: [String]
    public var storedBytes: UInt64
}

/// `lifeboat expire`: applies the retention policy.
///
/// Order makes it safe to kill at any point: first every planned manifest is removed, dependents before
/// what they depend on (a backup stops being listed before anything it needs goes), then the data trees
/// oldest first, then WAL oldest first. A killed run leaves only unlisted directories, which the next
/// expire (or backup) removes as abandoned, and WAL older than anything listed still needs.
public enum ExpireCommand {
    public static func run(_ context: EngineContext, options: ExpireOptions) async throws -> ExpireReport {
        try await context.requireRepository()
        let repository = context.repository
        let stanza = try await repository.loadStanza()
        let segmentSize = WALSegmentSize(bytes: stanza.walSegmentSize) ?? .default16MiB
        // The backup lock: no backup can add a backup (or a directory that looks abandoned) meanwhile.
        // archive-push takes no lock: it never waits for expire, and what it adds is newer than anything removed.
        let lock = try StanzaLock.acquire(context, purpose: "backup")
        defer { lock.release() }
        let pinLock = try StanzaLock.acquire(context, purpose: "pin")
        defer { pinLock.release() }

        let manifests = try await repository.backups()
        let abandoned = try await repository.abandonedBackupLabels()
        let pins = try await repository.pins()
        let objects = try await repository.archiveContents()
        var segments: [UInt32: Set<UInt64>] = [:]
        var histories: [UInt32: TimelineHistory] = [:]
        for object in objects {
            if object.name.wal.kind == .history {
                histories[object.name.wal.timeline] = try await readHistory(object, storage: context.storage)
            } else if object.name.wal.kind == .segment, let segment = object.name.wal.segment(segmentSize: segmentSize) {
                segments[segment.timeline, default: []].insert(segment.number)
            }
        }
        let catalogue = manifests.map(RetentionBackup.init)
        let retentionPins = pins.map { RetentionPin(label: $0.label, until: $0.until) }
        let archive = RetentionArchive(segments: segments, histories: histories)
        let plan = try options.set.map { label throws(LifeboatError) in
            try RetentionPlanner.plan(removingSet: label, backups: catalogue, pins: retentionPins, archive: archive,
                                      policy: options.policy, now: options.now)
        } ?? RetentionPlanner.plan(backups: catalogue, pins: retentionPins, archive: archive, policy: options.policy, now: options.now)

        let sizes = Dictionary(manifests.map { ($0.label, $0.storedSize) }, uniquingKeysWith: { first, _ in first })
        var walObjects: [ArchivedObject] = []
        var walByRemoval: [[ArchivedObject]] = Array(repeating: [], count: plan.wal.count)
        for object in objects where object.name.wal.kind != .history {
            guard let segment = object.name.wal.segment(segmentSize: segmentSize),
                  let index = plan.wal.firstIndex(where: { $0.timeline == segment.timeline && $0.firstSegment <= segment.number && segment.number <= $0.lastSegment })
            else { continue }
            walByRemoval[index].append(object)
            walObjects.append(object)
        }
        let historyObjects = objects.filter { $0.name.wal.kind == .history && plan.historyTimelines.contains($0.name.wal.timeline) }

        let report = ExpireReport(
            stanza: context.stanza, repo: context.repositoryIndex, dryRun: options.dryRun, policy: describe(options.policy), set: options.set, backups: plan.backups,
            abandoned: abandoned.sorted(), kept: plan.kept,
            wal: plan.wal.enumerated().map { index, removal in
                ExpireReport.RemovedWAL(
                    timeline: removal.timeline,
                    first: WALSegment(timeline: removal.timeline, number: removal.firstSegment).fileName(segmentSize: segmentSize),
                    last: WALSegment(timeline: removal.timeline, number: removal.lastSegment).fileName(segmentSize: segmentSize),
                    segments: removal.count, files: walByRemoval[index].count,
                    storedBytes: walByRemoval[index].reduce(0) { $0 + $1.storedSize }, reason: removal.reason)
            },
            history: historyObjects.map(\.name.wal.name), notes: plan.notes,
            storedBytes: plan.backups.reduce(0) { $0 + (sizes[$1.label] ?? 0) } + walObjects.reduce(0) { $0 + $1.storedSize }
                + historyObjects.reduce(0) { $0 + $1.storedSize })
        if options.dryRun { return report }

        context.changes.markStarted()
        let storage = context.storage
        for label in abandoned {
            context.logger.info("removing interrupted backup '\(label)'")
            try await storage.removeTree(repository.layout.backupDirectory(label))
        }
        // Unlist first, newest first: a dependent is always newer than what it depends on.
        for removal in plan.backups.reversed() {
            try await storage.remove(repository.layout.manifest(removal.label))
        }
        for removal in plan.backups {
            context.logger.info("removed backup '\(removal.label)' (\(removal.rule): \(removal.reason))")
            try await storage.removeTree(repository.layout.backupDirectory(removal.label))
            // An expired pin of a removed backup has nothing left to protect.
            try await storage.remove(repository.pinPath(removal.label))
        }
        for object in walObjects.sorted(by: { $0.name.wal < $1.name.wal }) {
            try await storage.remove(object.path)
        }
        for object in historyObjects { try await storage.remove(object.path) }
        await AbandonedWrites.remove(under: repository.layout.backupRoot, olderThan: Date(), context: context)
        // archive-push runs beside expire, unlocked: only what no live push can still be writing.
        await AbandonedWrites.remove(under: repository.layout.archiveRoot, olderThan: Date().addingTimeInterval(-AbandonedWrites.archiveGraceSeconds), context: context)
        return report
    }

    static func describe(_ policy: RetentionPolicy) -> [String: String] {
        var result: [String: String] = [:]
        result["retention-full"] = policy.full.map(String.init)
        result["retention-diff"] = policy.diff.map(String.init)
        result["retention-window"] = policy.window?.description
        result["retention-min-full"] = policy.minFull.map(String.init)
        return result
    }

    /// A `.history` file's content, checked against the SHA-256 in its name.
    static func readHistory(_ object: ArchivedObject, storage: any RepositoryStorage) async throws -> TimelineHistory {
        guard let type = CompressionType(fileExtension: object.name.fileExtension) else {
            throw LifeboatError(.corrupt, "archived file '\(object.path)' has an unknown compression suffix")
        }
        let stored = try await storage.readAll(object.path)
        var text: [UInt8] = []
        do {
            var decompressor = try Codecs.decompressor(type)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(stored.count, 1), alignment: 1)
            defer { buffer.deallocate() }
            buffer.copyBytes(from: stored)
            try decompressor.decompress(UnsafeRawBufferPointer(rebasing: buffer[0..<stored.count]), into: &text)
            try decompressor.finish(into: &text)
        } catch {
            throw LifeboatError(.corrupt, "archived file '\(object.path)' cannot be decompressed: \(error)")
        }
        guard SHA256Hasher.hex(of: text) == object.name.sha256 else {
            throw LifeboatError(.checksumMismatch, "archived file '\(object.path)' does not match its checksum",
                                hint: "the repository copy is damaged; expire stopped without removing anything")
        }
        return try TimelineHistory(timeline: object.name.wal.timeline, parsing: String(decoding: text, as: UTF8.self))
    }
}
