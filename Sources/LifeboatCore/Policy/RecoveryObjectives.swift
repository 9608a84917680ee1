/// Pure evaluation of the written recovery targets against measured facts: no clock, no I/O.
public enum RecoveryObjectives {
    /// What the archive tells about possible data loss right now.
    public struct ArchiveFacts: Sendable, Equatable {
        /// Seconds since the newest archived WAL segment was stored; nil when nothing is archived.
        public var secondsSinceLastArchived: Double?
        /// Whether the server has written WAL beyond the newest archived segment (an idle server
        /// has nothing at risk however old its last archived segment is).
        public var hasUnarchivedWAL: Bool
        /// The server's archive_timeout in seconds; 0 when disabled.
        public var archiveTimeoutSeconds: Double
        /// pg_stat_archiver reports a failure newer than its last success.
        public var archiverFailing: Bool

        public init(secondsSinceLastArchived: Double?, hasUnarchivedWAL: Bool, archiveTimeoutSeconds: Double, archiverFailing: Bool) {
            self.secondsSinceLastArchived = secondsSinceLastArchived
            self.hasUnarchivedWAL = hasUnarchivedWAL
            self.archiveTimeoutSeconds = archiveTimeoutSeconds
            self.archiverFailing = archiverFailing
        }

        /// Worst-case data loss if the server were lost now: the age of the oldest WAL not yet in
        /// the archive, bounded above by the time since the last archived segment.
        public var worstCaseLossSeconds: Double? {
            guard let since = secondsSinceLastArchived else { return nil }
            return hasUnarchivedWAL ? since : 0
        }
    }

    /// The newest drill, as recorded in the repository.
    public struct DrillFacts: Sendable, Equatable {
        public var passed: Bool
        public var timeToReadySeconds: Double
        public var ageSeconds: Double

        public init(passed: Bool, timeToReadySeconds: Double, ageSeconds: Double) {
            self.passed = passed
            self.timeToReadySeconds = timeToReadySeconds
            self.ageSeconds = ageSeconds
        }
    }

    /// The largest archive_timeout an RPO allows: the RPO itself, and at most 60 s below 5 minutes
    /// (the guide: "an RPO under 5 minutes needs archive_timeout ≤ 60 s or streaming").
    public static func maximumArchiveTimeout(for rpo: PolicyDuration) -> Double {
        rpo.seconds < 300 ? min(60, rpo.seconds) : rpo.seconds
    }

    /// RPO is met when archiving works, the WAL at risk now is younger than the RPO, and
    /// archive_timeout bounds the risk of an idle-then-busy server to the RPO.
    public static func evaluateRPO(_ rpo: PolicyDuration?, facts: ArchiveFacts) -> ObjectiveVerdict {
        let measured = facts.worstCaseLossSeconds
        guard let rpo else {
            return ObjectiveVerdict(objective: "rpo", status: .notSet, targetSeconds: nil, measuredSeconds: measured,
                                    reason: "no rpo written down (set rpo, e.g. rpo = 15m)")
        }
        let tier = StrategyTier.forRPO(rpo)
        let timeoutBound = maximumArchiveTimeout(for: rpo)
        func notMet(_ reason: String, _ recommendation: String) -> ObjectiveVerdict {
            ObjectiveVerdict(objective: "rpo", status: .notMet, targetSeconds: rpo.seconds, measuredSeconds: measured,
                             reason: reason, requiredTier: tier, recommendation: recommendation + "; an rpo of \(rpo) needs \(tier.summary)")
        }
        if rpo.seconds <= 0 || tier == .synchronousReplication {
            return notMet("an rpo of zero cannot be met by archiving, which always trails the last commit",
                          "use synchronous streaming replication (synchronous_standby_names)")
        }
        if facts.archiverFailing {
            return notMet("archiving is failing (pg_stat_archiver's last failure is newer than its last success)",
                          "fix archive_command: see pg_stat_archiver and the server log")
        }
        guard let measured else {
            return notMet("no WAL has been archived yet", "check archive_mode and archive_command with `lifeboat check`")
        }
        if measured > rpo.seconds {
            return notMet("WAL written \(PolicyDuration.format(measured)) ago is not archived yet, beyond the rpo of \(rpo)",
                          "archiving lags behind: check pg_stat_archiver, and set archive_timeout ≤ \(PolicyDuration.format(timeoutBound))")
        }
        if facts.archiveTimeoutSeconds <= 0 || facts.archiveTimeoutSeconds > timeoutBound {
            let current = facts.archiveTimeoutSeconds <= 0 ? "disabled" : PolicyDuration.format(facts.archiveTimeoutSeconds)
            let streaming = rpo.seconds < 300 ? " or stream WAL to a standby" : ""
            return notMet("archive_timeout is \(current): a quiet server can hold unarchived commits longer than the rpo of \(rpo)",
                          "set archive_timeout ≤ \(PolicyDuration.format(timeoutBound))\(streaming)")
        }
        return ObjectiveVerdict(objective: "rpo", status: .met, targetSeconds: rpo.seconds, measuredSeconds: measured,
                                reason: "worst-case loss now \(PolicyDuration.format(measured)), archive_timeout \(PolicyDuration.format(facts.archiveTimeoutSeconds)) ≤ rpo \(rpo)")
    }

    /// RTO is met when the newest drill passed and its measured time-to-ready is within the RTO.
    public static func evaluateRTO(_ rto: PolicyDuration?, drill: DrillFacts?) -> ObjectiveVerdict {
        let measured = drill?.timeToReadySeconds
        guard let rto else {
            return ObjectiveVerdict(objective: "rto", status: .notSet, targetSeconds: nil, measuredSeconds: measured,
                                    reason: "no rto written down (set rto, e.g. rto = 1h)")
        }
        let tier = StrategyTier.forRTO(rto)
        func notMet(_ reason: String, _ recommendation: String) -> ObjectiveVerdict {
            ObjectiveVerdict(objective: "rto", status: .notMet, targetSeconds: rto.seconds, measuredSeconds: measured,
                             reason: reason, requiredTier: tier, recommendation: recommendation + "; an rto of \(rto) needs \(tier.summary)")
        }
        guard let drill else {
            return notMet("never measured: no drill recorded", "run `lifeboat drill` to measure the time to restore")
        }
        guard drill.passed else {
            return notMet("the last drill failed: the backup did not prove restorable", "see the drill record and fix what failed, then drill again")
        }
        if drill.timeToReadySeconds > rto.seconds {
            let advice = rto.seconds < 300
                ? "an rto under 5 minutes needs a standby to promote, not a restore"
                : "shorten the restore: back up more often (less WAL to replay), raise process-max, or keep a standby"
            return notMet("the last drill took \(PolicyDuration.format(drill.timeToReadySeconds)) to be ready, beyond the rto of \(rto)", advice)
        }
        return ObjectiveVerdict(objective: "rto", status: .met, targetSeconds: rto.seconds, measuredSeconds: drill.timeToReadySeconds,
                                reason: "last drill ready in \(PolicyDuration.format(drill.timeToReadySeconds)) ≤ rto \(rto)")
    }

    /// A freshness limit (backup-max-age, drill-max-age) against the age of the newest one.
    public static func evaluateFreshness(_ objective: String, limit: PolicyDuration?, ageSeconds: Double?, what: String) -> ObjectiveVerdict {
        guard let limit else {
            return ObjectiveVerdict(objective: objective, status: .notSet, targetSeconds: nil, measuredSeconds: ageSeconds,
                                    reason: "no limit written down")
        }
        guard let ageSeconds else {
            return ObjectiveVerdict(objective: objective, status: .notMet, targetSeconds: limit.seconds, measuredSeconds: nil,
                                    reason: "no \(what) yet", recommendation: "run `lifeboat \(what)` and schedule it")
        }
        if ageSeconds > limit.seconds {
            return ObjectiveVerdict(objective: objective, status: .notMet, targetSeconds: limit.seconds, measuredSeconds: ageSeconds,
                                    reason: "newest \(what) is \(PolicyDuration.format(ageSeconds)) old, beyond \(limit)",
                                    recommendation: "schedule `lifeboat \(what)` at least every \(limit)")
        }
        return ObjectiveVerdict(objective: objective, status: .met, targetSeconds: limit.seconds, measuredSeconds: ageSeconds,
                                reason: "newest \(what) is \(PolicyDuration.format(ageSeconds)) old ≤ \(limit)")
    }
}
