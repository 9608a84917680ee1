import ArgumentParser
import LifeboatCore
import LifeboatEngine

struct CheckCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "One-shot health check with Nagios exit codes: 0 OK, 1 WARNING, 2 CRITICAL.",
        discussion: """
            One line per check: configuration valid; repository reachable and writable (a probe file written and \
            removed), one line per configured repository; PostgreSQL reachable and the stanza's cluster; wal_level, archive_mode and archive_command \
            calling `lifeboat archive-push` for this stanza (named by its --stanza, a LIFEBOAT_STANZA= prefix, or the \
            stanza of the config file its --config names; a command naming none is OK when the end-to-end check \
            sees its WAL land in this stanza, CRITICAL when it names another); archiving end to end (writes a WAL record, forces a \
            WAL switch and waits up to --archive-timeout for the segment to reach every repository); \
            pg_stat_archiver's failed count not increasing and unarchived WAL younger than `rpo`; newest backup \
            younger than `backup-max-age`; newest drill passed and younger than `drill-max-age`.

            An unset rpo, backup-max-age or drill-max-age skips that comparison (the line says so); no backup at \
            all is CRITICAL; no drill is WARNING when drill-max-age is set. A failed newest drill is CRITICAL, a \
            stale one WARNING.

            EXAMPLE:
              lifeboat check --stanza main --repo-path /var/lib/lifeboat --backup-max-age 25h --drill-max-age 8d --rpo 15m
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var postgres: PostgresOptions

    @Option(help: ArgumentHelp("Recovery point objective, e.g. 15m (also a per-stanza config option).", valueName: "duration"))
    var rpo: String?

    @Option(help: ArgumentHelp("Newest backup must be younger than this, e.g. 25h.", valueName: "duration"))
    var backupMaxAge: String?

    @Option(help: ArgumentHelp("Newest drill must be younger than this, e.g. 8d.", valueName: "duration"))
    var drillMaxAge: String?

    @Option(help: ArgumentHelp("How long to wait for the forced WAL switch to be archived (default 60s).", valueName: "duration"))
    var archiveTimeout: String?

    func run() async throws {
        var given = common.given.merging(postgres.given) { $1 }
        given["rpo"] = rpo
        given["backup-max-age"] = backupMaxAge
        given["drill-max-age"] = drillMaxAge
        given["archive-timeout"] = archiveTimeout
        var format = OutputFormat.text
        if let text = common.output ?? Environment.current()["LIFEBOAT_OUTPUT"], let chosen = OutputFormat(rawValue: text) { format = chosen }
        var report: CheckReport
        do {
            let options = try ResolvedOptions.resolve(given: given, configFlag: common.config, environment: Environment.current())
            format = try options.outputFormat
            let context = try options.context(quietInfo: true)
            let check = CheckOptions(rpo: try options.duration("rpo"), backupMaxAge: try options.duration("backup-max-age"),
                                     drillMaxAge: try options.duration("drill-max-age"),
                                     archiveTimeoutSeconds: try options.duration("archive-timeout")?.seconds ?? 60,
                                     stanzaInConfigFile: { ResolvedOptions.stanzaInConfigFile($0) })
            let configuration = CheckLine(name: "configuration", status: .ok, message: "options valid for stanza '\(context.stanza)'")
            report = CheckReport(stanza: context.stanza, checks: [configuration] + (await CheckCommand.run(context, options: check)))
        } catch {
            let message = error.description
            report = CheckReport(stanza: common.stanza ?? "", checks: [CheckLine(name: "configuration", status: .critical, message: message)])
        }
        switch format {
        case .json: StandardOutput.write(try JSONOutput.encode(report) + "\n")
        case .text: StandardOutput.write(CheckText.render(report) + "\n")
        }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}

enum CheckText {
    static func render(_ report: CheckReport) -> String {
        report.checks.map { "\($0.status.rawValue) \($0.name): \($0.message)" }.joined(separator: "\n")
    }
}
