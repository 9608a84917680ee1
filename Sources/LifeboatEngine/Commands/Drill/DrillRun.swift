import Foundation
import LifeboatCore
import LifeboatPostgres

/// The steps of one drill, each turning its failure into a failed check. Stops at the first step
/// that leaves nothing to check further (restore, start, recovery); the caller cleans up.
struct DrillRun {
    let context: EngineContext
    let scratch: ScratchDirectory
    let role: String
    let database: String

    var checks: [DrillCheck] = []
    var server: ScratchServer?
    var restoreSeconds = 0.0
    var recoverySeconds = 0.0
    /// The server left recovery: the restore is usable.
    var ready = false
    /// The target time lies after the last commit in the archive (see `perform`).
    var pastLastCommit = false

    static let targetNotReached = "recovery ended before configured recovery target was reached"

    private mutating func record(_ name: String, _ outcome: DrillCheck.Outcome, _ message: String) {
        checks.append(DrillCheck(name: name, outcome: outcome, message: message))
        let line = "drill check \(name): \(outcome.rawValue): \(message)"
        if outcome == .failed { context.logger.error("\(line)") } else { context.logger.info("\(line)") }
    }

    mutating func perform(manifest: BackupManifest, target: RecoveryTarget, userChecks: [(file: String, statements: [String])],
                          timeoutSeconds: Double) async {
        // 1. Restore with the normal engine: every file's SHA-256 verified, archive_mode off.
        let restoreStarted = ProgressMeter.now()
        do {
            let map = Dictionary(uniqueKeysWithValues: manifest.tablespaces.map { ($0.oid, scratch.tablespace($0.oid)) })
            let restore = RestoreOptions(
                pgData: scratch.dataDirectory, set: manifest.label, target: target,
                targetAction: target == .endOfArchive ? nil : .promote, tablespaceMap: map, archiveModeOff: true)
            let report = try await RestoreCommand.run(context, options: restore)
            try scratch.ensureConfigurationFile()
            try scratch.giveToServerUser()
            restoreSeconds = ProgressMeter.now() - restoreStarted
            record("restore", .passed, "backup '\(report.label)' restored: \(report.files) files, \(ByteFormat.human(report.size)), every file's SHA-256 verified")
        } catch {
            restoreSeconds = ProgressMeter.now() - restoreStarted
            record("restore", .failed, describe(error))
            return
        }

        // 2. Start a throwaway server and wait until recovery reaches its target and promotes.
        let server: ScratchServer
        do {
            server = ScratchServer(
                dataDirectory: scratch.dataDirectory, socketDirectory: scratch.socketDirectory, logFile: scratch.logFile,
                hbaFile: scratch.hbaFile, port: try ScratchPort.pick(), osUser: scratch.osUser, role: role)
        } catch {
            record("start", .failed, describe(error))
            return
        }
        self.server = server
        let recoveryStarted = ProgressMeter.now()
        do {
            do {
                try await server.start(timeoutSeconds: Int(timeoutSeconds.rounded(.up)))
                try await server.awaitPromotion(deadline: Date().addingTimeInterval(timeoutSeconds))
            } catch {
                // A time target after the last archived commit: PostgreSQL replays the whole archive,
                // never sees a later commit and refuses to promote. The copy then holds exactly the
                // state at the target, so promote it at the end of the archive.
                guard case .time = target, !server.isRunning, server.logText().contains(Self.targetNotReached) else { throw error }
                context.logger.info("no archived commit after the target time: recovery replayed the whole archive; promoting at its end")
                try scratch.dropTimeTarget()
                try scratch.giveToServerUser()
                pastLastCommit = true
                try await server.start(timeoutSeconds: Int(timeoutSeconds.rounded(.up)))
                try await server.awaitPromotion(deadline: Date().addingTimeInterval(timeoutSeconds))
            }
            recoverySeconds = ProgressMeter.now() - recoveryStarted
            ready = true
            record("out of recovery", .passed, "the server replayed WAL and promoted in \(String(format: "%.2f", recoverySeconds)) s")
        } catch {
            recoverySeconds = ProgressMeter.now() - recoveryStarted
            record("out of recovery", .failed, describe(error))
            return
        }

        // 3. Checks on the running copy.
        await checkIsolation(server)
        await checkRecoveryTarget(server, target: target)
        let databases = await checkDatabases(server)
        await checkAmcheck(server, databases: databases)
        await runUserChecks(server, userChecks)
        let checksumsOn = (try? await query(server, "SHOW data_checksums"))?.rows.first?.first == "on"

        // 4. A clean stop, then page checksums over the whole copy.
        do {
            try await server.stop()
            record("clean stop", .passed, "the server shut down cleanly")
        } catch {
            record("clean stop", .failed, describe(error))
            return
        }
        await checkPageChecksums(enabled: checksumsOn)
    }

    /// The copy must be unreachable over TCP and must not archive into the real repository.
    private mutating func checkIsolation(_ server: ScratchServer) async {
        do {
            let result = try await query(server, "SELECT current_setting('listen_addresses') AS listen, current_setting('archive_mode') AS archive")
            let listen = result.value(0, "listen") ?? "?", archive = result.value(0, "archive") ?? "?"
            if listen.isEmpty && archive == "off" {
                record("isolation", .passed, "no TCP listener (listen_addresses ''), archive_mode off, socket in \(server.socketDirectory)")
            } else {
                record("isolation", .failed, "listen_addresses '\(listen)', archive_mode '\(archive)': the scratch server is not isolated")
            }
        } catch {
            record("isolation", .failed, describe(error))
        }
    }

    /// The last replayed commit must not be after the target: recovery stopped where it was told.
    /// pg_last_xact_replay_timestamp() keeps its value after promotion.
    private mutating func checkRecoveryTarget(_ server: ScratchServer, target: RecoveryTarget) async {
        do {
            let result = try await query(server, "SELECT extract(epoch FROM pg_last_xact_replay_timestamp())::text AS t")
            let replayed = result.rows.first?.first.flatMap { $0 }.flatMap(Double.init).map(Date.init(timeIntervalSince1970:))
            let replayedText = replayed.map(TargetTime.postgresText) ?? "none (no transaction replayed after the backup)"
            switch target {
            case .time(let time):
                if let replayed, replayed.timeIntervalSince1970 > time.timeIntervalSince1970 + 0.000_001 {
                    record("recovery target", .failed, "last replayed commit at \(replayedText) is after the target \(TargetTime.postgresText(time))")
                } else {
                    let note = pastLastCommit ? " (no archived commit after the target: the whole archive was replayed)" : ""
                    record("recovery target", .passed, "last replayed commit at \(replayedText) ≤ target \(TargetTime.postgresText(time))\(note)")
                }
            default:
                record("recovery target", .passed, "replayed to the end of the archive; last replayed commit at \(replayedText)")
            }
        } catch {
            record("recovery target", .failed, describe(error))
        }
    }

    /// Every database that allows connections accepts one.
    private mutating func checkDatabases(_ server: ScratchServer) async -> [String] {
        let names: [String]
        do {
            names = try await query(server, "SELECT datname FROM pg_database WHERE datallowconn ORDER BY datname").rows.compactMap { $0.first ?? nil }
        } catch {
            record("databases", .failed, describe(error))
            return []
        }
        var refused: [String] = []
        for name in names {
            do {
                _ = try await query(server, "SELECT 1", database: name)
            } catch {
                refused.append("\(name) (\(error.message))")
            }
        }
        if refused.isEmpty {
            record("databases", .passed, "\(names.count) databases accept connections: \(names.joined(separator: ", "))")
        } else {
            record("databases", .failed, "databases refusing connections: \(refused.joined(separator: "; "))")
        }
        return names
    }

    /// pg_amcheck --all over every table and B-tree index, when the amcheck extension is installable.
    private mutating func checkAmcheck(_ server: ScratchServer, databases: [String]) async {
        do {
            let available = try await query(server, "SELECT count(*) FROM pg_available_extensions WHERE name = 'amcheck'").rows.first?.first == "1"
            guard available else {
                record("amcheck", .skipped, "the amcheck extension is not installed on this host (postgresql-contrib)")
                return
            }
            let program = try PostgresBinaries.path(of: "pg_amcheck", major: 15)
            let settings = server.connectionSettings(database: database)
            let result = try await ProcessRunner.run(
                program, ["--all", "--install-missing", "-h", server.socketDirectory, "-p", String(server.port), "-U", role, "-d", settings.database ?? "postgres"],
                environment: ["PGCONNECT_TIMEOUT": "10"])
            if result.succeeded {
                record("amcheck", .passed, "pg_amcheck --all found no corruption in \(databases.count) databases")
            } else {
                let output = (result.stdout + "\n" + result.stderr).split(separator: "\n").prefix(5).joined(separator: " | ")
                record("amcheck", .failed, "pg_amcheck --all exited \(result.exitCode): \(output)")
            }
        } catch {
            record("amcheck", .failed, describe(error))
        }
    }

    /// Each statement of each --check-sql file must return a single true value.
    private mutating func runUserChecks(_ server: ScratchServer, _ files: [(file: String, statements: [String])]) async {
        for (file, statements) in files {
            for (index, statement) in statements.enumerated() {
                let name = "sql \(LocalFS.baseName(of: file))#\(index + 1)"
                do {
                    let result = try await query(server, statement)
                    let value = result.rows.first?.first ?? nil
                    if result.rows.count == 1, result.columns.count == 1, value == "t" {
                        record(name, .passed, statement)
                    } else {
                        let got = result.rows.isEmpty ? "no row" : (value.map { "'\($0)'" } ?? "NULL")
                        record(name, .failed, "\(statement) — returned \(got), expected true")
                    }
                } catch {
                    record(name, .failed, "\(statement) — \(error.message)")
                }
            }
        }
    }

    private mutating func checkPageChecksums(enabled: Bool) async {
        guard enabled else {
            record("page checksums", .skipped, "the cluster was initialised without data checksums")
            return
        }
        do {
            let program = try PostgresBinaries.path(of: "pg_checksums", major: 15)
            let result = try await ProcessRunner.run(program, ["--check", "-D", scratch.dataDirectory], asUser: scratch.osUser)
            if result.succeeded {
                record("page checksums", .passed, "pg_checksums --check verified every page")
            } else {
                let output = (result.stdout + "\n" + result.stderr).split(separator: "\n").prefix(5).joined(separator: " | ")
                record("page checksums", .failed, "pg_checksums --check exited \(result.exitCode): \(output)")
            }
        } catch {
            record("page checksums", .failed, describe(error))
        }
    }

    private func query(_ server: ScratchServer, _ sql: String, database: String? = nil) async throws(LifeboatError) -> QueryResult {
        let connection = try await PostgresConnection.connect(server.connectionSettings(database: database ?? self.database))
        defer { connection.close() }
        return try await connection.query(sql)
    }

    private func describe(_ error: any Error) -> String {
        (error as? LifeboatError)?.description ?? "\(error)"
    }
}
