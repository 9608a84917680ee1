import ArgumentParser
import LifeboatCore
import LifeboatEngine

struct MetricsCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Print the stanza's state in the Prometheus text exposition format.",
        discussion: """
            Gauges labelled by stanza and repo: newest backup per type (completion time, duration, sizes), archived \
            WAL segments, newest archived segment time, archive lag, the archiver's state, the newest drill (time, \
            success, time to ready), and the rpo/rto targets with whether they are met. With --output-file the file \
            is replaced atomically, for node_exporter's textfile collector; contrib/prometheus/alerts.yml has the \
            matching alerts.

            EXAMPLE (cron, every minute):
              lifeboat metrics --stanza main --repo-path /var/lib/lifeboat --output-file /var/lib/node_exporter/textfile/lifeboat-main.prom
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var postgres: PostgresOptions

    @Option(help: ArgumentHelp("Write to this file atomically instead of standard output (also output-file in the config file, LIFEBOAT_OUTPUT_FILE).", valueName: "path"))
    var outputFile: String?

    @Option(help: ArgumentHelp("Recovery point objective, e.g. 15m.", valueName: "duration"))
    var rpo: String?

    @Option(help: ArgumentHelp("Recovery time objective, e.g. 1h.", valueName: "duration"))
    var rto: String?

    @Option(help: ArgumentHelp("Limit on the newest backup's age, e.g. 25h.", valueName: "duration"))
    var backupMaxAge: String?

    @Option(help: ArgumentHelp("Limit on the newest drill's age, e.g. 8d.", valueName: "duration"))
    var drillMaxAge: String?

    var given: [String: String] {
        var given = common.given.merging(postgres.given) { $1 }
        given["rpo"] = rpo
        given["rto"] = rto
        given["backup-max-age"] = backupMaxAge
        given["drill-max-age"] = drillMaxAge
        given["output-file"] = outputFile
        return given
    }

    /// `--output-file`, LIFEBOAT_OUTPUT_FILE or `output-file` in the config file; nil: standard output.
    static func outputFile(_ options: ResolvedOptions) -> String? {
        guard let path = options.string("output-file"), !path.isEmpty else { return nil }
        return path
    }

    func run() async throws {
        let options = try ResolvedOptions.resolve(given: given, configFlag: common.config, environment: Environment.current())
        let format = try options.outputFormat
        if format == .json {
            // JSON: the same samples as objects {name, labels, value} (the file, if asked, stays exposition text).
            try await CommandRunner.run(format: .json, {
                MetricSample.parse(try await exposition(options))
            }, text: { _ in "" })
            return
        }
        try await CommandRunner.run(format: .text, {
            try await exposition(options)
        }, text: { $0 })
    }

    private func exposition(_ options: ResolvedOptions) async throws -> String {
        let context = try options.context(quietInfo: true)
        func duration(_ name: String) throws(LifeboatError) -> PolicyDuration? {
            try options.string(name).map { text throws(LifeboatError) in try PolicyDuration.parse(text, option: name) }
        }
        let text = try await MetricsCommand.run(context, options: MetricsOptions(
            rpo: try duration("rpo"), rto: try duration("rto"), backupMaxAge: try duration("backup-max-age"), drillMaxAge: try duration("drill-max-age")))
        if let outputFile = Self.outputFile(options) {
            try MetricsFile.write(text, to: outputFile)
            return ""
        }
        return text
    }
}
