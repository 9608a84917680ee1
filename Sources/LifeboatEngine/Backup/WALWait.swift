import Logging
import LifeboatCore

/// Waits until the WAL that makes a backup consistent is in the repository — not merely reported
/// archived by PostgreSQL — so a listed backup is always restorable.
enum WALWait {
    static func untilArchived(
        from first: WALSegment, through last: WALSegment, segmentSize: WALSegmentSize, repository: Repository,
        timeoutSeconds: Double, label: String, logger: Logger
    ) async throws {
        var pending: [WALSegment] = []
        var segment = first
        while segment <= last {
            pending.append(segment)
            segment = segment.next
        }
        let deadline = ProgressMeter.now() + timeoutSeconds
        var delay: UInt64 = 20_000_000
        while let next = pending.first {
            let name = next.fileName(segmentSize: segmentSize)
            guard let wal = WALFileName(name) else { throw LifeboatError(.internal, "bad segment name '\(name)'") }
            if try await !repository.archived(wal).isEmpty {
                pending.removeFirst()
                continue
            }
            guard ProgressMeter.now() < deadline else {
                throw LifeboatError(
                    .postgresConfig,
                    "WAL segment '\(name)' needed by backup '\(label)' did not reach the repository within \(Int(timeoutSeconds)) s",
                    hint: "check archive_command and SELECT * FROM pg_stat_archiver; raise --archive-timeout if archiving is slow")
            }
            logger.debug("waiting for WAL segment '\(name)' to be archived")
            try await Task.sleep(nanoseconds: delay)
            delay = min(delay * 2, 500_000_000)
        }
    }
}
