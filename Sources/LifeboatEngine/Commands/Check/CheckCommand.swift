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
    /// The `stanza` a config file sets (its `[global]` section), nil when it is unreadable or sets none:
    /// how an archive_command without `--stanza` but with `--config FILE` names its stanza.
    public var stanzaInConfigFile: @Sendable (String) -> String?

    public init(rpo: PolicyDuration? = nil, backupMaxAge: PolicyDuration? = nil, drillMaxAge: PolicyDuration? = nil, archiveTimeoutSeconds: Double = 60,
                stanzaInConfigFile: @escaping @Sendable (String) -> String? = { _ in nil }) {
        self.rpo = rpo
        self.backupMaxAge = backupMaxAge
        self.drillMaxAge = drillMaxAge
        self.archiveTimeoutSeconds = archiveTimeoutSeconds
        self.stanzaInConfigFile = stanzaInConfigFile
    }
}

/// `lifeboat check`: the operator's one-shot health answer. Never throws for an unhealthy stanza:
/// each problem is a CRITICAL or WARNING line.
public enum CheckCommand {
    public static func run(_ context: EngineContext, options: CheckOptions) async -> [CheckLine] {
        var lines: [CheckLine] = []
        func add(_ name: String, _ status: CheckStatus, _ message: String) { lines.append(CheckLine(name: name, status: status, message: message)) }
        let now = Date()

        // Every configured repository: readable (stanza, backups, archive, drills) and writable (a probe
        // written and removed), one line each. The first that answers supplies the backup and drill facts.
        let targets = context.targets
        var readable: [(target: RepositoryTarget, facts: RepositoryFacts)] = []
        for target in targets {
            let several = targets.count > 1
            let prefix = several ? "\(target.label): " : ""
            do {
                let facts = try await RepositoryFacts.read(context.using(target))
                let probe = "\(context.stanza)/check-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
                try await target.storage.write(probe, contents: Array("lifeboat check\n".utf8), options: WriteOptions(durable: true))
                try await target.storage.remove(probe)
                readable.append((target, facts))
                lines.append(CheckLine(name: "repository", status: .ok, message: "\(prefix)stanza '\(context.stanza)' in '\(facts.repository)' is readable and writable",
                                       repo: several ? target.index : nil))
            } catch {
                lines.append(CheckLine(name: "repository", status: .critical, message: prefix + describe(error), repo: several ? target.index : nil))
            }
        }
        guard let repositoryFacts = readable.first?.facts else { return lines }

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
            var settings = archiveSettings(server.facts, stanza: context.stanza, stanzaInConfigFile: options.stanzaInConfigFile)
            if settings.stanzaUnknown && server.facts.inRecovery {
                // Only the end-to-end check could show where the WAL goes, and a standby cannot run it.
                settings.line.status = .warning
                settings.line.message += "; a standby cannot force a WAL switch to confirm it"
            }
            lines.append(settings.line)
            if settings.line.status == .ok && !server.facts.inRecovery {
                lines.append(await archiveEndToEnd(connection, repositories: readable.map(\.target), context: context,
                                                   timeout: options.archiveTimeoutSeconds))
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
    /// The stanza the command archives to comes from its `--stanza` flag, a `LIFEBOAT_STANZA=` prefix, or
    /// the config file it names (`--config FILE` or a `LIFEBOAT_CONFIG=` prefix), in lifeboat's own order
    /// of precedence. When none of them names it (the stanza comes from the server's environment or the
    /// default config file), `stanzaUnknown` is set: the line is OK and the end-to-end check decides.
    static func archiveSettings(_ facts: ServerFacts, stanza: String,
                                stanzaInConfigFile: (String) -> String? = { _ in nil }) -> (line: CheckLine, stanzaUnknown: Bool) {
        let name = "archive settings"
        guard facts.walLevel == "replica" || facts.walLevel == "logical" else {
            return (CheckLine(name: name, status: .critical, message: "wal_level is '\(facts.walLevel)': set wal_level = replica"), false)
        }
        guard facts.archiveMode == "on" || facts.archiveMode == "always" else {
            return (CheckLine(name: name, status: .critical, message: "archive_mode is '\(facts.archiveMode)': set archive_mode = on"), false)
        }
        let command = facts.archiveCommand
        let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "'" || $0 == "\"" }).map(String.init)
        guard words.contains("archive-push") else {
            return (CheckLine(name: name, status: .critical, message: "archive_command '\(command)' does not call lifeboat archive-push"), false)
        }
        let named = ArchiveCommandStanza.resolve(words: words, stanzaInConfigFile: stanzaInConfigFile)
        let settings = "wal_level \(facts.walLevel), archive_mode \(facts.archiveMode), archive_command calls lifeboat archive-push"
        switch named {
        case .named(let other, let source) where other != stanza:
            return (CheckLine(name: name, status: .critical, message: "archive_command '\(command)' archives to stanza '\(other)' (\(source)), not '\(stanza)'"), false)
        case .named(_, let source):
            return (CheckLine(name: name, status: .ok, message: "\(settings) for stanza '\(stanza)' (\(source))"), false)
        case .unknown:
            return (CheckLine(name: name, status: .ok, message: "\(settings) (its stanza is not named on the command: it comes from the server's environment or the default config file; the archive-push check confirms the WAL lands in stanza '\(stanza)')"), true)
        }
    }

    /// Writes a WAL record, switches segments, and waits until that segment is in every repository that
    /// answered (archive-push stores to all of them).
    static func archiveEndToEnd(_ connection: PostgresConnection, repositories: [RepositoryTarget], context: EngineContext, timeout: Double) async -> CheckLine {
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
            var waiting = repositories
            while Date() < deadline {
                var still: [RepositoryTarget] = []
                for target in waiting {
                    if try await context.using(target).repository.archived(wal).isEmpty { still.append(target) }
                }
                waiting = still
                if waiting.isEmpty {
                    let place = repositories.count > 1 ? "all \(repositories.count) repositories" : "the repository"
                    return CheckLine(name: name, status: .ok, message: "WAL segment \(file) reached \(place) \(String(format: "%.1f", Date().timeIntervalSince(started))) s after the switch")
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
            let place = repositories.count > 1 ? waiting.map(\.label).joined(separator: ", ") : "the repository"
            return CheckLine(name: name, status: .critical, message: "WAL segment \(file) did not reach \(place) within \(PolicyDuration.format(timeout)): see pg_stat_archiver and the server log")
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
