import Foundation
import LifeboatCore
import LifeboatPostgres
import LifeboatTestSupport
import Testing

@Suite struct TestClusterTests {
    /// Stop, copy the data directory, run the original and the copy side by side, then destroy:
    /// no postgres may survive and the directory must be gone.
    @Test func startOtherOnACopyAndDestroyLeavesNothing() async throws {
        let cluster = try await TestCluster.create()
        var destroyed = false
        defer { if !destroyed { Task { await cluster.destroy() } } }

        try await cluster.query("CREATE TABLE marker AS SELECT 42 AS answer")
        try await cluster.stop()
        #expect(!cluster.isRunning)
        let copy = cluster.baseDirectory + "/copy"
        let copied = try await ProcessRunner.run("/bin/cp", ["-a", cluster.dataDirectory, copy])
        #expect(copied.exitCode == 0, "\(copied.stderr)")
        try await cluster.start()

        let other = try await cluster.startOther(dataDirectory: copy)
        #expect(other.port != cluster.port)
        #expect(other.socketDirectory != cluster.socketDirectory)
        #expect(try await other.query("SELECT answer FROM marker").rows == [["42"]])
        #expect(try await other.query("SHOW data_directory").rows == [[copy]])
        #expect(try await cluster.query("SELECT answer FROM marker").rows == [["42"]])
        #expect(other.logTail().contains("database system is ready to accept connections"))

        await cluster.destroy()
        destroyed = true
        await cluster.destroy()  // twice is fine
        #expect(!FileManager.default.fileExists(atPath: cluster.baseDirectory))
        for directory in [cluster.dataDirectory, copy] {
            let survivors = try await ProcessRunner.run("/usr/bin/pgrep", ["-f", directory])
            #expect(survivors.stdout.isEmpty, "postgres still running on \(directory): \(survivors.stdout)")
        }
    }

    @Test func startOtherReportsAServerThatCannotStart() async throws {
        try await TestCluster.with { cluster in
            let bogus = try cluster.makeDirectory("not-a-cluster")
            await #expect(throws: LifeboatError.self) { try await cluster.startOther(dataDirectory: bogus) }

            // A real copy whose configuration postgres rejects: the error carries the log's complaint.
            try await cluster.stop()
            let broken = cluster.baseDirectory + "/broken"
            #expect(try await ProcessRunner.run("/bin/cp", ["-a", cluster.dataDirectory, broken]).exitCode == 0)
            try "shared_buffers = 'plenty'\n".write(toFile: broken + "/postgresql.auto.conf", atomically: false, encoding: .utf8)
            let started = Date()
            do {
                _ = try await cluster.startOther(dataDirectory: broken, timeoutSeconds: 300)
                Issue.record("expected an error")
            } catch let error as LifeboatError {
                #expect(error.code == .postgres)
                #expect(error.message.contains(broken))
                #expect(error.hint?.contains("shared_buffers") == true, "\(error)")
            }
            // The harness sees the server exit instead of waiting out its start timeout (a liveness check,
            // with room for a loaded machine, not a speed bound).
            #expect(Date().timeIntervalSince(started) < 150)
        }
    }
}

extension RealCluster {
    /// The harness, exercised on the shared cluster.
    @Suite struct TestClusterHarnessTests {
        @Test func clusterUserCanRunBinariesAndReachItsDirectories() async throws {
            let cluster = try SharedCluster.get()
            let directory = try cluster.makeDirectory("repo")
            let result = try await cluster.runAsClusterUser("/bin/sh", ["-c", "touch '\(directory)/file' && id -un"])
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(result.stdout == cluster.osUser + "\n")
            let controldata = try await cluster.runAsClusterUser(try cluster.binary("pg_controldata"), [cluster.dataDirectory])
            #expect(controldata.stdout.contains("Data page checksum version:           1"))

            // The built lifeboat, copied where the cluster user can run it (archive_command's case).
            let lifeboat = try LifeboatExecutable.installed(into: try cluster.makeDirectory("bin"))
            let ran = try await cluster.runAsClusterUser(lifeboat, [])
            #expect(![126, 127].contains(ran.exitCode), "\(ran.stderr)")
            #expect(!ran.stderr.contains("error while loading shared libraries"))
        }
    }
}
