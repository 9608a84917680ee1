import Foundation
import LifeboatPostgres
import LifeboatTestSupport
import Testing

/// `--help` is the on-call engineer's reference: every command must parse its own options (two
/// options sharing a name only fail when that command runs) and show at least one example.
@Suite("every command explains itself")
struct HelpTests {
    static let commands = [
        "init", "archive-push", "archive-get", "backup", "info", "restore", "verify", "expire", "pin", "unpin",
        "audit", "drill", "check", "metrics", "status", "cipher-rotate",
    ]

    @Test(arguments: commands)
    func helpWithExample(command: String) async throws {
        let result = try await ProcessRunner.run(try LifeboatExecutable.builtPath(), [command, "--help"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("lifeboat \(command)"), "\(result.stdout)")
        #expect(result.stdout.lowercased().contains("example"), "no example in `lifeboat \(command) --help`")
    }

    @Test func everyCommandIsListed() async throws {
        let result = try await ProcessRunner.run(try LifeboatExecutable.builtPath(), ["--help"])
        for command in Self.commands { #expect(result.stdout.contains(command), "\(command)") }
    }
}
