import Foundation
import LifeboatCore
import LifeboatPostgres

/// pg_ctl and process bookkeeping for one data directory, shared by `TestCluster` (its own server)
/// and `RunningServer` (the others it starts).
struct ServerControl: Sendable {
    static let major = 15

    let dataDirectory: String
    let logFile: String
    let user: ClusterUser

    func pgCtl(_ arguments: [String]) async throws(LifeboatError) -> ProcessResult {
        let pgCtl = try PostgresBinaries.path(of: "pg_ctl", major: Self.major)
        return try await ProcessRunner.run(pgCtl, arguments, asUser: user.name)
    }

    /// `pg_ctl start -w`: returns once the server accepts connections (as a primary or a hot
    /// standby), fails early if it exits. `options` is the string pg_ctl hands to postgres through a
    /// shell (`-o`).
    func start(timeoutSeconds: Int = 60, options: String? = nil) async throws(LifeboatError) {
        var arguments = ["start", "-D", dataDirectory, "-l", logFile, "-w", "-t", String(max(timeoutSeconds, 1))]
        if let options { arguments += ["-o", options] }
        let result = try await pgCtl(arguments)
        guard result.succeeded else {
            throw LifeboatError(
                .postgres, "pg_ctl start on '\(dataDirectory)' failed (exit \(result.exitCode)): \(firstLine(result.stderr))",
                hint: "server log tail:\n\(logTail())")
        }
    }

    func stop(mode: String) async throws(LifeboatError) {
        let result = try await pgCtl(["stop", "-D", dataDirectory, "-m", mode, "-w", "-t", "60"])
        guard result.succeeded else {
            throw LifeboatError(
                .postgres, "pg_ctl stop -m \(mode) on '\(dataDirectory)' failed (exit \(result.exitCode)): \(firstLine(result.stderr))",
                hint: "server log tail:\n\(logTail())")
        }
    }

    /// Stops the server however it takes, never throwing: fast, then immediate, then SIGKILL.
    func teardown() async {
        guard isRunning else { return }
        try? await stop(mode: "fast")
        if isRunning { try? await stop(mode: "immediate") }
        if isRunning, let pid = postmasterPID { kill(pid, SIGKILL) }
    }

    /// For deinit, which cannot await: SIGQUIT is PostgreSQL's immediate shutdown.
    func emergencyStop() {
        if isRunning, let pid = postmasterPID { kill(pid, SIGQUIT) }
    }

    /// The first line of postmaster.pid, present while a postmaster owns the directory.
    var postmasterPID: pid_t? {
        guard let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8),
              let line = text.split(separator: "\n").first
        else { return nil }
        return pid_t(line.trimmingCharacters(in: .whitespaces))
    }

    /// Whether the postmaster named in postmaster.pid is alive. A stale pid file's pid may have been
    /// reused by an unrelated process, which must never be signalled: on Linux the process's command
    /// line must also name this data directory (pg_ctl starts `postgres -D <dir>`).
    var isRunning: Bool {
        guard let pid = postmasterPID, pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else {
            return !FileManager.default.fileExists(atPath: "/proc/self")  // no procfs: trust kill()
        }
        let arguments = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        let directory = dataDirectory.hasSuffix("/") ? String(dataDirectory.dropLast()) : dataDirectory
        return arguments.contains(directory)
    }

    func logTail(lines: Int = 40) -> String {
        guard let text = try? String(contentsOfFile: logFile, encoding: .utf8) else { return "(no server log at '\(logFile)')" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    private func firstLine(_ text: String) -> String {
        text.split(separator: "\n").first.map(String.init) ?? ""
    }
}
