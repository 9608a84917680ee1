#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LifeboatCore
import LifeboatPostgres

/// The throwaway PostgreSQL a drill starts on its restored copy: a free port, a unix socket in a
/// private directory, no TCP (listen_addresses = ''), no archiving (archive_mode = off, so the
/// drill never pushes into the real archive), trust authentication on that private socket only.
struct ScratchServer: Sendable {
    let dataDirectory: String
    let socketDirectory: String
    let logFile: String
    let hbaFile: String
    let port: Int
    /// The OS user postgres runs as: ourselves, or `postgres` when we are root.
    let osUser: String?
    /// The role the checks connect as.
    let role: String

    /// Settings given on the command line, which win over postgresql.conf and postgresql.auto.conf.
    var serverOptions: String {
        let settings = [
            "listen_addresses=", "archive_mode=off", "hba_file=\(hbaFile)", "logging_collector=off",
            "log_destination=stderr", "hot_standby=on", "shared_buffers=128MB", "ssl=off", "cluster_name=lifeboat-drill",
        ]
        // pg_ctl hands -o to postgres through /bin/sh: quote every word.
        return (["-p", String(port), "-k", socketDirectory] + settings.flatMap { ["-c", $0] })
            .map(RecoverySettings.shellQuote).joined(separator: " ")
    }

    func connectionSettings(database: String = "postgres") -> ConnectionSettings {
        var settings = ConnectionSettings(host: socketDirectory, port: port, user: role, database: database)
        settings.connectTimeoutSeconds = 5
        return settings
    }

    private func pgCtl(_ arguments: [String]) async throws(LifeboatError) -> ProcessResult {
        try await ProcessRunner.run(try PostgresBinaries.path(of: "pg_ctl", major: 15), arguments, asUser: osUser)
    }

    /// `pg_ctl start -w`: returns once the server accepts connections (hot standby or primary).
    func start(timeoutSeconds: Int) async throws(LifeboatError) {
        let result = try await pgCtl(["start", "-D", dataDirectory, "-l", logFile, "-w", "-t", String(max(timeoutSeconds, 1)), "-o", serverOptions])
        guard result.succeeded else {
            throw LifeboatError(.postgres, "the scratch PostgreSQL did not start (pg_ctl exit \(result.exitCode)): \(logTail(lines: 8))")
        }
    }

    /// Polls pg_is_in_recovery() until false; fails when the server exits or the deadline passes.
    func awaitPromotion(deadline: Date) async throws(LifeboatError) {
        var lastProblem = "still in recovery"
        while Date() < deadline {
            do {
                let connection = try await PostgresConnection.connect(connectionSettings())
                defer { connection.close() }
                if try await connection.query("SELECT pg_is_in_recovery()").rows.first?.first == "f" { return }
                lastProblem = "still in recovery"
            } catch {
                lastProblem = error.message
            }
            if !isRunning {
                throw LifeboatError(.postgres, "the scratch PostgreSQL exited before the end of recovery (\(lastProblem)): \(logTail(lines: 8))")
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        throw LifeboatError(.postgres, "recovery did not finish in time (\(lastProblem)): \(logTail(lines: 8))",
                            hint: "raise --drill-timeout")
    }

    /// A clean (fast) shutdown, which leaves the cluster checkable by pg_checksums.
    func stop() async throws(LifeboatError) {
        let result = try await pgCtl(["stop", "-D", dataDirectory, "-m", "fast", "-w", "-t", "120"])
        guard result.succeeded else {
            throw LifeboatError(.postgres, "the scratch PostgreSQL did not stop cleanly (pg_ctl exit \(result.exitCode)): \(logTail(lines: 8))")
        }
    }

    /// Stops the server however it takes, never throwing: fast, immediate, then SIGKILL.
    func teardown() async {
        guard isRunning else { return }
        _ = try? await pgCtl(["stop", "-D", dataDirectory, "-m", "fast", "-w", "-t", "30"])
        if isRunning { _ = try? await pgCtl(["stop", "-D", dataDirectory, "-m", "immediate", "-w", "-t", "30"]) }
        if isRunning { Self.kill(dataDirectory: dataDirectory, signal: SIGKILL) }
    }

    var isRunning: Bool { Self.postmasterPID(dataDirectory: dataDirectory) != nil }

    /// The live postmaster of `dataDirectory`: postmaster.pid names it and its command line names
    /// the directory (a stale pid file's pid may belong to an unrelated process by now).
    static func postmasterPID(dataDirectory: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8),
              let line = text.split(separator: "\n").first, let pid = pid_t(line.trimmingCharacters(in: .whitespaces)), pid > 0,
              Glibc.kill(pid, 0) == 0 || errno == EPERM,
              let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")
        else { return nil }
        let arguments = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return arguments.contains(dataDirectory) ? pid : nil
    }

    /// For the interrupt path, which cannot await: SIGQUIT is PostgreSQL's immediate shutdown.
    static func kill(dataDirectory: String, signal: Int32) {
        guard let pid = postmasterPID(dataDirectory: dataDirectory) else { return }
        _ = Glibc.kill(pid, signal)
        for _ in 0..<100 where postmasterPID(dataDirectory: dataDirectory) != nil { usleep(100_000) }
    }

    func logText() -> String {
        (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
    }

    func logTail(lines: Int) -> String {
        guard let text = try? String(contentsOfFile: logFile, encoding: .utf8) else { return "(no server log)" }
        return text.split(separator: "\n").suffix(lines).joined(separator: " | ")
    }
}
