import Foundation

extension DrillReport {
    /// The drill as audit evidence: what was proven (backup, target, time-to-ready against the RTO)
    /// and which checks failed; the full result stays in the drill record the event points to.
    var auditEvent: AuditEvent {
        var details: [String: String] = [
            "target": target,
            "timeToReadySeconds": String(format: "%.3f", timeToReadySeconds),
            "restoreSeconds": String(format: "%.3f", restoreSeconds),
            "recoverySeconds": String(format: "%.3f", recoverySeconds),
        ]
        if let rtoSeconds { details["rtoSeconds"] = String(format: "%.0f", rtoSeconds) }
        if let rtoMet { details["rtoMet"] = rtoMet ? "yes" : "no" }
        if let record { details["record"] = record }
        let failed = checks.filter { $0.outcome == .failed }
        return AuditEvent(
            command: "drill", outcome: outcome == .passed ? .ok : .failed, labels: [backupLabel],
            error: failed.isEmpty ? nil : failed.map { "\($0.name): \($0.message)" }.joined(separator: "; "),
            details: details)
    }
}
