/// The minimum strategy a pair of recovery targets needs, after the reference table of the
/// disaster-recovery guide ("RTO Target / RPO Target / Minimum Required Strategy"):
///
///     RTO < 5 min       RPO zero      synchronous streaming replication + automatic failover
///     RTO 5–30 min      RPO < 5 min   async streaming replication + WAL archiving + pre-promoted standby
///     RTO 30 min–4 h    RPO < 1 h     physical base backup + WAL archiving for PITR
///     RTO > 4 h         RPO > 1 h     daily dump + WAL archiving (minimum viable)
///
/// The tiers are ordered from most to least demanding; a pair of targets needs the more demanding
/// of the tier its RTO needs and the tier its RPO needs.
public enum StrategyTier: String, Sendable, Codable, CaseIterable, Comparable {
    case synchronousReplication
    case standbyReplication
    case baseBackupWithArchiving
    case dumpWithArchiving

    /// Most demanding first.
    var rank: Int { Self.allCases.firstIndex(of: self)! }

    public static func < (lhs: StrategyTier, rhs: StrategyTier) -> Bool { lhs.rank < rhs.rank }

    /// The tier an RTO needs: below 5 minutes there is no time to restore anything, only to fail over.
    public static func forRTO(_ rto: PolicyDuration) -> StrategyTier {
        switch rto.seconds {
        case ..<300: return .synchronousReplication
        case ..<1800: return .standbyReplication
        case ...14_400: return .baseBackupWithArchiving
        default: return .dumpWithArchiving
        }
    }

    /// The tier an RPO needs: below 5 minutes WAL must leave the server continuously (streaming);
    /// below an hour archived WAL (with a bounded archive_timeout) suffices.
    public static func forRPO(_ rpo: PolicyDuration) -> StrategyTier {
        switch rpo.seconds {
        case ...0: return .synchronousReplication
        case ..<300: return .standbyReplication
        case ...3600: return .baseBackupWithArchiving
        default: return .dumpWithArchiving
        }
    }

    /// The more demanding of the two.
    public static func required(rto: PolicyDuration?, rpo: PolicyDuration?) -> StrategyTier {
        let tiers = [rto.map(forRTO), rpo.map(forRPO)].compactMap { $0 }
        return tiers.min() ?? .dumpWithArchiving
    }

    public var summary: String {
        switch self {
        case .synchronousReplication: return "synchronous streaming replication with automatic failover (Patroni, repmgr)"
        case .standbyReplication: return "asynchronous streaming replication plus WAL archiving and a pre-promoted standby"
        case .baseBackupWithArchiving: return "physical base backups plus continuous WAL archiving for point-in-time recovery"
        case .dumpWithArchiving: return "daily backups plus WAL archiving (minimum viable)"
        }
    }
}
