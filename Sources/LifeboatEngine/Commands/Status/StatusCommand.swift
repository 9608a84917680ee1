import Foundation
import LifeboatCore
import LifeboatPostgres

public typealias StatusOptions = RecoveryTargetOptions

/// `lifeboat status`: the written targets next to measured facts, each MET or NOT MET.
public struct StatusReport: Codable, Sendable {
    public struct Measured: Codable, Sendable {
        /// The data lost if the server died now (nil: nothing archived).
        public var worstCaseLossSeconds: Double?
        public var secondsSinceLastArchived: Double?
        public var hasUnarchivedWAL: Bool
        /// The server's archive_timeout (nil: PostgreSQL unreachable; 0: disabled).
        public var archiveTimeoutSeconds: Double?
        public var archiverFailing: Bool?
        public var postgresReachable: Bool
        public var lastDrillTimeToReadySeconds: Double?
        public var lastDrillAgeSeconds: Double?
        public var lastDrillPassed: Bool?
        public var newestBackup: String?
        public var newestBackupAgeSeconds: Double?
    }

    public var stanza: String
    public var repository: String
    public var rpoSeconds: Double?
    public var rtoSeconds: Double?
    public var measured: Measured
    public var objectives: [ObjectiveVerdict]
    /// The strategy tier both targets together need (reference guide's table).
    public var requiredTier: StrategyTier?
    public var requiredStrategy: String?
    /// Every objective with a target is met.
    public var allMet: Bool
}

public enum StatusCommand {
    public static func run(_ context: EngineContext, options: StatusOptions) async throws -> StatusReport {
        let now = Date()
        let repository = try await RepositoryFacts.read(context)
        let server = await ServerArchiveFacts.readIfReachable(context.connection)
        let archive = RecoveryObjectives.ArchiveFacts(repository: repository, server: server, now: now)
        let drill = repository.newestDrill.map {
            RecoveryObjectives.DrillFacts(passed: $0.outcome == .passed, timeToReadySeconds: $0.timeToReadySeconds, ageSeconds: now.timeIntervalSince($0.startedAt))
        }
        let backupAge = repository.newestBackup.map { now.timeIntervalSince($0.stopTime) }
        let objectives = [
            RecoveryObjectives.evaluateRPO(options.rpo, facts: archive),
            RecoveryObjectives.evaluateRTO(options.rto, drill: drill),
            RecoveryObjectives.evaluateFreshness("backup freshness", limit: options.backupMaxAge, ageSeconds: backupAge, what: "backup"),
            RecoveryObjectives.evaluateFreshness("drill freshness", limit: options.drillMaxAge, ageSeconds: drill?.ageSeconds, what: "drill"),
        ]
        let tier = options.rpo == nil && options.rto == nil ? nil : StrategyTier.required(rto: options.rto, rpo: options.rpo)
        return StatusReport(
            stanza: context.stanza, repository: repository.repository, rpoSeconds: options.rpo?.seconds, rtoSeconds: options.rto?.seconds,
            measured: .init(
                worstCaseLossSeconds: archive.worstCaseLossSeconds, secondsSinceLastArchived: archive.secondsSinceLastArchived,
                hasUnarchivedWAL: archive.hasUnarchivedWAL, archiveTimeoutSeconds: server?.archiveTimeoutSeconds,
                archiverFailing: server?.archiverFailing, postgresReachable: server != nil,
                lastDrillTimeToReadySeconds: drill?.timeToReadySeconds, lastDrillAgeSeconds: drill?.ageSeconds, lastDrillPassed: drill?.passed,
                newestBackup: repository.newestBackup?.label, newestBackupAgeSeconds: backupAge),
            objectives: objectives, requiredTier: tier, requiredStrategy: tier?.summary,
            allMet: !objectives.contains { $0.status == .notMet })
    }
}
