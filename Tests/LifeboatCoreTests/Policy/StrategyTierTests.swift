import LifeboatCore
import Testing

/// The reference guide's table, boundary by boundary.
@Suite("StrategyTier")
struct StrategyTierTests {
    @Test("RTO tiers", arguments: [
        (60.0, StrategyTier.synchronousReplication), (299, .synchronousReplication), (300, .standbyReplication),
        (1799, .standbyReplication), (1800, .baseBackupWithArchiving), (14_400, .baseBackupWithArchiving),
        (14_401, .dumpWithArchiving), (86_400, .dumpWithArchiving),
    ])
    func rto(seconds: Double, tier: StrategyTier) {
        #expect(StrategyTier.forRTO(PolicyDuration(seconds: seconds)) == tier)
    }

    @Test("RPO tiers", arguments: [
        (0.0, StrategyTier.synchronousReplication), (1, .standbyReplication), (299, .standbyReplication),
        (300, .baseBackupWithArchiving), (3600, .baseBackupWithArchiving), (3601, .dumpWithArchiving),
    ])
    func rpo(seconds: Double, tier: StrategyTier) {
        #expect(StrategyTier.forRPO(PolicyDuration(seconds: seconds)) == tier)
    }

    @Test("a pair of targets needs the more demanding tier; none set needs the least")
    func required() {
        let fourHours = PolicyDuration(seconds: 14_400), oneMinute = PolicyDuration(seconds: 60)
        #expect(StrategyTier.required(rto: fourHours, rpo: oneMinute) == .standbyReplication)
        #expect(StrategyTier.required(rto: oneMinute, rpo: fourHours) == .synchronousReplication)
        #expect(StrategyTier.required(rto: nil, rpo: fourHours) == .dumpWithArchiving)
        #expect(StrategyTier.required(rto: nil, rpo: nil) == .dumpWithArchiving)
    }
}
