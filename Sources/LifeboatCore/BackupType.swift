/// pgBackRest's backup types: a full copy, a differential against the last full, or an
/// incremental against the last backup of any type.
public enum BackupType: String, Codable, Sendable, CaseIterable {
    case full, diff, incr
}
