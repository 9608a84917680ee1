#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LifeboatStorage
import Testing

/// Each bad input gets one clear line on stderr, its own non-zero exit code, and leaves the
/// repository exactly as it was.
@Suite("bad input is refused and changes nothing", .serialized)
struct BadInputTests {
    private func expectRefused(_ lab: Lab, _ arguments: [String], exit code: Int32, saying text: String,
                               environment: [String: String] = [:], stanza: String? = nil) async throws {
        try await lab.waitUntilArchiverIdle()
        let before = lab.repositorySnapshot()
        let result = try await lab.lifeboat(arguments, environment: environment, stanza: stanza)
        #expect(result.exitCode == code, "\(arguments): exit \(result.exitCode), stderr: \(result.stderr)")
        let errorLines = result.stderr.split(separator: "\n").filter { $0.contains("error:") }
        #expect(errorLines.count == 1, "\(arguments): \(result.stderr)")
        #expect(errorLines.first?.contains(text) == true, "\(arguments): expected '\(text)' in \(result.stderr)")
        let after = lab.repositorySnapshot()
        let changed = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted()
        #expect(changed.isEmpty, "\(arguments) changed the repository: \(changed.prefix(5))")
    }

    @Test("stanza, repository, target and directory mistakes")
    func operatorMistakes() async throws {
        try await withLab { lab in
            _ = try await lab.cluster.query("CREATE TABLE t AS SELECT 1 AS x")
            #expect(try await lab.lifeboat(["backup", "--start-fast"]).exitCode == 0)
            try await lab.switchAndWaitForArchive()
            let label = (try FileManager.default.contentsOfDirectory(atPath: lab.repository + "/main/backup")).first ?? ""
            let empty = try lab.cluster.makeDirectory("restore-target")

            try await expectRefused(lab, ["info"], exit: 10, saying: "stanza 'nosuch' does not exist", stanza: "nosuch")
            try await expectRefused(lab, ["backup"], exit: 10, saying: "stanza 'nosuch' does not exist", stanza: "nosuch")
            try await expectRefused(lab, ["info"], exit: 13, saying: "repository '/nonexistent/repo' does not exist",
                                    environment: ["LIFEBOAT_REPO_PATH": "/nonexistent/repo"])
            try await expectRefused(lab, ["restore", "--pg-data", empty, "--target-time", "yesterday-ish"], exit: 2,
                                    saying: "invalid target time 'yesterday-ish'")
            try await expectRefused(lab, ["restore", "--pg-data", empty, "--target-time", "2001-01-01 00:00:00+00"], exit: 30,
                                    saying: "before")
            try await expectRefused(lab, ["restore", "--pg-data", empty, "--target-time", "2999-01-01 00:00:00+00"], exit: 30,
                                    saying: "after the end of the archive")
            try await expectRefused(lab, ["restore", "--pg-data", empty, "--set", "20000101-000000F"], exit: 31,
                                    saying: "backup set '20000101-000000F' not found")
            try await expectRefused(lab, ["restore", "--pg-data", lab.cluster.dataDirectory], exit: 32, saying: "is not empty")
            try await expectRefused(lab, ["restore", "--pg-data", empty, "--target-lsn", "nonsense"], exit: 2, saying: "invalid target lsn")
            try await expectRefused(lab, ["backup"], exit: 20, saying: "unable to connect to PostgreSQL",
                                    environment: ["LIFEBOAT_PG_PORT": "1", "LIFEBOAT_PG_HOST": "/nonexistent"])
            // A repository the cluster user cannot write to.
            let readOnly = try Sandbox.makeDirectory(prefix: "lifeboat-readonly")
            try await expectRefused(lab, ["init"], exit: 13, saying: "'\(readOnly)",
                                    environment: ["LIFEBOAT_REPO_PATH": readOnly], stanza: "fresh")
            #expect(try FileManager.default.contentsOfDirectory(atPath: readOnly).isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: empty).isEmpty)
            #expect(!label.isEmpty)
        }
    }

    @Test("a second backup while one runs is refused by the stanza lock")
    func concurrentBackupIsLocked() async throws {
        try await withLab { lab in
            let lock = try FileLock.acquire(path: lab.lockPath + "/main-backup.lock")
            Sandbox.giveToClusterUser(lock.path)
            try await expectRefused(lab, ["backup", "--start-fast"], exit: 22, saying: "another lifeboat backup is running on stanza 'main'")
            lock.release()
        }
    }

    @Test("another cluster, or one not set up for archiving, is refused")
    func wrongCluster() async throws {
        try await withLab(archiving: false, initStanza: false) { other in
            try await withLab { lab in
                // The other cluster pointed at this lab's stanza: a different system identifier.
                try await expectRefused(lab, ["backup"], exit: 12, saying: "system identifier",
                                        environment: ["LIFEBOAT_PG_HOST": other.cluster.socketDirectory,
                                                      "LIFEBOAT_PG_PORT": String(other.cluster.port),
                                                      "LIFEBOAT_PG_DATA": other.cluster.dataDirectory])
                // Its own stanza, but archive_mode is off.
                let created = try await other.lifeboat(["init"], environment: ["LIFEBOAT_REPO_PATH": lab.repository], stanza: "other")
                #expect(created.exitCode == 0, "\(created.stderr)")
                try await expectRefused(lab, ["backup"], exit: 21, saying: "archive_mode is 'off'",
                                        environment: ["LIFEBOAT_PG_HOST": other.cluster.socketDirectory,
                                                      "LIFEBOAT_PG_PORT": String(other.cluster.port),
                                                      "LIFEBOAT_PG_DATA": other.cluster.dataDirectory],
                                        stanza: "other")
            }
        }
    }
}
