import Foundation

/// Chooses the backup a restore starts from.
public enum BackupSelection {
    /// Newest backup (by stopLSN, then stopTime) that can reach the target:
    ///  .time(t): stopTime <= t;  .lsn(l): stopLSN <= l;  .xid(x): stopNextXid != nil && stopNextXid <= x
    ///  (a transaction whose id was not yet assigned at backup stop cannot have committed before it);
    ///  .name, .immediate, .endOfArchive: the newest backup.
    /// Recovery can only stop after the backup's end (the point where the copy becomes consistent),
    /// so a backup that ends after the target is useless for it.
    public static func choose(
        from backups: [BackupSummary], target: RecoveryTarget, stanza: String
    ) throws(LifeboatError) -> BackupSummary {
        guard !backups.isEmpty else {
            throw LifeboatError(
                .backupNotFound, "no backup in stanza '\(stanza)'",
                hint: "take one with `lifeboat backup --stanza \(stanza) --type full`")
        }
        let ordered = backups.sorted(by: BackupSummary.endsBefore)
        if let chosen = ordered.last(where: { canReach($0, target) }) { return chosen }

        // Nothing ends early enough: name the oldest candidate and where it ends.
        let oldest: BackupSummary
        let end: String
        let hint: String
        switch target {
        case .time:
            oldest = ordered[0]
            end = TargetTime.display(oldest.stopTime)
            hint = "choose a target time at or after \(end); see `lifeboat info` for the recoverable window"
        case .lsn:
            oldest = ordered[0]
            end = oldest.stopLSN.description
            hint = "choose a target lsn at or after \(end); see `lifeboat info` for the recoverable window"
        case .xid:
            // Backups without a recorded next xid can never serve an xid target; name the oldest that has one.
            if let withXid = ordered.first(where: { $0.stopNextXid != nil }), let next = withXid.stopNextXid {
                oldest = withXid
                end = "next xid \(next)"
                hint = "choose a target xid at or after \(next), or a target time or lsn; see `lifeboat info`"
            } else {
                oldest = ordered[0]
                end = "next xid not recorded"
                hint = "no backup records its next transaction id; use --target-time or --target-lsn instead"
            }
        case .name, .immediate, .endOfArchive:
            // canReach accepts every backup for these; kept for exhaustiveness.
            throw LifeboatError(.internal, "no backup selected for recovery target \(target) in stanza '\(stanza)'")
        }
        throw LifeboatError(
            .targetOutOfRange,
            "recovery target \(target) is before the end of the oldest backup '\(oldest.label)' (\(end))", hint: hint)
    }

    static func canReach(_ backup: BackupSummary, _ target: RecoveryTarget) -> Bool {
        switch target {
        case .time(let time): return backup.stopTime <= time
        case .lsn(let lsn): return backup.stopLSN <= lsn
        case .xid(let xid): return backup.stopNextXid.map { $0 <= xid } ?? false
        case .name, .immediate, .endOfArchive: return true
        }
    }
}
