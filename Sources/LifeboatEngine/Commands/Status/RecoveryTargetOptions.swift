import LifeboatCore

/// The targets the business wrote down (`rpo`, `rto`) and the freshness limits (`backup-max-age`,
/// `drill-max-age`) that `status` and `metrics` measure the repository against.
public struct RecoveryTargetOptions: Sendable {
    public var rpo: PolicyDuration?
    public var rto: PolicyDuration?
    public var backupMaxAge: PolicyDuration?
    public var drillMaxAge: PolicyDuration?

    public init(rpo: PolicyDuration? = nil, rto: PolicyDuration? = nil, backupMaxAge: PolicyDuration? = nil, drillMaxAge: PolicyDuration? = nil) {
        self.rpo = rpo
        self.rto = rto
        self.backupMaxAge = backupMaxAge
        self.drillMaxAge = drillMaxAge
    }
}
