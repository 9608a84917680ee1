import Foundation
import LifeboatCore
import LifeboatPostgres
import Prometheus

/// `metrics` measures against the same written targets as `status`.
public typealias MetricsOptions = RecoveryTargetOptions

/// One stanza `metrics` reports: its context (with every configured repository) and its written targets.
public struct MetricsStanza: Sendable {
    public var context: EngineContext
    public var options: MetricsOptions

    public init(context: EngineContext, options: MetricsOptions) {
        self.context = context
        self.options = options
    }
}

/// `lifeboat metrics`: each stanza's state as Prometheus gauges, labelled by stanza and repository
/// (and backup type). Timestamps are Unix seconds, durations seconds, sizes bytes, booleans 0/1,
/// following Prometheus naming conventions. Metrics without a value (no drill yet, no rpo set) are
/// left out rather than faked, so alerts on them use `absent()` where that matters.
///
/// Every configured repository is read on its own and gets its own series (`repo` label: the
/// repository's display name, e.g. `posix:/var/lib/lifeboat`), plus `lifeboat_repository_up` 1 or 0. A
/// repository that cannot be read is reported as 0 with one line on stderr and hides nothing else; the
/// command fails only when no repository of any stanza could be read.
public enum MetricsCommand {
    public static func run(_ context: EngineContext, options: MetricsOptions) async throws -> String {
        try await run([MetricsStanza(context: context, options: options)])
    }

    public static func run(_ stanzas: [MetricsStanza]) async throws -> String {
        let now = Date()
        let registry = PrometheusCollectorRegistry()
        var anyRead = false
        var firstError: (any Error)?
        for stanza in stanzas {
            let context = stanza.context
            let server = await ServerArchiveFacts.readIfReachable(context.connection)
            let targets = context.targets
            for target in targets {
                let labels = [("stanza", context.stanza), ("repo", target.storage.displayName)]
                do {
                    let repository = try await RepositoryFacts.read(context.using(target))
                    anyRead = true
                    emit(into: registry, labels: labels, repository: repository, server: server, options: stanza.options, now: now)
                    registry.makeGauge(name: "lifeboat_repository_up", labels: labels, help: repositoryUpHelp).set(Double(1))
                } catch {
                    let failure = asLifeboatError(error)
                    firstError = firstError ?? (targets.count > 1 ? failure.naming(target) : failure)
                    context.logger.error("metrics: stanza '\(context.stanza)' in \(target.label) could not be read: \(failure.description)")
                    registry.makeGauge(name: "lifeboat_repository_up", labels: labels, help: repositoryUpHelp).set(Double(0))
                }
            }
        }
        if !anyRead, let firstError { throw firstError }
        return registry.emitToString()
    }

    static let repositoryUpHelp = "Whether the stanza could be read from this repository (1) or not (0)."

    /// One stanza's series from one repository.
    static func emit(into registry: PrometheusCollectorRegistry, labels base: [(String, String)], repository: RepositoryFacts,
                     server: ServerArchiveFacts?, options: MetricsOptions, now: Date) {
        func gauge(_ name: String, _ help: String, _ value: Double, _ extra: [(String, String)] = []) {
            registry.makeGauge(name: "lifeboat_" + name, labels: base + extra, help: help).set(value)
        }

        gauge("info", "Lifeboat version and the stanza's cluster (always 1).", 1,
              [("version", LifeboatVersion.current), ("system_identifier", repository.stanza.systemIdentifier)])
        gauge("backups", "Complete backups in the repository.", Double(repository.backups.count))
        for type in BackupType.allCases {
            guard let backup = repository.newest(of: type) else { continue }
            let label = [("type", type.rawValue)]
            gauge("backup_last_completion_timestamp_seconds", "When the newest backup of this type finished (Unix time).",
                  backup.stopTime.timeIntervalSince1970, label)
            gauge("backup_last_duration_seconds", "How long the newest backup of this type took.", backup.durationSeconds, label)
            gauge("backup_last_size_bytes", "Size of the data the newest backup of this type holds.", Double(backup.originalSize), label)
            gauge("backup_last_stored_bytes", "Bytes the newest backup of this type occupies in the repository.", Double(backup.storedSize), label)
        }
        gauge("archive_wal_segments", "WAL segments in the repository's archive.", Double(repository.archivedSegmentCount))
        if let newest = repository.newestSegment {
            gauge("archive_newest_segment_timestamp_seconds", "When the newest archived WAL segment was stored (Unix time).",
                  newest.archivedAt.timeIntervalSince1970)
        }
        let archiveFacts = RecoveryObjectives.ArchiveFacts(repository: repository, server: server, now: now)
        if let lag = archiveFacts.worstCaseLossSeconds {
            gauge("archive_lag_seconds", "Age of the oldest WAL not yet archived: the data lost if the server died now (0 when all WAL is archived).", lag)
        }
        gauge("postgres_up", "Whether PostgreSQL answered (1) or not (0).", server == nil ? 0 : 1)
        if let server {
            gauge("archiver_failing", "pg_stat_archiver's last failure is newer than its last success (1) or not (0).", server.archiverFailing ? 1 : 0)
            gauge("archiver_failures", "pg_stat_archiver.failed_count since the statistics were reset.", Double(server.failedCount))
            gauge("archive_timeout_seconds", "The server's archive_timeout (0: disabled).", server.archiveTimeoutSeconds)
        }
        if let drill = repository.newestDrill {
            gauge("drill_last_timestamp_seconds", "When the newest drill started (Unix time).", drill.startedAt.timeIntervalSince1970)
            gauge("drill_last_success", "Whether the newest drill passed every check (1) or not (0).", drill.outcome == .passed ? 1 : 0)
            gauge("drill_last_time_to_ready_seconds", "Restore plus WAL replay time measured by the newest drill.", drill.timeToReadySeconds)
            gauge("drill_last_restore_seconds", "Restore time measured by the newest drill.", drill.restoreSeconds)
            gauge("drill_last_recovery_seconds", "WAL replay time measured by the newest drill.", drill.recoverySeconds)
        }
        if let rpo = options.rpo {
            gauge("rpo_target_seconds", "The written recovery point objective.", rpo.seconds)
            let verdict = RecoveryObjectives.evaluateRPO(rpo, facts: archiveFacts)
            gauge("rpo_met", "Whether the RPO is met now (see `lifeboat status`).", verdict.status == .met ? 1 : 0)
        }
        if let rto = options.rto {
            gauge("rto_target_seconds", "The written recovery time objective.", rto.seconds)
            let drill = repository.newestDrill.map {
                RecoveryObjectives.DrillFacts(passed: $0.outcome == .passed, timeToReadySeconds: $0.timeToReadySeconds, ageSeconds: now.timeIntervalSince($0.startedAt))
            }
            let verdict = RecoveryObjectives.evaluateRTO(rto, drill: drill)
            gauge("rto_met", "Whether the newest drill's time to ready meets the RTO.", verdict.status == .met ? 1 : 0)
        }
        if let limit = options.backupMaxAge {
            gauge("backup_max_age_seconds", "The written limit on the newest backup's age.", limit.seconds)
        }
        if let limit = options.drillMaxAge {
            gauge("drill_max_age_seconds", "The written limit on the newest drill's age.", limit.seconds)
        }
    }
}
