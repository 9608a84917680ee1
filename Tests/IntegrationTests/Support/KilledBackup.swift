import Foundation
import LifeboatPostgres

extension Lab {
    /// Starts `lifeboat backup --start-fast` as the cluster user and SIGKILLs it (no clean-up code runs,
    /// as after a power cut or an OOM kill) as soon as a repository path matching the shell glob
    /// `watch` (relative to the stanza's backup directory) exists: a moment chosen by what the backup
    /// has done, not by a clock, so a loaded machine cannot make it miss. Exit 137 = killed as meant;
    /// 200 = the backup ended before the moment came.
    func backupKilled(when watch: String, environment extra: [String: String] = [:]) async throws -> ProcessResult {
        var environment = ProcessInfo.processInfo.environment
        environment["LIFEBOAT_STANZA"] = stanza
        environment["LIFEBOAT_REPO_PATH"] = repository
        environment["LIFEBOAT_PG_HOST"] = cluster.socketDirectory
        environment["LIFEBOAT_PG_PORT"] = String(cluster.port)
        environment["LIFEBOAT_PG_USER"] = "postgres"
        environment["LIFEBOAT_LOCK_PATH"] = lockPath
        for (key, value) in extra { environment[key] = value }
        let script = """
            "$0" backup --start-fast & pid=$!
            tries=0
            while ! ls -d \(repository)/\(stanza)/backup/\(watch) >/dev/null 2>&1; do
              if ! kill -0 $pid 2>/dev/null; then wait $pid; exit 200; fi
              tries=$((tries + 1)); [ $tries -gt 30000 ] && break
              sleep 0.01
            done
            kill -KILL $pid; wait $pid; exit $?
            """
        return try await cluster.runAsClusterUser("/bin/sh", ["-c", script, binary], environment: environment)
    }
}
