import LifeboatCore
import Testing

@Suite("RecoveryObjectives")
struct RecoveryObjectivesTests {
    typealias Facts = RecoveryObjectives.ArchiveFacts
    let fifteenMinutes = PolicyDuration(seconds: 900)

    func facts(since: Double? = 30, pending: Bool = true, timeout: Double = 60, failing: Bool = false) -> Facts {
        Facts(secondsSinceLastArchived: since, hasUnarchivedWAL: pending, archiveTimeoutSeconds: timeout, archiverFailing: failing)
    }

    @Test("RPO met: recent archive and a bounding archive_timeout")
    func rpoMet() {
        let verdict = RecoveryObjectives.evaluateRPO(fifteenMinutes, facts: facts())
        #expect(verdict.status == .met)
        #expect(verdict.measuredSeconds == 30)
        #expect(verdict.requiredTier == nil && verdict.recommendation == nil)
    }

    @Test("an idle server risks nothing however old its last archived segment")
    func idleServer() {
        let verdict = RecoveryObjectives.evaluateRPO(fifteenMinutes, facts: facts(since: 86_400, pending: false))
        #expect(verdict.status == .met)
        #expect(verdict.measuredSeconds == 0)
    }

    @Test("RPO not met, each reason with its recommendation", arguments: [
        (30.0 as Double?, true, 60.0, true, "archiving is failing", "fix archive_command"),
        (nil, true, 60, false, "no WAL has been archived", "lifeboat check"),
        (1800, true, 60, false, "not archived yet", "archive_timeout ≤ 15m"),
        (30, true, 0, false, "archive_timeout is disabled", "archive_timeout ≤ 15m"),
        (30, true, 3600, false, "archive_timeout is 1h", "archive_timeout ≤ 15m"),
    ])
    func rpoNotMet(since: Double?, pending: Bool, timeout: Double, failing: Bool, reason: String, advice: String) {
        let verdict = RecoveryObjectives.evaluateRPO(fifteenMinutes, facts: facts(since: since, pending: pending, timeout: timeout, failing: failing))
        #expect(verdict.status == .notMet)
        #expect(verdict.reason.contains(reason), "\(verdict.reason)")
        #expect(verdict.recommendation?.contains(advice) == true, "\(verdict.recommendation ?? "")")
        #expect(verdict.requiredTier == .baseBackupWithArchiving)
    }

    @Test("an RPO under 5 minutes needs archive_timeout ≤ 60 s or streaming")
    func shortRPO() {
        let twoMinutes = PolicyDuration(seconds: 120)
        #expect(RecoveryObjectives.maximumArchiveTimeout(for: twoMinutes) == 60)
        #expect(RecoveryObjectives.maximumArchiveTimeout(for: PolicyDuration(seconds: 30)) == 30)
        #expect(RecoveryObjectives.maximumArchiveTimeout(for: PolicyDuration(seconds: 3600)) == 3600)
        let verdict = RecoveryObjectives.evaluateRPO(twoMinutes, facts: facts(timeout: 90))
        #expect(verdict.status == .notMet)
        #expect(verdict.recommendation?.contains("archive_timeout ≤ 1m or stream WAL to a standby") == true, "\(verdict.recommendation ?? "")")
        #expect(verdict.requiredTier == .standbyReplication)
        #expect(RecoveryObjectives.evaluateRPO(twoMinutes, facts: facts(timeout: 60)).status == .met)
    }

    @Test("an RPO of zero is never met by archiving")
    func zeroRPO() {
        let verdict = RecoveryObjectives.evaluateRPO(PolicyDuration(seconds: 0), facts: facts(pending: false))
        #expect(verdict.status == .notMet)
        #expect(verdict.requiredTier == .synchronousReplication)
    }

    @Test("no target written: NOT SET, with the measurement still shown")
    func notSet() {
        #expect(RecoveryObjectives.evaluateRPO(nil, facts: facts()).status == .notSet)
        #expect(RecoveryObjectives.evaluateRPO(nil, facts: facts()).measuredSeconds == 30)
        let rto = RecoveryObjectives.evaluateRTO(nil, drill: .init(passed: true, timeToReadySeconds: 12, ageSeconds: 5))
        #expect(rto.status == .notSet && rto.measuredSeconds == 12)
    }

    @Test("RTO met by a passing drill within the target")
    func rtoMet() {
        let verdict = RecoveryObjectives.evaluateRTO(PolicyDuration(seconds: 3600), drill: .init(passed: true, timeToReadySeconds: 600, ageSeconds: 60))
        #expect(verdict.status == .met)
        #expect(verdict.measuredSeconds == 600)
    }

    @Test("RTO not met", arguments: [
        (3600.0, false, 600.0, "the last drill failed", StrategyTier.baseBackupWithArchiving),
        (3600, true, 7200, "beyond the rto of 1h", .baseBackupWithArchiving),
        (120, true, 600, "needs a standby to promote, not a restore", .synchronousReplication),
        (900, true, 1000, "keep a standby", .standbyReplication),
    ])
    func rtoNotMet(rto: Double, passed: Bool, took: Double, text: String, tier: StrategyTier) {
        let verdict = RecoveryObjectives.evaluateRTO(PolicyDuration(seconds: rto), drill: .init(passed: passed, timeToReadySeconds: took, ageSeconds: 1))
        #expect(verdict.status == .notMet)
        #expect((verdict.reason + " " + (verdict.recommendation ?? "")).contains(text), "\(verdict)")
        #expect(verdict.requiredTier == tier)
    }

    @Test("RTO never measured is not met")
    func rtoNeverMeasured() {
        let verdict = RecoveryObjectives.evaluateRTO(PolicyDuration(seconds: 3600), drill: nil)
        #expect(verdict.status == .notMet)
        #expect(verdict.recommendation?.contains("lifeboat drill") == true)
    }

    @Test("freshness: met, stale, absent, not set")
    func freshness() {
        let day = PolicyDuration(seconds: 90_000)
        #expect(RecoveryObjectives.evaluateFreshness("backup freshness", limit: day, ageSeconds: 3600, what: "backup").status == .met)
        let stale = RecoveryObjectives.evaluateFreshness("backup freshness", limit: day, ageSeconds: 100_000, what: "backup")
        #expect(stale.status == .notMet && stale.reason.contains("beyond 1d1h"))
        #expect(RecoveryObjectives.evaluateFreshness("drill freshness", limit: day, ageSeconds: nil, what: "drill").status == .notMet)
        #expect(RecoveryObjectives.evaluateFreshness("drill freshness", limit: nil, ageSeconds: 5, what: "drill").status == .notSet)
    }
}
