import Foundation
import LifeboatCore

/// What the repository says about a stanza's safety, read without PostgreSQL: the newest backup of
/// each type, the archived WAL, the newest drill. Shared by `check`, `status` and `metrics`.
struct RepositoryFacts: Sendable {
    struct Backup: Sendable {
        var label: String
        var type: BackupType
        var startTime: Date
        var stopTime: Date
        var originalSize: UInt64
        var storedSize: UInt64
        var durationSeconds: Double { stopTime.timeIntervalSince(startTime) }
    }

    var stanza: StanzaRecord
    var repository: String
    var segmentSize: WALSegmentSize
    /// Oldest first.
    var backups: [Backup]
    var archivedSegmentCount: Int
    /// The highest archived segment (by timeline, then number) and when it was stored.
    var newestSegment: (segment: WALSegment, archivedAt: Date)?
    var newestDrill: DrillReport?

    var newestBackup: Backup? { backups.max { $0.stopTime < $1.stopTime } }

    func newest(of type: BackupType) -> Backup? {
        backups.filter { $0.type == type }.max { $0.stopTime < $1.stopTime }
    }

    static func read(_ context: EngineContext) async throws -> RepositoryFacts {
        try await context.requireRepository()
        let repository = context.repository
        let stanza = try await repository.loadStanza()
        let segmentSize = WALSegmentSize(bytes: stanza.walSegmentSize) ?? .default16MiB
        let backups = try await repository.backups().map {
            Backup(label: $0.label, type: $0.type, startTime: $0.startTime, stopTime: $0.stopTime,
                   originalSize: $0.originalSize, storedSize: $0.storedSize)
        }
        let archived = try await repository.archivedSegments(segmentSize: segmentSize)
        let newest = archived.max { ($0.key.timeline, $0.key.number) < ($1.key.timeline, $1.key.number) }
        return RepositoryFacts(
            stanza: stanza, repository: repository.displayName, segmentSize: segmentSize, backups: backups,
            archivedSegmentCount: archived.count, newestSegment: newest.map { ($0.key, $0.value) },
            newestDrill: try await DrillRecords(repository: repository).newest())
    }
}
