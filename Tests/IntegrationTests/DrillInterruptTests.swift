#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LifeboatPostgres
import Testing

/// An interrupted drill stops its server and removes its scratch directory. Run as root (CI), it
/// also covers the root path: PostgreSQL started as `postgres`, the scratch directory handed over.
@Suite("an interrupted drill leaves nothing behind", .serialized)
struct DrillInterruptTests {
    private func pids(mentioning text: String) -> [pid_t] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { entry -> pid_t? in
            guard let pid = pid_t(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return nil }
            let line = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
            return line.contains(text) ? pid : nil
        }
    }

    @Test("SIGTERM during the drill: exit 143, no server, no scratch directory", .enabled(if: geteuid() == 0, "needs root to run the drill as root"))
    func sigterm() async throws {
        try await withLab { lab in
            _ = try await lab.cluster.query("CREATE TABLE t AS SELECT g FROM generate_series(1, 100000) g")
            #expect(try await lab.lifeboat(["backup", "--start-fast"]).exitCode == 0)
            try await lab.switchAndWaitForArchive()

            let drillPath = try Sandbox.makeDirectory(prefix: "lifeboat-drillpath")
            defer { try? FileManager.default.removeItem(atPath: drillPath) }
            var environment = ProcessInfo.processInfo.environment
            environment["LIFEBOAT_STANZA"] = lab.stanza
            environment["LIFEBOAT_REPO_PATH"] = lab.repository
            environment["LIFEBOAT_PG_USER"] = "postgres"
            environment["LIFEBOAT_LOCK_PATH"] = lab.lockPath
            // A check that never finishes keeps the drill busy while the server runs.
            let slow = LifeboatExecutableDirectory.parent(of: lab.binary) + "/slow.sql"
            try "SELECT pg_sleep(600) IS NULL".write(toFile: slow, atomically: true, encoding: .utf8)
            chmod(slow, 0o644)
            let drill = Task {
                try await ProcessRunner.run(lab.binary, ["drill", "--drill-path", drillPath, "--check-sql", slow], environment: environment)
            }

            // Wait until the scratch server runs, then interrupt lifeboat itself.
            var scratch: String?
            for _ in 0..<600 {
                scratch = (try? FileManager.default.contentsOfDirectory(atPath: drillPath))?.first.map { drillPath + "/" + $0 }
                if let scratch, !pids(mentioning: "\(scratch)/data").isEmpty, !pids(mentioning: "lifeboat-drill: postgres postgres [local] SELECT").isEmpty { break }
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            let directory = try #require(scratch)
            #expect(!pids(mentioning: "\(directory)/data").isEmpty, "the scratch server never started")
            let lifeboat = pids(mentioning: "--drill-path \(drillPath)").filter { pid in
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")) == lab.binary
            }
            #expect(lifeboat.count == 1)
            for pid in lifeboat { kill(pid, SIGTERM) }

            let result = try await drill.value
            #expect(result.exitCode == 143, "\(result.stdout) \(result.stderr)")
            #expect(result.stderr.contains("interrupted by SIGTERM"), "\(result.stderr)")
            #expect(pids(mentioning: "\(directory)/data").isEmpty)
            #expect(!FileManager.default.fileExists(atPath: directory))
        }
    }
}
