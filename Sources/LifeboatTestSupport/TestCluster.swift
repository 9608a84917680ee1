import Foundation
import LifeboatCore
import LifeboatPostgres

/// A throw-away PostgreSQL 15 cluster for tests.
///
/// Everything lives in a 0755 directory under /tmp so that the `postgres` OS user (which runs the
/// server when the tests run as root) can reach it: the data directory, a private unix-socket
/// directory (the server does not listen on TCP), the server logs in `log/`, and whatever the test
/// adds with `makeDirectory` (repositories, the installed `lifeboat` binary).
///
/// Call `destroy()` when done (or use `TestCluster.with`): it stops every server this cluster started
/// and deletes the directory. A cluster dropped without `destroy()` sends its servers SIGQUIT.
public final class TestCluster: @unchecked Sendable {
    // unchecked: the mutable bookkeeping below (`others`, `destroyed`, `counter`) is guarded by `lock`.
    public let baseDirectory: String
    public let dataDirectory: String
    public let socketDirectory: String
    public let port: Int
    /// "postgres" when running as root, else the current user.
    public let osUser: String
    /// The server log of this cluster's own server (others log next to it, in `log/`).
    public var logFile: String { control.logFile }

    let control: ServerControl
    private let user: ClusterUser
    private let lock = NSLock()
    private var others: [RunningServer] = []
    private var destroyed = false
    private var counter = 0

    private init(baseDirectory: String, socketDirectory: String, port: Int, control: ServerControl, user: ClusterUser) {
        self.baseDirectory = baseDirectory
        self.dataDirectory = control.dataDirectory
        self.socketDirectory = socketDirectory
        self.port = port
        self.osUser = user.name
        self.control = control
        self.user = user
    }

    deinit {
        lock.lock()
        let needed = !destroyed
        lock.unlock()
        guard needed else { return }
        for server in others { server.control.emergencyStop() }
        control.emergencyStop()
        try? FileManager.default.removeItem(atPath: baseDirectory)
    }

    /// Runs initdb (`--data-checksums` unless told otherwise, superuser "postgres", trust
    /// authentication, UTF8, locale C, no fsync), appends `extraConfig` lines to postgresql.conf
    /// after the harness's own (so they win), and starts the server with `pg_ctl -w`.
    ///
    /// The harness sets `fsync = off` for speed; pass `"fsync = on"` in `extraConfig` when a test
    /// needs durability across a crash.
    public static func create(extraConfig: [String] = [], dataChecksums: Bool = true) async throws -> TestCluster {
        let user = ClusterUser.forThisProcess
        let base = try makeBaseDirectory()
        do {
            let socket = base + "/socket"
            try user.makeDirectory(base + "/log", mode: 0o755)
            try user.makeDirectory(socket, mode: 0o755)
            let control = ServerControl(dataDirectory: base + "/data", logFile: base + "/log/postgresql.log", user: user)
            try user.makeDirectory(control.dataDirectory, mode: 0o700)
            let port = try FreePort.pick()

            try await initdb(control: control, dataChecksums: dataChecksums)
            let settings = [
                "# added by LifeboatTestSupport",
                "listen_addresses = ''",
                "port = \(port)",
                "unix_socket_directories = '\(socket)'",
                "fsync = off",
                "max_connections = 40",
                "shared_buffers = 32MB",
            ]
            try append(settings + extraConfig, to: control.dataDirectory + "/postgresql.conf")

            let cluster = TestCluster(baseDirectory: base, socketDirectory: socket, port: port, control: control, user: user)
            try await cluster.start()
            return cluster
        } catch {
            await ServerControl(dataDirectory: base + "/data", logFile: base + "/log/postgresql.log", user: user).teardown()
            try? FileManager.default.removeItem(atPath: base)
            throw error
        }
    }

    /// Creates a cluster, runs `body`, and destroys the cluster whether `body` throws or not.
    public static func with<T>(
        extraConfig: [String] = [], dataChecksums: Bool = true, _ body: (TestCluster) async throws -> T
    ) async throws -> T {
        let cluster = try await create(extraConfig: extraConfig, dataChecksums: dataChecksums)
        do {
            let value = try await body(cluster)
            await cluster.destroy()
            return value
        } catch {
            await cluster.destroy()
            throw error
        }
    }

    /// Unix socket in `socketDirectory`, user and database "postgres".
    public var connectionSettings: ConnectionSettings {
        ConnectionSettings(host: socketDirectory, port: port, user: "postgres", database: "postgres")
    }

    public func connect() async throws -> PostgresConnection {
        try await PostgresConnection.connect(connectionSettings)
    }

    /// Runs `sql` on a fresh connection, closed afterwards.
    @discardableResult
    public func query(_ sql: String) async throws -> QueryResult {
        let connection = try await connect()
        defer { connection.close() }
        return try await connection.query(sql)
    }

    /// `pg_ctl start -w` on this cluster's data directory (after `stop`, or after a test replaced it).
    public func start() async throws {
        try await control.start()
    }

    public func stop(mode: String = "fast") async throws {
        try await control.stop(mode: mode)
    }

    public var isRunning: Bool { control.isRunning }

    /// The last 40 lines of this cluster's server log.
    public func logTail() -> String {
        control.logTail()
    }

    /// Creates `baseDirectory/name` owned by the cluster user with mode 0700 and returns its path.
    public func makeDirectory(_ name: String) throws -> String {
        let path = (baseDirectory as NSString).appendingPathComponent(name)
        try user.makeDirectory(path, mode: 0o700)
        return path
    }

    /// Hands a whole tree (e.g. a data directory restored by root) to the cluster user, as postgres
    /// requires of its data directory.
    public func giveToClusterUser(_ path: String) async throws {
        guard OSUser.isRoot else { return }
        let result = try await ProcessRunner.run("/bin/chown", ["-R", "\(osUser):", path])
        guard result.succeeded else {
            throw LifeboatError(.io, "chown -R \(osUser) '\(path)' failed: \(result.stderr)")
        }
    }

    /// Runs a program as the cluster user (directly when that is us).
    public func runAsClusterUser(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> ProcessResult {
        try await ProcessRunner.run(executable, arguments, asUser: osUser, environment: environment)
    }

    /// Where PostgreSQL 15's `program` lives (pg_verifybackup, pg_waldump…).
    public func binary(_ program: String) throws -> String {
        try PostgresBinaries.path(of: program, major: ServerControl.major)
    }

    /// Stops every server this cluster started, then removes `baseDirectory`. Safe to call twice.
    public func destroy() async {
        let (alreadyDestroyed, servers) = lock.withLock {
            defer { destroyed = true }
            return (destroyed, others)
        }
        guard !alreadyDestroyed else { return }
        for server in servers { await server.control.teardown() }
        await control.teardown()
        try? FileManager.default.removeItem(atPath: baseDirectory)
    }

    // MARK: - Other servers

    /// Starts a postgres on another data directory (e.g. a restored copy, which must belong to
    /// `osUser` with mode 0700 or 0750) with its own socket directory and port, overriding whatever
    /// port and socket settings the copy carries. Waits until it accepts connections and, when
    /// `waitForPromotion`, until `pg_is_in_recovery()` is false (a recovery that pauses at its target
    /// never gets there: set `recovery_target_action = 'promote'`). On timeout or early exit, throws
    /// with the server log's tail; the server is still stopped by `destroy()`.
    public func startOther(dataDirectory: String, waitForPromotion: Bool = true, timeoutSeconds: Double = 60) async throws -> RunningServer {
        let name = nextServerName()
        let socket = (baseDirectory as NSString).appendingPathComponent("\(name)-socket")
        try user.makeDirectory(socket, mode: 0o755)
        let control = ServerControl(dataDirectory: dataDirectory, logFile: baseDirectory + "/log/\(name).log", user: user)
        let server = RunningServer(dataDirectory: dataDirectory, socketDirectory: socket, port: try FreePort.pick(), control: control)
        register(server)

        // pg_ctl passes -o through /bin/sh; '' becomes an empty listen_addresses (no TCP).
        let started = Date()
        try await control.start(
            timeoutSeconds: Int(timeoutSeconds.rounded(.up)),
            options: "-p \(server.port) -k '\(socket)' -c listen_addresses=''")
        if waitForPromotion {
            try await awaitPromotion(of: server, until: started.addingTimeInterval(timeoutSeconds), timeoutSeconds: timeoutSeconds)
        }
        return server
    }

    /// Polls pg_is_in_recovery() until it is false, the server exits, or the deadline passes.
    private func awaitPromotion(of server: RunningServer, until deadline: Date, timeoutSeconds: Double) async throws {
        var settings = server.connectionSettings
        settings.connectTimeoutSeconds = 2
        var lastProblem = "still in recovery"
        while Date() < deadline {
            do {
                let connection = try await PostgresConnection.connect(settings)
                defer { connection.close() }
                if try await connection.query("SELECT pg_is_in_recovery()").rows.first?.first == "f" { return }
                lastProblem = "still in recovery"
            } catch {
                lastProblem = error.message
            }
            if !server.control.isRunning {
                throw LifeboatError(
                    .postgres, "postgres on '\(server.dataDirectory)' exited before the end of recovery (\(lastProblem))",
                    hint: "server log tail:\n\(server.logTail())")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw LifeboatError(
            .postgres, "postgres on '\(server.dataDirectory)' did not finish recovery within \(Int(timeoutSeconds)) s (\(lastProblem))",
            hint: "server log tail:\n\(server.logTail())")
    }

    private func nextServerName() -> String {
        lock.lock()
        defer { lock.unlock() }
        counter += 1
        return "other-\(counter)"
    }

    private func register(_ server: RunningServer) {
        lock.lock()
        others.append(server)
        lock.unlock()
    }

    // MARK: - Creation steps

    private static func makeBaseDirectory() throws(LifeboatError) -> String {
        var template = Array("/tmp/lifeboat-test-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw LifeboatError(.io, "unable to create a temporary directory under /tmp: errno \(errno)")
        }
        let path = String(cString: created)
        // mkdtemp makes it 0700; the postgres user must be able to traverse it.
        guard chmod(path, 0o755) == 0 else { throw LifeboatError(.io, "unable to chmod '\(path)': errno \(errno)") }
        return path
    }

    private static func initdb(control: ServerControl, dataChecksums: Bool) async throws {
        let initdb = try PostgresBinaries.path(of: "initdb", major: ServerControl.major)
        var arguments = [
            "-D", control.dataDirectory, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C",
            "--no-sync", "--no-instructions",
        ]
        if dataChecksums { arguments.append("--data-checksums") }
        let result = try await ProcessRunner.run(initdb, arguments, asUser: control.user.name)
        guard result.succeeded else {
            throw LifeboatError(.postgres, "initdb failed (exit \(result.exitCode)): \(result.stderr)")
        }
    }

    private static func append(_ lines: [String], to path: String) throws(LifeboatError) {
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(("\n" + lines.joined(separator: "\n") + "\n").utf8))
        } catch {
            throw LifeboatError(.io, "unable to append to '\(path)': \(error.localizedDescription)")
        }
    }
}
