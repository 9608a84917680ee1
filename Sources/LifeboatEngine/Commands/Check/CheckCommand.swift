import Foundation
import LifeboatCore
import LifeboatPostgres
import LifeboatStorage

public struct CheckOptions: Sendable {
    public var rpo: PolicyDuration?
    public var backupMaxAge: PolicyDuration?
    public var drillMaxAge: PolicyDuration?
    /// How long to wait for the forced WAL switch's segment to reach the repository.
    public var archiveTimeoutSeconds: Double

    public init(rpo: PolicyDuration? = nil, backupMaxAge: PolicyDuration? = nil, drillMaxAge: PolicyDuration? = nil, archiveTimeoutSeconds: Double = 60) {
        self.rpo = rpo
        self.backupMaxAge = backupMaxAge
        self.drillMaxAge = drillMaxAge
        self.archiveTimeoutSeconds = archiveTimeoutSeconds
    }
}

/// `lifeboat check`: the operator's one-shot health answer. Never throws for an unhealthy stanza:
/// each problem is a CRITICAL or WARNING line.
public enum CheckCommand {
    public static func run(_ context: EngineContext, options: CheckOptions) async -> [CheckLine] {
        var lines: [CheckLine] = []
        func add(_ name: String, _ status: CheckStatus, _ message: String) { lines.append(CheckLine(name: name, status: status, message: message)) }
        let now = Date()

        // Repository: readable (stanza, backups, archive, drills) and writable (a probe written and removed).
        let repositoryFacts: RepositoryFacts
        do {
            repositoryFacts = try await RepositoryFacts.read(context)
            let probe = "\(context.stanza)/check-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            try await context.storage.write(probe, contents: Array("lifeboat check\n".utf8), options: WriteOptions(durable: true))
            try await context.storage.remove(probe)
            add("repository", .ok, "stanza '\(context.stanza)' in '\(repositoryFacts.repository)' is readable and writable")
        } catch {
            add("repository", .critical, describe(error))
            return lines
        }

        // PostgreSQL and its archiving settings.
        var server: ServerArchiveFacts?
        var connection: PostgresConnection?
        do {
            let connected = try await PostgresConnection.connect(context.connection)
            connection = connected
            let facts = try await ServerArchiveFacts.read(connected)
            server = facts
            if facts.facts.systemIdentifier != repositoryFacts.stanza.systemIdentifier {
                add("postgresql", .critical, "the server (system identifier \(facts.facts.systemIdentifier)) is not the cluster of stanza '\(context.stanza)' (\(repositoryFacts.stanza.systemIdentifier))")
            } else {
                add("postgresql", .ok, "reachable at \(context.connection.displayTarget), PostgreSQL \(facts.facts.versionNum / 10000)\(facts.facts.inRecovery ? ", a standby" : "")")
            }
        } catch {
            add("postgresql", .critical, describe(error))
        }
        defer { connection?.close() }

        if let server, let connection {
            lines.append(archiveSettings(server.facts, stanza: context.stanza))
            if lines.last?.status == .ok && !server.facts.inRecovery {
                lines.append(await archiveEndToEnd(connection, context: context, timeout: options.archiveTimeoutSeconds))
            } else {
                add("archive-push", .skipped, server.facts.inRecovery ? "the server is a standby: no WAL switch forced" : "archiving is not configured for this stanza")
            }
            let after = (try? await ServerArchiveFacts.read(connection)) ?? server
            lines.append(archiver(before: server, after: after, repository: repositoryFacts, rpo: options.rpo, now: now))
        } else {
            add("archiving", .skipped, "PostgreSQL is unreachable")
        }

        // Backups and drills, from the repository.
        let backupAge = repositoryFacts.newestBackup.map { now.timeIntervalSince($0.stopTime) }
        if let newest = repositoryFacts.newestBackup, let age = backupAge {
            if let limit = options.backupMaxAge, age > limit.seconds {
                add("backup", .critical, "newest backup \(newest.label) finished \(PolicyDuration.format(age)) ago, beyond backup-max-age \(limit)")
            } else {
                add("backup", .ok, "newest backup \(newest.label) finished \(PolicyDuration.format(age)) ago" + (options.backupMaxAge.map { " (backup-max-age \($0))" } ?? " (no backup-max-age set)"))
            }
        } else {
            add("backup", .critical, "no backup in stanza '\(context.stanza)'")
        }

        if let drill = repositoryFacts.newestDrill {
            let age = now.timeIntervalSince(drill.startedAt)
            if drill.outcome != .passed {
                let first = drill.failedChecks.first.map { "\($0.name): \($0.message)" } ?? "not ready"
                add("drill", .critical, "newest drill (\(PolicyDuration.format(age)) ago, backup \(drill.backupLabel)) failed: \(first)")
            } else if let limit = options.drillMaxAge, age > limit.seconds {
                add("drill", .warning, "newest drill passed \(PolicyDuration.format(age)) ago, beyond drill-max-age \(limit)")
            } else {
                add("drill", .ok, "newest drill passed \(PolicyDuration.format(age)) ago, ready in \(PolicyDuration.format(drill.timeToReadySeconds))")
            }
        } else if let limit = options.drillMaxAge {
            add("drill", .warning, "no drill recorded (drill-max-age \(limit)): run `lifeboat drill`")
        } else {
            add("drill", .skipped, "no drill recorded and no drill-max-age set")
        }
        return lines
    }

    /// wal_level, archive_mode and an archive_command that calls `lifeboat archive-push` for this stanza.
    static func archiveSettings(_ facts: ServerFacts, stanza: String) -> CheckLine {
        let name = "archive settings"
        guard facts.walLevel == "replica" || facts.walLevel == "logical" else {
            return CheckLine(name: name, status: .critical, message: "wal_level is '\(facts.walLevel)': set wal_level = replica")
        }
        guard facts.archiveMode == "on" || facts.archiveMode == "always" else {
            return CheckLine(name: name, status: .critical, message: "archive_mode is '\(facts.archiveMode)': set archive_mode = on")
        }
        let command = facts.archiveCommand
        let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "'" || $0 == "\"" }).map(String.init)
        guard words.contains("archive-push") else {
            return CheckLine(name: name, status: .critical, message: "archive_command '\(command)' does not call lifeboat archive-push")
        }
        let stanzas = zip(words, words.dropFirst()).filter { $0.0 == "--stanza" }.map(\.1) + words.filter { $0.hasPrefix("--stanza=") }.map { String($0.dropFirst(9)) }
        if !stanzas.isEmpty && !stanzas.contains(stanza) {
            return CheckLine(name: name, status: .critical, message: "archive_command '\(command)' archives to stanza '\(stanzas[0])', not '\(stanza)'")
        }
        let note = stanzas.isEmpty ? " (no --stanza on it: the stanza comes from its environment or config file)" : ""
        return CheckLine(name: name, status: stanzas.isEmpty ? .warning : .ok,
                         message: "wal_level \(facts.walLevel), archive_mode \(facts.archiveMode), archive_command calls lifeboat archive-push\(note)")
    }

    /// Writes a WAL record, switches segments, and waits until that segment is in the repository.
    static func archiveEndToEnd(_ connection: PostgresConnection, context: EngineContext, timeout: Double) async -> CheckLine {
        let name = "archive-push"
        do {
            // Something to switch: a logical message is a WAL record written outside any table (a role
            // without EXECUTE on it still gets a meaningful answer below).
            _ = try? await connection.query("SELECT pg_logical_emit_message(false, 'lifeboat', 'check')")
            // pg_switch_wal() returns the end of the segment it closed; with nothing to close, the start of
            // the current one, whose pg_walfile_name is the previous (already closed) segment.
            let switched = try await connection.query("SELECT pg_walfile_name(pg_switch_wal()) AS name")
            guard let file = switched.value(0, "name"), let wal = WALFileName(file) else {
                return CheckLine(name: name, status: .critical, message: "the server did not name its current WAL file")
            }
            let started = Date()
            let deadline = started.addingTimeInterval(timeout)
            while Date() < deadline {
                if !(try await context.repository.archived(wal)).isEmpty {
                    return CheckLine(name: name, status: .ok, message: "WAL segment \(file) reached the repository \(String(format: "%.1f", Date().timeIntervalSince(started))) s after the switch")
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
            return CheckLine(name: name, status: .critical, message: "WAL segment \(file) did not reach the repository within \(PolicyDuration.format(timeout)): see pg_stat_archiver and the server log")
        } catch {
            return CheckLine(name: name, status: .critical, message: "forcing a WAL switch failed: \(describe(error))")
        }
    }

    /// pg_stat_archiver: no new failure, and the last archived segment younger than the RPO when WAL is waiting.
    static func archiver(before: ServerArchiveFacts, after: ServerArchiveFacts, repository: RepositoryFacts, rpo: PolicyDuration?, now: Date) -> CheckLine {
        let name = "archiver"
        if after.failedCount > before.failedCount || after.archiverFailing {
            return CheckLine(name: name, status: .critical, message: "archiving is failing: pg_stat_archiver failed_count \(after.failedCount), last failure newer than the last success")
        }
        let facts = RecoveryObjectives.ArchiveFacts(repository: repository, server: before, now: now)
        let age = before.lastArchivedAgeSeconds.map(PolicyDuration.format) ?? "never"
        if let rpo, let loss = facts.worstCaseLossSeconds, loss > rpo.seconds {
            return CheckLine(name: name, status: .warning, message: "WAL written \(PolicyDuration.format(loss)) ago was not archived yet, beyond rpo \(rpo) (last archived \(age) ago)")
        }
        return CheckLine(name: name, status: .ok, message: "failed_count \(after.failedCount) not increasing, last archived \(age) ago" + (rpo.map { " (rpo \($0))" } ?? " (no rpo set)"))
    }

    static func describe(_ error: any Error) -> String {
        (error as? LifeboatError)?.description ?? "\(error)"
    }
}
