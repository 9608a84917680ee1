import Foundation
import LifeboatCore

public struct BackupInfo: Codable, Sendable {
    public var label: String
    public var type: BackupType
    public var reference: String?
    public var timeline: UInt32
    public var startTime: Date
    public var stopTime: Date
    public var startLSN: LSN
    public var stopLSN: LSN
    public var startWAL: String
    public var stopWAL: String
    public var files: Int
    public var originalSize: UInt64
    public var storedSize: UInt64
    /// Files the backup stores itself (the rest are referenced from earlier backups).
    public var storedFiles: Int
    /// Pages whose data checksum failed when the backup copied them, by relation file.
    public var checksumPageErrors: [PageChecksumErrors]
    /// Set while the backup is pinned (`lifeboat pin`), even if the pin's date has passed.
    public var pin: PinRecord?
}

/// The blocks of one relation file that failed their data checksum during a backup.
public struct PageChecksumErrors: Codable, Sendable, Equatable {
    public var path: String
    public var blocks: [UInt32]

    public init(path: String, blocks: [UInt32]) {
        self.path = path
        self.blocks = blocks
    }
}

public struct InfoReport: Codable, Sendable {
    public var stanza: String
    public var repository: String
    public var systemIdentifier: String
    public var pgVersion: Int
    public var backups: [BackupInfo]
    public var archive: [ArchiveRange]
    public var archivedFiles: Int
    public var archivedBytes: UInt64
    /// Earliest and latest moments a restore can reach; nil until a backup has its WAL archived.
    public var recoverableWindow: RecoverableWindow?
    /// With several repositories: each one's state (the fields above describe the first that answered).
    public var repositories: [RepositoryInfo]? = nil
}

/// `lifeboat info`: what the stanza holds and how far back and forward it can restore.
public enum InfoCommand {
    public static func run(_ context: EngineContext) async throws -> InfoReport {
        try await context.requireRepository()
        let repository = context.repository
        let stanza = try await repository.loadStanza()
        let segmentSize = WALSegmentSize(bytes: stanza.walSegmentSize) ?? .default16MiB
        let manifests = try await repository.backups()
        let pins = Dictionary(try await repository.pins().map { ($0.label, $0) }, uniquingKeysWith: { first, _ in first })
        let objects = try await repository.archiveContents()
        var archivedAt: [WALSegment: Date] = [:]
        for object in objects where object.name.wal.kind == .segment {
            if let segment = WALSegment(fileName: object.name.wal.name, segmentSize: segmentSize) {
                archivedAt[segment] = max(archivedAt[segment] ?? .distantPast, object.archivedAt)
            }
        }
        let backups = manifests.map {
            BackupInfo(label: $0.label, type: $0.type, reference: $0.reference, timeline: $0.timeline, startTime: $0.startTime,
                       stopTime: $0.stopTime, startLSN: $0.startLSN, stopLSN: $0.stopLSN, startWAL: $0.startWALFile,
                       stopWAL: $0.stopWALFile, files: $0.files.count, originalSize: $0.originalSize, storedSize: $0.storedSize,
                       storedFiles: $0.files.filter { $0.reference == nil }.count,
                       checksumPageErrors: $0.files.compactMap { file in
                           file.checksumPageErrors.flatMap { $0.isEmpty ? nil : PageChecksumErrors(path: file.path, blocks: $0) }
                       },
                       pin: pins[$0.label])
        }
        return InfoReport(
            stanza: stanza.stanza, repository: repository.displayName, systemIdentifier: stanza.systemIdentifier,
            pgVersion: stanza.pgVersion, backups: backups,
            archive: ArchiveRanges.compute(Array(archivedAt.keys), segmentSize: segmentSize),
            archivedFiles: objects.count, archivedBytes: objects.reduce(0) { $0 + $1.storedSize },
            recoverableWindow: RecoverableWindow.compute(backups: manifests.map(BackupSummary.init), archivedAt: archivedAt, segmentSize: segmentSize))
    }
}
