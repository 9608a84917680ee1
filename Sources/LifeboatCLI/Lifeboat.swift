import ArgumentParser
import LifeboatEngine

/// The `lifeboat` command line: one subcommand per job; all logic lives in LifeboatEngine.
public struct LifeboatCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "lifeboat",
        abstract: "PostgreSQL backup, WAL archiving and point-in-time recovery that proves it can restore.",
        discussion: """
            Every option can be a flag (--repo-path /x), an environment variable (LIFEBOAT_REPO_PATH=/x) or a \
            line in the config file (repo-path = /x under [global] or [<stanza>] in /etc/lifeboat/lifeboat.conf). \
            A flag wins over the environment, which wins over the file.

            Set-up in three steps:
              lifeboat init --stanza main --repo-path /var/lib/lifeboat
              postgresql.conf: archive_mode = on
                               archive_command = 'lifeboat archive-push --stanza main --repo-path /var/lib/lifeboat %p'
              lifeboat backup --stanza main --repo-path /var/lib/lifeboat --type full
            """,
        version: LifeboatVersion.current,
        subcommands: [
            InitCommand.self, ArchivePushCommand.self, ArchiveGetCommand.self, BackupCLI.self, InfoCLI.self, RestoreCLI.self, VerifyCLI.self,
            DrillCLI.self, CheckCLI.self, MetricsCLI.self, StatusCLI.self,
            ExpireCLI.self, PinCLI.self, UnpinCLI.self, AuditCLI.self,
            CipherRotateCommand.self,
        ])

    public init() {}
}

/// The executable's entry point. Parses and runs explicitly so the asynchronous `run()` of each
/// subcommand is awaited (top-level code would pick ArgumentParser's synchronous `main()`).
public enum LifeboatMain {
    public static func run() async -> Never {
        if let secret = SecretArguments.firstSecretFlag(in: Array(CommandLine.arguments.dropFirst())) {
            // The value is never echoed: it is a secret that should not have been typed here.
            StandardError.write("lifeboat: error: --\(secret) cannot be given on the command line (it would be visible in ps, shell history and archive_command) HINT: use the environment variable LIFEBOAT_\(secret.uppercased().replacingDashes()), the config file (mode 0600) or, for a passphrase, a pass file (--repo-cipher-pass-file)\n")
            LifeboatCommand.exit(withError: ExitCode(2))
        }
        do {
            var command = try LifeboatCommand.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            LifeboatCommand.exit()
        } catch {
            LifeboatCommand.exit(withError: error)
        }
    }
}
