import Foundation
import LifeboatCore
import LifeboatPostgres
import Testing

@Suite struct ProcessRunnerTests {
    @Test func runsPgCtlVersion() async throws {
        let result = try await ProcessRunner.run(try PostgresBinaries.path(of: "pg_ctl", major: 15), ["--version"])
        #expect(result.exitCode == 0)
        #expect(result.stdout.hasPrefix("pg_ctl (PostgreSQL) 15."))
    }

    @Test func capturesBothStreamsAndTheExitCode() async throws {
        let result = try await ProcessRunner.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"])
        #expect(result.exitCode == 3)
        #expect(result.stdout == "out\n")
        #expect(result.stderr == "err\n")
    }

    @Test func drainsLargeOutputOnBothStreams() async throws {
        // More than a pipe buffer (64 KiB) on each stream: a sequential reader would deadlock.
        let script = "head -c 1000000 /dev/zero | tr '\\0' a; head -c 1000000 /dev/zero | tr '\\0' b >&2; echo done"
        let result = try await ProcessRunner.run("/bin/sh", ["-c", script])
        #expect(result.exitCode == 0)
        #expect(result.stdout.count == 1_000_005)
        #expect(result.stderr.count == 1_000_000)
    }

    @Test func feedsStdinAndAddsEnvironment() async throws {
        let result = try await ProcessRunner.run(
            "/bin/sh", ["-c", "cat; echo \"$LIFEBOAT_TEST_VALUE\"; command -v ls >/dev/null && echo path-kept"],
            environment: ["LIFEBOAT_TEST_VALUE": "from env"], stdin: "from stdin\n")
        #expect(result.stdout == "from stdin\nfrom env\npath-kept\n")
    }

    @Test func childIgnoringStdinDoesNotHurt() async throws {
        let result = try await ProcessRunner.run("/bin/true", [], stdin: String(repeating: "x", count: 1 << 20))
        #expect(result.exitCode == 0)
    }

    @Test func reportsDeathBySignalLikeAShell() async throws {
        let result = try await ProcessRunner.run("/bin/sh", ["-c", "kill -9 $$"])
        #expect(result.exitCode == 137)
    }

    @Test func missingExecutableThrows() async {
        do {
            _ = try await ProcessRunner.run("/nonexistent/program", [])
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .io)
            #expect(error.message.hasPrefix("unable to run '/nonexistent/program'"))
        }
    }

    @Test func runsAsAnotherUserWhenRoot() async throws {
        let user = OSUser.isRoot ? "postgres" : OSUser.currentName
        let result = try await ProcessRunner.run(
            "/bin/sh", ["-c", "id -un; pwd; echo \"$LIFEBOAT_TEST_VALUE\""], asUser: user,
            environment: ["LIFEBOAT_TEST_VALUE": "passed"])
        #expect(result.exitCode == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == user)
        if OSUser.isRoot { #expect(lines.dropFirst().first == "/") }  // started where postgres may enter
        #expect(lines.last == "passed")
    }
}
