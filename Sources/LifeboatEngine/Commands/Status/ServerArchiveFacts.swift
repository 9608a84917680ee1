import Foundation
import LifeboatCore
import LifeboatPostgres

/// The live server's side of archiving: settings, pg_stat_archiver, the current WAL position.
struct ServerArchiveFacts: Sendable {
    var facts: ServerFacts
    var archiveTimeoutSeconds: Double
    var archivedCount: Int
    var failedCount: Int
    var lastArchivedWAL: String?
    /// Seconds since pg_stat_archiver's last success / failure, by the server's clock.
    var lastArchivedAgeSeconds: Double?
    var lastFailedAgeSeconds: Double?
    var currentLSN: LSN?

    /// The last failure is newer than the last success: archiving is failing now.
    var archiverFailing: Bool {
        guard let failed = lastFailedAgeSeconds else { return false }
        guard let archived = lastArchivedAgeSeconds else { return true }
        return failed < archived
    }

    /// The facts of the server `settings` reaches within five seconds, or nil: `status` and `metrics`
    /// report a server that is down, they do not fail on it.
    static func readIfReachable(_ settings: ConnectionSettings) async -> ServerArchiveFacts? {
        var settings = settings
        settings.connectTimeoutSeconds = 5
        guard let connection = try? await PostgresConnection.connect(settings) else { return nil }
        defer { connection.close() }
        return try? await read(connection)
    }

    static func read(_ connection: PostgresConnection) async throws(LifeboatError) -> ServerArchiveFacts {
        let facts = try await ServerFacts.read(from: connection)
        let result = try await connection.query("""
            SELECT (SELECT setting FROM pg_settings WHERE name = 'archive_timeout') AS archive_timeout,
                   archived_count::text AS archived_count, failed_count::text AS failed_count, last_archived_wal,
                   extract(epoch FROM now() - last_archived_time)::text AS archived_age,
                   extract(epoch FROM now() - last_failed_time)::text AS failed_age,
                   CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn()::text END AS current_lsn
            FROM pg_stat_archiver
            """)
        return ServerArchiveFacts(
            facts: facts,
            archiveTimeoutSeconds: result.value(0, "archive_timeout").flatMap(Double.init) ?? 0,
            archivedCount: result.value(0, "archived_count").flatMap { Int($0) } ?? 0,
            failedCount: result.value(0, "failed_count").flatMap { Int($0) } ?? 0,
            lastArchivedWAL: result.value(0, "last_archived_wal"),
            lastArchivedAgeSeconds: result.value(0, "archived_age").flatMap(Double.init),
            lastFailedAgeSeconds: result.value(0, "failed_age").flatMap(Double.init),
            currentLSN: result.value(0, "current_lsn").flatMap { LSN($0) })
    }

    /// Whether the server holds WAL beyond the newest segment in the repository.
    func hasUnarchivedWAL(newest: WALSegment?, segmentSize: WALSegmentSize) -> Bool {
        guard let currentLSN else { return false }
        guard let newest else { return true }
        return currentLSN > newest.endLSN(segmentSize: segmentSize)
    }
}

/// The RPO inputs from both sides; without a server, every archived byte is assumed to be followed
/// by unarchived WAL (the conservative reading).
extension RecoveryObjectives.ArchiveFacts {
    init(repository: RepositoryFacts, server: ServerArchiveFacts?, now: Date) {
        let since = repository.newestSegment.map { now.timeIntervalSince($0.archivedAt) }
        self.init(
            secondsSinceLastArchived: since,
            hasUnarchivedWAL: server?.hasUnarchivedWAL(newest: repository.newestSegment?.segment, segmentSize: repository.segmentSize) ?? true,
            archiveTimeoutSeconds: server?.archiveTimeoutSeconds ?? 0,
            archiverFailing: server?.archiverFailing ?? false)
    }
}
