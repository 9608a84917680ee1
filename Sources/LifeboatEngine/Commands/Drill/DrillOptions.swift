import Foundation
import LifeboatCore

public struct DrillOptions: Sendable {
    public enum Target: Sendable, Equatable {
        /// Replay every archived WAL segment, like a disaster restore.
        case endOfArchive
        case time(Date)
        /// A random moment inside the recoverable window.
        case random
    }

    public var set: String?
    public var target: Target
    /// SQL check files: each statement must return true.
    public var checkSQLFiles: [String]
    public var keep: Bool
    /// Where the scratch directory is created (must be reachable by the postgres OS user).
    public var drillPath: String
    public var rto: PolicyDuration?
    public var notifyCommand: String?
    /// Limit for the start and the WAL replay.
    public var timeoutSeconds: Double

    public init(set: String? = nil, target: Target = .endOfArchive, checkSQLFiles: [String] = [], keep: Bool = false,
                drillPath: String = "/tmp", rto: PolicyDuration? = nil, notifyCommand: String? = nil, timeoutSeconds: Double = 3600) {
        self.set = set
        self.target = target
        self.checkSQLFiles = checkSQLFiles
        self.keep = keep
        self.drillPath = drillPath
        self.rto = rto
        self.notifyCommand = notifyCommand
        self.timeoutSeconds = timeoutSeconds
    }
}
