import ArgumentParser
import LifeboatCore
import LifeboatEngine
import LifeboatStorage

struct CipherRotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cipher-rotate",
        abstract: "Change the passphrase of an encrypted stanza without rewriting its data.",
        discussion: """
            Opens the stanza's key file with the current passphrase (as every command does: \
            LIFEBOAT_REPO_CIPHER_PASS, repo-cipher-pass in the config file, or --repo-cipher-pass-file) and \
            rewraps the same master key under the new one, taken from LIFEBOAT_REPO_CIPHER_PASS_NEW or \
            --new-pass-file (mode 0600). The key file is replaced atomically once the new one is durable: \
            after a crash exactly one of the two passphrases works (the old one until the replacement is \
            published, the new one after). Afterwards the old passphrase is refused; update the config file, \
            pass files and environment of every host (archive_command, restore_command) at once.

            EXAMPLE:
              LIFEBOAT_REPO_CIPHER_PASS_NEW="$(cat /root/new.pass)" \\
                lifeboat cipher-rotate --stanza main --config /etc/lifeboat/lifeboat.conf
            """)

    @OptionGroup var common: CommonOptions

    @Option(help: ArgumentHelp("File (mode 0600) whose first line is the new passphrase.", valueName: "path"))
    var newPassFile: String?

    func run() async throws {
        let environment = Environment.current()
        let options = try ResolvedOptions.resolve(given: common.given, configFlag: common.config, environment: environment)
        try await CommandRunner.run(format: try options.outputFormat, {
            let newPassphrase: CipherPassphrase
            if let newPassFile {
                newPassphrase = try RepositoryOptions.readPassFile(absolutePath(newPassFile), option: "--new-pass-file")
            } else if let text = environment["LIFEBOAT_REPO_CIPHER_PASS_NEW"], !text.isEmpty {
                newPassphrase = CipherPassphrase(text)
            } else {
                throw LifeboatError(.invalidArgument, "no new passphrase given",
                                    hint: "set LIFEBOAT_REPO_CIPHER_PASS_NEW or --new-pass-file PATH (mode 0600)")
            }
            return try await CipherRotate.run(try options.context(), newPassphrase: newPassphrase)
        }, text: { report in
            "stanza '\(report.stanza)' in \(report.repository): passphrase changed (\(report.keyFile) rewrapped; no data rewritten)"
        })
    }
}
