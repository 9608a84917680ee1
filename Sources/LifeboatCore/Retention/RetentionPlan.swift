/// What expire removes and why. Pure data: the engine carries it out, `--dry-run` prints it.
public struct RetentionPlan: Sendable, Equatable, Codable {
    public struct BackupRemoval: Sendable, Equatable, Codable {
        public var label: String
        public var type: BackupType
        /// The option that removes it: "retention-full", "retention-diff", "retention-window",
        /// "retention-full, retention-window", or the rule of the backup it depends on.
        public var rule: String
        /// One line for the operator, e.g. "older than the 2 newest full backups".
        public var reason: String
    }

    /// A run of consecutive archived segments on one timeline that nothing retained needs.
    public struct WALRemoval: Sendable, Equatable, Codable {
        public var timeline: UInt32
        public var firstSegment: UInt64
        public var lastSegment: UInt64
        /// Archived segments in the run.
        public var count: Int
        public var reason: String
    }

    /// Backups to remove, oldest first.
    public var backups: [BackupRemoval]
    /// Backups kept, oldest first.
    public var kept: [String]
    /// Archived WAL to remove, by timeline then segment.
    public var wal: [WALRemoval]
    /// Timelines whose `.history` file no retained backup can reach.
    public var historyTimelines: [UInt32]
    /// Things the operator should know (no policy configured, an expired pin, unknown ancestry...).
    public var notes: [String]

    public init(backups: [BackupRemoval] = [], kept: [String] = [], wal: [WALRemoval] = [], historyTimelines: [UInt32] = [], notes: [String] = []) {
        self.backups = backups
        self.kept = kept
        self.wal = wal
        self.historyTimelines = historyTimelines
        self.notes = notes
    }

    /// Whether archived segment `number` of `timeline` is planned for removal.
    public func removesSegment(timeline: UInt32, number: UInt64) -> Bool {
        wal.contains { $0.timeline == timeline && $0.firstSegment <= number && number <= $0.lastSegment }
    }

    public var isEmpty: Bool { backups.isEmpty && wal.isEmpty && historyTimelines.isEmpty }
}
