#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LifeboatCore
import LifeboatPostgres

/// `lifeboat drill`: proves a backup restores. Restores it into a scratch directory with the normal
/// restore engine, starts a throwaway PostgreSQL that replays archived WAL to the target and
/// promotes, runs the built-in and the user's checks, times it all against the `rto`, cleans up,
/// records the result in the repository and calls `notify-command` on failure.
///
/// Errors in what was asked (unknown set, target outside the recoverable window, unreadable check
/// file) throw before anything is created. Everything after that is part of the drill: a failure is a
/// failed check in the returned report, never a throw.
public enum DrillCommand {
    public static func run(_ context: EngineContext, options: DrillOptions) async throws -> DrillReport {
        let startedAt = Date()
        try await context.requireRepository()
        let repository = context.repository
        let stanza = try await repository.loadStanza()
        let segmentSize = WALSegmentSize(bytes: stanza.walSegmentSize) ?? .default16MiB
        let userChecks = try loadCheckFiles(options.checkSQLFiles)
        let target = try await resolveTarget(options.target, repository: repository, segmentSize: segmentSize)
        let restoreTarget: RecoveryTarget = target.map { .time($0) } ?? .endOfArchive
        let manifest = try await RestoreCommand.chooseBackup(
            repository, options: RestoreOptions(pgData: "", set: options.set, target: restoreTarget), segmentSize: segmentSize)

        let scratch = try ScratchDirectory.create(under: LocalFS.absolute(options.drillPath), stanza: context.stanza)
        let guardian = InterruptGuard()
        guardian.watch(scratchDirectory: scratch.root, dataDirectory: scratch.dataDirectory, keep: options.keep)
        context.logger.info("drill of backup '\(manifest.label)' to \(RecoverySettings.describe(restoreTarget)) in '\(scratch.root)'")

        var run = DrillRun(context: context, scratch: scratch, role: context.connection.user ?? (OSUser.isRoot ? "postgres" : OSUser.currentName),
                           database: context.connection.database ?? "postgres")
        await run.perform(manifest: manifest, target: restoreTarget, userChecks: userChecks, timeoutSeconds: options.timeoutSeconds)

        // Cleanup happens whatever happened above: every process the drill started is stopped.
        guardian.beginCleanup()
        await run.server?.teardown()
        if let server = run.server, server.isRunning {
            run.checks.append(DrillCheck(name: "cleanup", outcome: .failed, message: "the scratch PostgreSQL on '\(scratch.dataDirectory)' could not be stopped"))
        }
        if !options.keep { scratch.remove() }
        guardian.release()

        let timeToReady = run.restoreSeconds + run.recoverySeconds
        var rtoMet: Bool?
        if let rto = options.rto, run.ready {
            rtoMet = timeToReady <= rto.seconds
            run.checks.append(DrillCheck(
                name: "rto", outcome: rtoMet! ? .passed : .failed,
                message: "ready in \(PolicyDuration.format(timeToReady)) (\(String(format: "%.2f", timeToReady)) s) against an rto of \(rto)"))
        } else if options.rto == nil {
            run.checks.append(DrillCheck(name: "rto", outcome: .skipped, message: "no rto set"))
        }
        var report = DrillReport(
            stanza: context.stanza, outcome: run.checks.contains { $0.outcome == .failed } || !run.ready ? .failed : .passed,
            startedAt: startedAt, finishedAt: Date(), backupLabel: manifest.label, target: RecoverySettings.describe(restoreTarget),
            targetTime: target, restoreSeconds: run.restoreSeconds, recoverySeconds: run.recoverySeconds,
            timeToReadySeconds: timeToReady, rtoSeconds: options.rto?.seconds, rtoMet: rtoMet, checks: run.checks,
            lifeboatVersion: LifeboatVersion.current, host: hostName(), scratchDirectory: scratch.root, kept: options.keep, record: nil)

        // One place where the result leaves the drill: the repository record (and the audit trail).
        do {
            report.record = try await DrillRecords(repository: repository).save(report)
        } catch {
            context.logger.error("the drill result could not be recorded in the repository: \(error)")
        }
        do {
            _ = try await AuditTrail(storage: context.storage, stanza: context.stanza).append(report.auditEvent)
        } catch {
            context.logger.error("the drill result could not be appended to the audit trail: \(error)")
        }
        if report.outcome == .failed, let command = options.notifyCommand {
            await DrillNotifier.notify(command: command, json: (try? report.recordJSON()) ?? [], logger: context.logger)
        }
        return report
    }

    /// The target time: the one given, a random moment in the recoverable window, or none (end of archive).
    static func resolveTarget(_ target: DrillOptions.Target, repository: Repository, segmentSize: WALSegmentSize) async throws -> Date? {
        switch target {
        case .endOfArchive: return nil
        case .time(let date): return date
        case .random:
            let summaries = try await repository.backups().map(BackupSummary.init)
            let archived = try await repository.archivedSegments(segmentSize: segmentSize)
            guard let window = RecoverableWindow.compute(backups: summaries, archivedAt: archived, segmentSize: segmentSize) else {
                throw LifeboatError(.targetOutOfRange, "no backup in stanza '\(repository.stanza)' has its WAL archived: no recoverable window to pick from",
                                    hint: "take a backup and let its WAL be archived; see `lifeboat info`")
            }
            let span = window.latest.timeIntervalSince(window.earliest)
            // Whole microseconds, as recovery_target_time carries them.
            let offset = span > 0 ? (Double.random(in: 0...span) * 1_000_000).rounded(.down) / 1_000_000 : 0
            return window.earliest.addingTimeInterval(offset)
        }
    }

    /// Every check file read and split up front: a missing or empty file is bad input, found before any work.
    static func loadCheckFiles(_ paths: [String]) throws(LifeboatError) -> [(file: String, statements: [String])] {
        try paths.map { (path: String) throws(LifeboatError) -> (file: String, statements: [String]) in
            let bytes: [UInt8]
            do {
                bytes = try LocalFS.readFile(LocalFS.absolute(path))
            } catch {
                throw LifeboatError(.invalidArgument, "check-sql file '\(path)' cannot be read: \((error as? LifeboatError)?.message ?? "\(error)")")
            }
            let statements = SQLStatements.split(String(decoding: bytes, as: UTF8.self))
            guard !statements.isEmpty else {
                throw LifeboatError(.invalidArgument, "check-sql file '\(path)' holds no SQL statement",
                                    hint: "write one query per statement, each returning true, separated by ';'")
            }
            return (path, statements)
        }
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "unknown" }
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
