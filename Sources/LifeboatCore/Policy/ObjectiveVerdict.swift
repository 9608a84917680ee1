/// One line of `lifeboat status`: a written target next to what was measured.
public struct ObjectiveVerdict: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable {
        case met = "MET"
        case notMet = "NOT MET"
        /// No target written down: nothing to compare against.
        case notSet = "NOT SET"
    }

    /// "rpo", "rto", "backup freshness", "drill freshness".
    public var objective: String
    public var status: Status
    /// The target in seconds, when one is set.
    public var targetSeconds: Double?
    /// The measured value in seconds, when there is one.
    public var measuredSeconds: Double?
    /// Why, in one line.
    public var reason: String
    /// When not met: the strategy tier the target needs, from the reference table.
    public var requiredTier: StrategyTier?
    /// When not met: what to change.
    public var recommendation: String?

    public init(objective: String, status: Status, targetSeconds: Double?, measuredSeconds: Double?, reason: String,
                requiredTier: StrategyTier? = nil, recommendation: String? = nil) {
        self.objective = objective
        self.status = status
        self.targetSeconds = targetSeconds
        self.measuredSeconds = measuredSeconds
        self.reason = reason
        self.requiredTier = requiredTier
        self.recommendation = recommendation
    }
}
