/// The retention options of one repository. Every rule is optional; with none set, expire removes nothing.
///
/// How the rules combine (one sentence each, so an operator can predict the result):
/// - `retention-full` N and `retention-window` are horizons: a backup outside every configured horizon
///   goes, with everything that depends on it. With both set, the longer of the two wins.
/// - `retention-diff` N removes differential backups older than the N newest ones, with the incremental
///   backups that depend on them; full backups are not counted.
/// - `retention-min-full` N, active pins and the backup the window starts from are never removed,
///   nor anything they depend on, whatever the other rules say.
public struct RetentionPolicy: Sendable, Equatable {
    public var full: Int?
    public var diff: Int?
    public var window: RetentionWindow?
    public var minFull: Int?

    public init(full: Int? = nil, diff: Int? = nil, window: RetentionWindow? = nil, minFull: Int? = nil) {
        self.full = full
        self.diff = diff
        self.window = window
        self.minFull = minFull
    }

    /// No rule that removes anything is set (min-full alone only protects).
    public var removesNothing: Bool { full == nil && diff == nil && window == nil }
}
