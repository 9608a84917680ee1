import ArgumentParser
import LifeboatEngine

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the stanza in the repository for this cluster.",
        discussion: """
            Records the cluster's system identifier and major version; every later command refuses a \
            different cluster. Running it again for the same cluster changes nothing.

            EXAMPLE:
              lifeboat init --stanza main --repo-path /var/lib/lifeboat --pg-host /var/run/postgresql
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var postgres: PostgresOptions

    func run() async throws {
        let options = try ResolvedOptions.resolve(
            given: common.given.merging(postgres.given) { $1 }, configFlag: common.config, environment: Environment.current())
        try await CommandRunner.run(format: try options.outputFormat, {
            try await StanzaInit.runAll(try options.context(creatingCipherKey: true))
        }, text: { report in
            report.created
                ? "stanza '\(report.stanza)' created in \(report.repository) for cluster \(report.systemIdentifier) (PostgreSQL \(report.pgVersion / 10000))"
                : "stanza '\(report.stanza)' already exists for cluster \(report.systemIdentifier); nothing changed"
        })
    }
}
