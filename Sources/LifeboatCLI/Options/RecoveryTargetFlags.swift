import ArgumentParser
import LifeboatCore
import LifeboatEngine

/// `--rpo`, `--rto`, `--backup-max-age`, `--drill-max-age`: what `status` and `metrics` measure against.
struct RecoveryTargetFlags: ParsableArguments {
    @Option(help: ArgumentHelp("Recovery point objective, e.g. 15m.", valueName: "duration"))
    var rpo: String?

    @Option(help: ArgumentHelp("Recovery time objective, e.g. 1h.", valueName: "duration"))
    var rto: String?

    @Option(help: ArgumentHelp("Limit on the newest backup's age, e.g. 25h.", valueName: "duration"))
    var backupMaxAge: String?

    @Option(help: ArgumentHelp("Limit on the newest drill's age, e.g. 8d.", valueName: "duration"))
    var drillMaxAge: String?

    var given: [String: String] {
        var given: [String: String] = [:]
        given["rpo"] = rpo
        given["rto"] = rto
        given["backup-max-age"] = backupMaxAge
        given["drill-max-age"] = drillMaxAge
        return given
    }
}

extension ResolvedOptions {
    /// A duration option (`15m`, `25h`, `8d`…) from flag, environment or config file; nil when unset.
    func duration(_ name: String) throws(LifeboatError) -> PolicyDuration? {
        try string(name).map { text throws(LifeboatError) in try PolicyDuration.parse(text, option: name) }
    }

    /// The written targets and freshness limits of this stanza.
    var recoveryTargets: RecoveryTargetOptions {
        get throws(LifeboatError) {
            RecoveryTargetOptions(
                rpo: try duration("rpo"), rto: try duration("rto"), backupMaxAge: try duration("backup-max-age"),
                drillMaxAge: try duration("drill-max-age"))
        }
    }
}
