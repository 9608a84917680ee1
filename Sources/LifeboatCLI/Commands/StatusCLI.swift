import ArgumentParser
import LifeboatCore
import LifeboatEngine

struct StatusCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "The written RPO and RTO next to what is measured: MET or NOT MET, and what it would take.",
        discussion: """
            RPO: the worst-case data loss now (age of WAL not yet archived; 0 when everything is archived), with \
            archive_timeout bounding it on a quiet server (below 5 minutes: archive_timeout ≤ 60 s or streaming). \
            RTO: the newest drill's measured time to ready. Also the age of the newest backup (backup-max-age) and \
            drill (drill-max-age). When a target is not met, the strategy tier it needs is named after the \
            reference table (RTO under 5 minutes: a standby, not a restore). Exit 0 either way: use `lifeboat check` \
            for alerting exit codes.

            EXAMPLE:
              lifeboat status --stanza main --rpo 15m --rto 1h --backup-max-age 25h --drill-max-age 8d
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var postgres: PostgresOptions

    @Option(help: ArgumentHelp("Recovery point objective, e.g. 15m.", valueName: "duration"))
    var rpo: String?

    @Option(help: ArgumentHelp("Recovery time objective, e.g. 1h.", valueName: "duration"))
    var rto: String?

    @Option(help: ArgumentHelp("Limit on the newest backup's age, e.g. 25h.", valueName: "duration"))
    var backupMaxAge: String?

    @Option(help: ArgumentHelp("Limit on the newest drill's age, e.g. 8d.", valueName: "duration"))
    var drillMaxAge: String?

    func run() async throws {
        var given = common.given.merging(postgres.given) { $1 }
        given["rpo"] = rpo
        given["rto"] = rto
        given["backup-max-age"] = backupMaxAge
        given["drill-max-age"] = drillMaxAge
        let options = try ResolvedOptions.resolve(given: given, configFlag: common.config, environment: Environment.current())
        try await CommandRunner.run(format: try options.outputFormat, {
            let context = try options.context(quietInfo: true)
            func duration(_ name: String) throws(LifeboatError) -> PolicyDuration? {
                try options.string(name).map { text throws(LifeboatError) in try PolicyDuration.parse(text, option: name) }
            }
            return try await StatusCommand.run(context, options: StatusOptions(
                rpo: try duration("rpo"), rto: try duration("rto"), backupMaxAge: try duration("backup-max-age"), drillMaxAge: try duration("drill-max-age")))
        }, text: StatusText.render)
    }
}

enum StatusText {
    static func render(_ report: StatusReport) -> String {
        func duration(_ seconds: Double?) -> String { seconds.map(PolicyDuration.format) ?? "unknown" }
        let measured = report.measured
        var lines = [
            "stanza: \(report.stanza) (\(report.repository))",
            "    targets: rpo \(report.rpoSeconds.map(PolicyDuration.format) ?? "not set"), rto \(report.rtoSeconds.map(PolicyDuration.format) ?? "not set")",
            "    worst-case data loss now: \(duration(measured.worstCaseLossSeconds)) (last archived segment \(duration(measured.secondsSinceLastArchived)) ago, "
                + "archive_timeout \(measured.archiveTimeoutSeconds.map { $0 == 0 ? "disabled" : PolicyDuration.format($0) } ?? "unknown: PostgreSQL unreachable"))",
            "    last drill: " + (measured.lastDrillTimeToReadySeconds.map {
                "\(measured.lastDrillPassed == true ? "passed" : "FAILED"), ready in \(PolicyDuration.format($0)), \(duration(measured.lastDrillAgeSeconds)) ago"
            } ?? "none"),
            "    newest backup: " + (measured.newestBackup.map { "\($0), \(duration(measured.newestBackupAgeSeconds)) old" } ?? "none"),
        ]
        for objective in report.objectives {
            lines.append("    \(objective.objective): \(objective.status.rawValue) — \(objective.reason)")
            if let recommendation = objective.recommendation { lines.append("        recommendation: \(recommendation)") }
        }
        if let strategy = report.requiredStrategy { lines.append("    the targets together need: \(strategy)") }
        return lines.joined(separator: "\n")
    }
}
