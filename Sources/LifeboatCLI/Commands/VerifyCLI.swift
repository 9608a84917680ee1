import ArgumentParser
import LifeboatCore
import LifeboatEngine

struct VerifyCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the repository is intact: every stored file, backup reference and archived WAL segment.",
        discussion: """
            Runs without PostgreSQL. Hashes every stored file of every backup (or of --set) against the size and \
            SHA-256 recorded in its manifest, follows incremental references to the backup that stores the bytes, \
            decompresses every archived WAL file against the SHA-256 in its name, checks that each backup's WAL \
            (start to stop segment) is archived, and that the archive has no gap from the oldest backup to the end \
            of each timeline, with a .history file for every timeline switch. Each problem is one line naming the \
            file. Incomplete (abandoned) backups are warnings. Exit 0 only when everything checks; 17 when a \
            problem was found.

            EXAMPLES:
              lifeboat verify --stanza main --repo-path /var/lib/lifeboat
              lifeboat verify --stanza main --repo-path /var/lib/lifeboat --set 20261121-021500F --output json
            """)

    @OptionGroup var common: CommonOptions

    @Option(help: ArgumentHelp("Verify only this backup (and what it references and needs).", valueName: "label"))
    var set: String?

    @Option(help: ArgumentHelp("Parallel hashing workers (default 2).", valueName: "n"))
    var processMax: String?

    func run() async throws {
        var given = common.given
        given["process-max"] = processMax
        let options = try ResolvedOptions.resolve(given: given, configFlag: common.config, environment: Environment.current())
        var failed = false
        try await CommandRunner.run(format: try options.outputFormat, {
            let report = try await VerifyCommand.run(try options.context(), options: VerifyOptions(set: set))
            failed = !report.ok
            return report
        }, text: VerifyText.render)
        if failed { throw ExitCode(ExitCodes.verifyFailed) }
    }
}

enum VerifyText {
    static func render(_ report: VerifyReport) -> String {
        var lines: [String] = []
        for warning in report.warnings { lines.append("warning: \(warning.message)") }
        for problem in report.problems { lines.append("problem: \(problem.message)") }
        let scope = "\(report.backups.count) backup\(report.backups.count == 1 ? "" : "s"), \(report.files) stored files, \(report.walFiles) WAL files, \(Bytes.text(report.bytes)) read"
        lines.append(report.ok
            ? "verify: stanza \(report.stanza) is intact (\(scope))"
            : "verify: stanza \(report.stanza) has \(report.problems.count) problem\(report.problems.count == 1 ? "" : "s") (\(scope))")
        return lines.joined(separator: "\n")
    }
}
