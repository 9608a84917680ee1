import Foundation
import LifeboatCore

public enum TargetAction: String, Sendable, Codable, CaseIterable {
    case promote, pause, shutdown
}

/// The recovery block restore appends to postgresql.auto.conf (read last, so it wins over
/// postgresql.conf). A block from an earlier restore is replaced, never stacked.
struct RecoverySettings {
    static let begin = "# --- lifeboat restore: recovery settings (begin) ---"
    static let end = "# --- lifeboat restore: recovery settings (end) ---"

    var restoreCommand: String
    var target: RecoveryTarget
    var action: TargetAction?
    var exclusive: Bool
    var archiveModeOff: Bool
    var backupLabel: String

    /// The lines, PostgreSQL-quoted.
    func lines() -> [String] {
        var lines = [Self.begin, "# backup \(backupLabel), target \(RecoverySettings.describe(target))"]
        lines.append("restore_command = \(quote(restoreCommand))")
        var hasTarget = true
        switch target {
        case .endOfArchive: hasTarget = false
        case .immediate: lines.append("recovery_target = 'immediate'")
        case .time(let date): lines.append("recovery_target_time = \(quote(TargetTime.postgresText(date)))")
        case .lsn(let lsn): lines.append("recovery_target_lsn = \(quote(lsn.description))")
        case .xid(let xid): lines.append("recovery_target_xid = \(quote(String(xid)))")
        case .name(let name): lines.append("recovery_target_name = \(quote(name))")
        }
        if hasTarget {
            if let action { lines.append("recovery_target_action = \(quote(action.rawValue))") }
            if exclusive { lines.append("recovery_target_inclusive = false") }
        }
        if archiveModeOff { lines.append("archive_mode = 'off'") }
        lines.append(Self.end)
        return lines
    }

    /// `existing` with any earlier lifeboat block removed and this one appended.
    func merged(into existing: String) -> String {
        var kept: [Substring] = []
        var inside = false
        for line in existing.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == Self.begin { inside = true; continue }
            if line == Self.end { inside = false; continue }
            if !inside { kept.append(line) }
        }
        while let last = kept.last, last.isEmpty { kept.removeLast() }
        return (kept.map(String.init) + lines()).joined(separator: "\n") + "\n"
    }

    private func quote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }

    static func describe(_ target: RecoveryTarget) -> String {
        switch target {
        case .endOfArchive: return "end of archive"
        case .immediate: return "immediate (end of backup)"
        case .time(let date): return "time \(TargetTime.postgresText(date))"
        case .lsn(let lsn): return "lsn \(lsn)"
        case .xid(let xid): return "xid \(xid)"
        case .name(let name): return "restore point '\(name)'"
        }
    }

    /// A shell word: PostgreSQL runs restore_command through /bin/sh.
    static func shellQuote(_ word: String) -> String {
        if !word.isEmpty, word.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:@%+,".contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
