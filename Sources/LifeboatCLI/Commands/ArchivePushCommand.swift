import ArgumentParser
import LifeboatEngine

struct ArchivePushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive-push",
        abstract: "Archive one WAL file (PostgreSQL's archive_command).",
        discussion: """
            Exits 0 only once the file is compressed, checksummed and durable in the repository. The same \
            file pushed again with identical content exits 0; different content under an archived name fails \
            (exit 15) and the archived copy is kept.

            EXAMPLE (postgresql.conf):
              archive_command = 'lifeboat archive-push --stanza main --repo-path /var/lib/lifeboat %p'
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var postgres: PostgresOptions
    @OptionGroup var transfer: TransferOptions

    @Argument(help: ArgumentHelp("The WAL file to archive (%p).", valueName: "path"))
    var walPath: String

    func run() async throws {
        let options = try ResolvedOptions.resolve(
            given: common.given.merging(postgres.given) { $1 }.merging(transfer.given) { $1 },
            configFlag: common.config, environment: Environment.current())
        try await CommandRunner.run(format: try options.outputFormat, {
            try await ArchivePush.runAll(try options.context(quietInfo: true), walPath: walPath)
        }, text: { _ in "" })
    }
}
