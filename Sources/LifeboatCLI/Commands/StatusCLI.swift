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

            Without --stanza (nor LIFEBOAT_STANZA, nor stanza = under [global]) every stanza is reported: each \
            [<stanza>] section of the config file or, when there is none, every stanza found in the repositories; \
            the JSON is then {"stanzas": [...]}, one report per stanza ({"stanza", "error"} for one that cannot be \
            read, which also makes the exit code that error's once all are printed).

            EXAMPLE:
              lifeboat status --stanza main --rpo 15m --rto 1h --backup-max-age 25h --drill-max-age 8d
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var postgres: PostgresOptions

    @OptionGroup var targets: RecoveryTargetFlags

    func run() async throws {
        let given = common.given.merging(postgres.given) { $1 }.merging(targets.given) { $1 }
        let options = try ResolvedOptions.resolve(given: given, configFlag: common.config, environment: Environment.current())
        let format = try options.outputFormat
        var failure: Int32?
        try await CommandRunner.run(format: format, { () async throws -> StatusOutput in
            guard let stanzas = try await options.reportedStanzas() else {
                return .single(try await Self.report(options))
            }
            // Every stanza: one that cannot be read is shown as such, and sets the exit code once all are printed.
            var entries: [StanzaStatus] = []
            for stanza in stanzas {
                do {
                    entries.append(StanzaStatus(stanza: stanza, report: try await Self.report(options.forStanza(stanza)), error: nil))
                } catch {
                    let error = (error as? LifeboatError) ?? LifeboatError(.internal, "unexpected failure: \(error)")
                    StandardError.write("lifeboat: error: stanza '\(stanza)': \(error.description)\n")
                    failure = failure ?? ExitCodes.code(for: error)
                    entries.append(StanzaStatus(stanza: stanza, report: nil, error: error.description))
                }
            }
            return .several(entries)
        }, text: StatusText.render)
        if let failure { throw ExitCode(failure) }
    }

    private static func report(_ options: ResolvedOptions) async throws -> StatusReport {
        try await StatusCommand.run(try options.context(quietInfo: true), options: try options.recoveryTargets)
    }
}

/// One stanza of `status` without --stanza: its report, or why it could not be read.
struct StanzaStatus: Encodable {
    let stanza: String
    let report: StatusReport?
    let error: String?

    func encode(to encoder: any Encoder) throws {
        if let report { return try report.encode(to: encoder) }
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(stanza, forKey: .stanza)
        try container.encode(error ?? "unknown failure", forKey: .error)
    }

    private enum Key: String, CodingKey { case stanza, error }
}

/// A single stanza's report as before, or `{"stanzas": [...]}` when every stanza is reported.
enum StatusOutput: Encodable {
    case single(StatusReport)
    case several([StanzaStatus])

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .single(let report): try report.encode(to: encoder)
        case .several(let entries):
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(entries, forKey: .stanzas)
        }
    }

    private enum Key: String, CodingKey { case stanzas }
}

enum StatusText {
    static func render(_ output: StatusOutput) -> String {
        switch output {
        case .single(let report): return render(report)
        case .several(let entries):
            return entries.map { entry in
                entry.report.map(render) ?? "stanza: \(entry.stanza)\n    error: \(entry.error ?? "unknown failure")"
            }.joined(separator: "\n\n")
        }
    }

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
