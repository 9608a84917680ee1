import ArgumentParser
import LifeboatCore
import LifeboatEngine

struct MetricsCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Print the stanza's state in the Prometheus text exposition format.",
        discussion: """
            Gauges labelled by stanza and repo (the repository's name, e.g. posix:/var/lib/lifeboat), for every \
            configured repository, each read on its own: newest backup per type (completion time, duration, sizes), archived \
            WAL segments, newest archived segment time, archive lag, the archiver's state, the newest drill (time, \
            success, time to ready), and the rpo/rto targets with whether they are met. With --output-file the file \
            is replaced atomically, for node_exporter's textfile collector; contrib/prometheus/alerts.yml has the \
            matching alerts. lifeboat_repository_up is 1 per repository read and 0 for one that could not be \
            read (also said on stderr); the others are still reported, and the exit code is 0 unless no \
            repository could be read at all.

            Without --stanza (nor LIFEBOAT_STANZA, nor stanza = under [global]) every stanza is reported: each \
            [<stanza>] section of the config file or, when there is none, every stanza found in the repositories \
            (exit 2 when there is none); --output json is then {"stanzas": [{"stanza", "samples"}]}.

            EXAMPLE (cron, every minute):
              lifeboat metrics --stanza main --repo-path /var/lib/lifeboat --output-file /var/lib/node_exporter/textfile/lifeboat-main.prom
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var postgres: PostgresOptions

    @Option(help: ArgumentHelp("Write to this file atomically instead of standard output (also output-file in the config file, LIFEBOAT_OUTPUT_FILE).", valueName: "path"))
    var outputFile: String?

    @OptionGroup var targets: RecoveryTargetFlags

    var given: [String: String] {
        var given = common.given.merging(postgres.given) { $1 }.merging(targets.given) { $1 }
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
            // JSON: the same samples as objects {name, labels, value} (the file, if asked, stays exposition
            // text); with every stanza reported, grouped: {"stanzas": [{"stanza", "samples"}]}.
            try await CommandRunner.run(format: .json, { () async throws -> MetricsJSON in
                let (text, stanzas) = try await exposition(options)
                let samples = MetricSample.parse(text)
                guard let stanzas else { return .single(samples) }
                return .several(stanzas.map { name in
                    MetricsJSON.Stanza(stanza: name, samples: samples.filter { $0.labels["stanza"] == name })
                })
            }, text: { _ in "" })
            return
        }
        try await CommandRunner.run(format: .text, {
            try await exposition(options).text
        }, text: { $0 })
    }

    /// The exposition (written to --output-file when given, then "") and the stanzas it covers when no
    /// stanza was given (nil: the one given stanza).
    private func exposition(_ options: ResolvedOptions) async throws -> (text: String, stanzas: [String]?) {
        let stanzas = try await options.reportedStanzas()
        var reported: [MetricsStanza] = []
        for scoped in stanzas.map({ $0.map(options.forStanza) }) ?? [options] {
            reported.append(MetricsStanza(context: try scoped.context(quietInfo: true), options: try scoped.recoveryTargets))
        }
        let text = try await MetricsCommand.run(reported)
        if let outputFile = Self.outputFile(options) {
            try MetricsFile.write(text, to: outputFile)
            return ("", stanzas)
        }
        return (text, stanzas)
    }
}

/// `metrics --output json`: the samples, grouped per stanza when every stanza is reported.
enum MetricsJSON: Encodable {
    struct Stanza: Encodable {
        let stanza: String
        let samples: [MetricSample]
    }

    case single([MetricSample])
    case several([Stanza])

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .single(let samples): try samples.encode(to: encoder)
        case .several(let stanzas):
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(stanzas, forKey: .stanzas)
        }
    }

    private enum Key: String, CodingKey { case stanzas }
}
