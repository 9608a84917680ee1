import ArgumentParser
import LifeboatCore
import LifeboatEngine

struct ArchiveGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive-get",
        abstract: "Fetch one archived WAL file (PostgreSQL's restore_command).",
        discussion: """
            Writes the decompressed, checksum-verified file to the destination. Exit 1 when the file is not \
            in the archive (PostgreSQL's end of archive). Any other failure (repository unreachable, corrupt \
            or checksum mismatch) exits 126 so PostgreSQL stops recovery rather than promoting early.

            EXAMPLE (written by `lifeboat restore` into postgresql.auto.conf):
              restore_command = 'lifeboat archive-get --stanza main --repo-path /var/lib/lifeboat %f "%p"'
            """)

    @OptionGroup var common: CommonOptions

    @Argument(help: ArgumentHelp("WAL file name (%f).", valueName: "wal-name"))
    var walName: String

    @Argument(help: ArgumentHelp("Where to write it (%p).", valueName: "destination"))
    var destination: String

    func run() async throws {
        let environment = Environment.current()
        let options: ResolvedOptions
        let format: OutputFormat
        do {
            options = try ResolvedOptions.resolve(given: common.given, configFlag: common.config, environment: environment)
            format = try options.outputFormat
        } catch {
            try CommandRunner.fail(error, format: .text, exitCode: ExitCodes.archiveGetFatal)
        }
        try await CommandRunner.run(format: format, exitCode: { _ in ExitCodes.archiveGetFatal }, {
            let context = try options.context(quietInfo: true)
            let report = try await ArchiveGet.runWithFallback(context, walName: walName, destination: destination)
            if !report.found {
                context.logger.debug("'\(walName)' is not in the archive")
                if format == .json { StandardOutput.write(try JSONOutput.encode(report) + "\n") }
                throw ExitCode(ExitCodes.archiveGetAbsent)
            }
            return report
        }, text: { _ in "" })
    }
}
