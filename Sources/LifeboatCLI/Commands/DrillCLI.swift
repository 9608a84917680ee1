import ArgumentParser
import LifeboatCore
import LifeboatEngine

struct DrillCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill",
        abstract: "Prove a backup restores: restore, start, check and time it in a scratch directory.",
        discussion: """
            Restores the newest backup (or --set) into a scratch directory under --drill-path, starts a throwaway \
            PostgreSQL on it (unix socket in a private directory, no TCP, archive_mode off), waits until recovery \
            reaches the target and promotes, then checks: out of recovery, stopped at the target, every database \
            accepts connections, pg_amcheck --all (when amcheck is available), each --check-sql query returns true, \
            and after a clean stop pg_checksums --check (when the cluster has checksums). It times restore, WAL \
            replay and time-to-ready against `rto`, removes the scratch directory (unless --keep), records the \
            result as <stanza>/drill/<time>.json in the repository and, when a check fails, runs notify-command \
            with the JSON on stdin and exits 60. As root, PostgreSQL runs as the 'postgres' OS user.

            notify-command runs through /bin/sh -c (as PostgreSQL runs archive_command), so redirections and \
            pipes work: notify-command = cat > /var/spool/lifeboat/drill.json, or mail -s drill ops@example.com.

            EXAMPLES:
              lifeboat drill --stanza main --repo-path /var/lib/lifeboat --random-target --check-sql /etc/lifeboat/checks.sql
              lifeboat drill --stanza main --set 20261121-021500F --rto 30m --output json
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var postgres: PostgresOptions
    @OptionGroup var transfer: TransferOptions

    @Option(help: ArgumentHelp("Drill this backup instead of the newest one.", valueName: "label"))
    var set: String?

    @Option(help: ArgumentHelp("Recover to this time: 'YYYY-MM-DD HH:MM:SS[.ffffff][+ZZ]' (default: the end of the archive).", valueName: "time"))
    var targetTime: String?

    @Flag(help: "Recover to a random moment inside the recoverable window.")
    var randomTarget = false

    @Option(help: ArgumentHelp("A file of SQL queries (';'-separated), each of which must return true (repeatable; in the config file or LIFEBOAT_CHECK_SQL, several files are separated by commas).", valueName: "file"))
    var checkSql: [String] = []

    @Flag(help: "Keep the scratch directory (the server is stopped all the same; also keep = y in the config file, LIFEBOAT_KEEP=y).")
    var keep = false

    @Option(help: ArgumentHelp("Directory for the scratch directory; the postgres OS user must reach it (default /tmp).", valueName: "path"))
    var drillPath: String?

    @Option(help: ArgumentHelp("Recovery time objective, e.g. 30m or 1h (also a per-stanza config option).", valueName: "duration"))
    var rto: String?

    @Option(help: ArgumentHelp("Program run with the drill's JSON on stdin when the drill fails.", valueName: "command"))
    var notifyCommand: String?

    @Option(help: ArgumentHelp("Give up on start-up and WAL replay after this long (default 1h).", valueName: "duration"))
    var drillTimeout: String?

    var given: [String: String] {
        var given = common.given.merging(postgres.given) { $1 }.merging(transfer.given) { $1 }
        given["drill-path"] = drillPath
        given["rto"] = rto
        given["notify-command"] = notifyCommand
        given["drill-timeout"] = drillTimeout
        if keep { given["keep"] = "y" }
        return given
    }

    func run() async throws {
        let options = try ResolvedOptions.resolve(given: given, configFlag: common.config, environment: Environment.current())
        var failed: DrillReport?
        try await CommandRunner.run(format: try options.outputFormat, {
            let context = try options.context()
            guard [targetTime != nil, randomTarget, set != nil].filter({ $0 }).count <= 1 else {
                throw LifeboatError(.invalidArgument, "give at most one of --set, --target-time and --random-target")
            }
            var target = DrillOptions.Target.endOfArchive
            if let targetTime { target = .time(try TargetTime.parse(targetTime, defaultOffsetSeconds: Environment.localUTCOffsetSeconds())) }
            if randomTarget { target = .random }
            let drill = DrillOptions(
                set: set, target: target,
                checkSQLFiles: DrillCheckFiles.resolve(flags: checkSql, options),
                keep: try options.bool("keep", flag: keep),
                drillPath: options.string("drill-path") ?? "/tmp",
                rto: try options.duration("rto"),
                notifyCommand: options.string("notify-command"),
                timeoutSeconds: try options.duration("drill-timeout")?.seconds ?? 3600)
            let report = try await DrillCommand.run(context, options: drill)
            if report.outcome == .failed { failed = report }
            return report
        }, text: DrillText.render)
        if let failed {
            let first = failed.failedChecks.first.map { "\($0.name): \($0.message)" } ?? "the server never became ready"
            StandardError.write("lifeboat: error: drill of backup '\(failed.backupLabel)' failed: \(first)\n")
            throw ExitCode(ExitCodes.drillFailed)
        }
    }
}

/// The `check-sql` files: the repeated `--check-sql` flags when given; else LIFEBOAT_CHECK_SQL or
/// `check-sql` in the config file, one value naming several files separated by commas (blank entries
/// and spaces around the commas are ignored).
enum DrillCheckFiles {
    static func resolve(flags: [String], _ options: ResolvedOptions) -> [String] {
        guard flags.isEmpty else { return flags }
        guard let value = options.string("check-sql") else { return [] }
        return value.split(separator: ",").map { $0.trimmedOf(" \t") }.filter { !$0.isEmpty }
    }
}

enum DrillText {
    static func render(_ report: DrillReport) -> String {
        var lines = [
            "drill \(report.outcome == .passed ? "PASSED" : "FAILED"): backup \(report.backupLabel) to \(report.target)",
            "    restore \(Seconds.text(report.restoreSeconds)), recovery \(Seconds.text(report.recoverySeconds)), time to ready \(Seconds.text(report.timeToReadySeconds))"
                + (report.rtoSeconds.map { " (rto \(PolicyDuration.format($0)): \(report.rtoMet == true ? "met" : "NOT met"))" } ?? ""),
        ]
        for check in report.checks {
            lines.append("    [\(check.outcome.rawValue)] \(check.name): \(check.message)")
        }
        lines.append("    recorded: \(report.record ?? "not recorded")" + (report.kept ? "; scratch kept in \(report.scratchDirectory)" : ""))
        return lines.joined(separator: "\n")
    }
}
