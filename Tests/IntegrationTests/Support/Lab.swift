#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LifeboatPostgres
import LifeboatTestSupport

/// A real PostgreSQL 15 cluster archiving into a Lifeboat repository through the real `lifeboat`
/// binary, every command run as the cluster's OS user — the way a DBA deploys it.
final class Lab: @unchecked Sendable {
    let cluster: TestCluster
    let binary: String
    let repository: String
    let stanza: String
    /// The lab's config file (owned by the cluster user, mode 0600), when started with `configLines`.
    var configPath: String?

    private init(cluster: TestCluster, binary: String, repository: String, stanza: String) {
        self.cluster = cluster
        self.binary = binary
        self.repository = repository
        self.stanza = stanza
    }

    /// A cluster with archive_command pointing at Lifeboat (unless `archiving` is false) and, if
    /// `initStanza`, the stanza already created.
    /// `configLines` go under `[global]` of a config file that archive_command and every `lifeboat` call use.
    static func start(stanza: String = "main", archiving: Bool = true, initStanza: Bool = true, extraConfig: [String] = [],
                      configLines: [String] = []) async throws -> Lab {
        let shared = try Sandbox.makeDirectory(prefix: "lifeboat-lab")
        let binary = try LifeboatExecutable.installed(into: shared)
        let repository = shared + "/repo"
        try Sandbox.makeOwnedDirectory(repository)
        try Sandbox.makeOwnedDirectory(shared + "/locks")
        var config = extraConfig
        var configPath: String?
        if !configLines.isEmpty {
            let path = shared + "/lifeboat.conf"
            try (["[global]"] + configLines).joined(separator: "\n").appending("\n").write(toFile: path, atomically: false, encoding: .utf8)
            chmod(path, 0o600)
            Sandbox.giveToClusterUser(path)
            configPath = path
        }
        let configOption = configPath.map { " --config \($0)" } ?? ""
        if archiving {
            config += [
                "wal_level = replica", "archive_mode = on",
                "archive_command = '\(binary) archive-push --stanza \(stanza) --repo-path \(repository)\(configOption) %p'",
            ]
        } else {
            config += ["archive_mode = off"]
        }
        let cluster = try await TestCluster.create(extraConfig: config)
        let lab = Lab(cluster: cluster, binary: binary, repository: repository, stanza: stanza)
        lab.configPath = configPath
        if initStanza {
            let result = try await lab.lifeboat(["init"])
            guard result.exitCode == 0 else { throw LabError("lifeboat init failed: \(result.stderr)") }
        }
        return lab
    }

    /// Runs `lifeboat <arguments>` as the cluster's OS user with this lab's stanza, repository and server.
    /// `umask`: run it under this umask (octal text), through /bin/sh, without touching this process's.
    func lifeboat(_ arguments: [String], environment extra: [String: String] = [:], stanza: String? = nil,
                  umask: String? = nil) async throws -> ProcessResult {
        var environment = ProcessInfo.processInfo.environment
        environment["LIFEBOAT_STANZA"] = stanza ?? self.stanza
        environment["LIFEBOAT_REPO_PATH"] = repository
        environment["LIFEBOAT_PG_HOST"] = cluster.socketDirectory
        environment["LIFEBOAT_PG_PORT"] = String(cluster.port)
        environment["LIFEBOAT_PG_USER"] = "postgres"
        environment["LIFEBOAT_PG_DATA"] = cluster.dataDirectory
        environment["LIFEBOAT_PROCESS_MAX"] = "2"
        environment["LIFEBOAT_LOCK_PATH"] = lockPath
        if let configPath { environment["LIFEBOAT_CONFIG"] = configPath }
        for (key, value) in extra { environment[key] = value }
        if let umask {
            return try await cluster.runAsClusterUser(
                "/bin/sh", ["-c", "umask \(umask) && exec \"$0\" \"$@\"", binary] + arguments, environment: environment)
        }
        return try await cluster.runAsClusterUser(binary, arguments, environment: environment)
    }

    /// Each lab's own lock directory, so labs running side by side never share a stanza lock.
    var lockPath: String { LifeboatExecutableDirectory.parent(of: binary) + "/locks" }

    /// Forces a WAL switch, waits until the segment it closed is in the repository, then until the
    /// archiver has nothing left to push.
    /// Why both: right after a backup the insert position sits on a segment boundary, where
    /// `pg_switch_wal()` is a no-op and the "closed" segment is one already archived, while the
    /// backup's `.backup` history file may still be on its way into the repository.
    func switchAndWaitForArchive(timeout: Double = 120) async throws {
        let lsn = try await cluster.query("SELECT pg_walfile_name(pg_current_wal_lsn()) AS name, pg_switch_wal()")
        guard let name = lsn.value(0, "name") else { throw LabError("no current WAL file") }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try archivedNames().contains(name) {
                try await waitUntilArchiverIdle()
                return
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        throw LabError("WAL segment \(name) was not archived within \(timeout) s")
    }

    /// Changes archive_command and waits until a new session sees it (a reload is asynchronous).
    func setArchiveCommand(_ command: String) async throws {
        _ = try await cluster.query("ALTER SYSTEM SET archive_command = '\(command)'")
        _ = try await cluster.query("SELECT pg_reload_conf()")
        for _ in 0..<600 {
            if try await cluster.query("SHOW archive_command").value(0, "archive_command") == command { return }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        throw LabError("archive_command was not reloaded")
    }

    /// Waits until the archiver has nothing left to push (no `.ready` file in pg_wal/archive_status):
    /// a backup returns once its own WAL is archived, but the `.backup` history file follows a moment later.
    func waitUntilArchiverIdle(timeout: Double = 60) async throws {
        let status = cluster.dataDirectory + "/pg_wal/archive_status"
        let deadline = Date().addingTimeInterval(timeout)
        var pending: [String] = []
        while Date() < deadline {
            pending = (try? FileManager.default.contentsOfDirectory(atPath: status))?.filter { $0.hasSuffix(".ready") } ?? []
            if pending.isEmpty { return }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        throw LabError("the archiver still has \(pending.sorted()) to push after \(timeout) s")
    }

    /// WAL names present in the repository's archive.
    func archivedNames() throws -> Set<String> {
        var names = Set<String>()
        let archive = repository + "/" + stanza + "/archive"
        for directory in (try? FileManager.default.contentsOfDirectory(atPath: archive)) ?? [] {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: archive + "/" + directory)) ?? [] {
                if let dash = file.firstIndex(of: "-") { names.insert(String(file[..<dash])) }
            }
        }
        return names
    }

    func count(_ sql: String, on server: RunningServer? = nil) async throws -> Int {
        let result: QueryResult
        if let server { result = try await server.query(sql) } else { result = try await cluster.query(sql) }
        guard let text = result.rows.first?.first ?? nil, let value = Int(text) else { throw LabError("no count from \(sql)") }
        return value
    }

    /// Every file of the repository with size and modification time: to prove a command changed nothing.
    func repositorySnapshot() -> [String: String] {
        var snapshot: [String: String] = [:]
        guard let walker = FileManager.default.enumerator(atPath: repository) else { return snapshot }
        while let path = walker.nextObject() as? String {
            let attributes = try? FileManager.default.attributesOfItem(atPath: repository + "/" + path)
            let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            snapshot[path] = "\(size)@\(modified)"
        }
        return snapshot
    }

    func destroy() async {
        await cluster.destroy()
        try? FileManager.default.removeItem(atPath: LifeboatExecutableDirectory.parent(of: binary))
    }
}

struct LabError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum LifeboatExecutableDirectory {
    static func parent(of path: String) -> String { (path as NSString).deletingLastPathComponent }
}

/// Temp directories the postgres OS user can reach (CI runs as root; postgres refuses to).
enum Sandbox {
    static var clusterUser: String { geteuid() == 0 ? "postgres" : String(cString: getpwuid(geteuid()).pointee.pw_name) }

    static func makeDirectory(prefix: String) throws -> String {
        var template = Array("/tmp/\(prefix).XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw LabError("mkdtemp failed") }
        let path = String(cString: created)
        chmod(path, 0o755)
        return path
    }

    /// A fresh temp directory owned by the cluster user (mode 0755).
    static func makeClusterUserDirectory(prefix: String) throws -> String {
        let path = try makeDirectory(prefix: prefix)
        giveToClusterUser(path)
        return path
    }

    static func giveToClusterUser(_ path: String) {
        if geteuid() == 0, let user = getpwnam("postgres") {
            chown(path, user.pointee.pw_uid, user.pointee.pw_gid)
        }
    }

    /// A directory owned by the cluster user, mode 0700.
    static func makeOwnedDirectory(_ path: String) throws {
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else { throw LabError("mkdir \(path) failed") }
        // The mode must not depend on the test process's umask.
        chmod(path, 0o700)
        if geteuid() == 0, let user = getpwnam("postgres") {
            chown(path, user.pointee.pw_uid, user.pointee.pw_gid)
        }
    }
}

/// Runs `body` with a fresh lab and always tears it down (servers stopped, temp dirs removed).
func withLab<T>(stanza: String = "main", archiving: Bool = true, initStanza: Bool = true, extraConfig: [String] = [],
                configLines: [String] = [], _ body: (Lab) async throws -> T) async throws -> T {
    let lab = try await Lab.start(stanza: stanza, archiving: archiving, initStanza: initStanza, extraConfig: extraConfig,
                                  configLines: configLines)
    do {
        let result = try await body(lab)
        await lab.destroy()
        return result
    } catch {
        await lab.destroy()
        throw error
    }
}
