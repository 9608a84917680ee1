import Foundation

/// Where point-in-time recovery should stop (PostgreSQL's recovery_target_* settings).
public enum RecoveryTarget: Sendable, Equatable {
    case endOfArchive                 // no target: replay all archived WAL
    case immediate                    // stop as soon as consistent
    case time(Date)
    case lsn(LSN)
    case xid(UInt64)
    case name(String)
}

extension RecoveryTarget: CustomStringConvertible {
    /// How messages name the target: "time '2026-11-21 12:34:56+00'", "lsn '0/3000000'", "xid '742'",
    /// "name 'before-upgrade'", "immediate", "end of archive".
    public var description: String {
        switch self {
        case .endOfArchive: return "end of archive"
        case .immediate: return "immediate"
        case .time(let date): return "time '\(TargetTime.display(date))'"
        case .lsn(let lsn): return "lsn '\(lsn)'"
        case .xid(let xid): return "xid '\(xid)'"
        case .name(let name): return "name '\(name)'"
        }
    }
}
