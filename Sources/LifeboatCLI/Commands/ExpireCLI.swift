import ArgumentParser
import LifeboatCore
import LifeboatEngine

/// The retention options, shared by `expire` and by `backup` (which expires automatically afterwards).
/// Policies are per repository: `repo<N>-retention-…` (hidden flags for N = 1…4; any N through
/// LIFEBOAT_REPO<N>_RETENTION_… or the config file) overrides the unindexed `retention-…` for repository N.
struct RetentionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Keep this many full backups (with their diff/incr backups).", valueName: "n"))
    var retentionFull: String?

    @Option(help: ArgumentHelp("Keep this many differential backups (with their incr backups).", valueName: "n"))
    var retentionDiff: String?

    @Option(help: ArgumentHelp("Keep what restores to any moment of this window: 90s, 30min, 12h, 7d, 4w, 6m (months), 1y.", valueName: "window"))
    var retentionWindow: String?

    @Option(help: ArgumentHelp("Never keep fewer full backups than this, whatever the other rules say.", valueName: "n"))
    var retentionMinFull: String?

    @OptionGroup var indexed: IndexedRetentionFlags

    var given: [String: String] {
        var values = indexed.given
        values["retention-full"] = retentionFull
        values["retention-diff"] = retentionDiff
        values["retention-window"] = retentionWindow
        values["retention-min-full"] = retentionMinFull
        return values
    }
}

/// `--repo-retention-…` and `--repo<N>-retention-…` for N = 1…4 (hidden to keep --help readable).
struct IndexedRetentionFlags: ParsableArguments {
    @Option(name: .customLong("repo-retention-full"), help: .hidden) var repoFull: String?
    @Option(name: .customLong("repo-retention-diff"), help: .hidden) var repoDiff: String?
    @Option(name: .customLong("repo-retention-window"), help: .hidden) var repoWindow: String?
    @Option(name: .customLong("repo-retention-min-full"), help: .hidden) var repoMinFull: String?
    @Option(name: .customLong("repo1-retention-full"), help: .hidden) var repo1Full: String?
    @Option(name: .customLong("repo1-retention-diff"), help: .hidden) var repo1Diff: String?
    @Option(name: .customLong("repo1-retention-window"), help: .hidden) var repo1Window: String?
    @Option(name: .customLong("repo1-retention-min-full"), help: .hidden) var repo1MinFull: String?
    @Option(name: .customLong("repo2-retention-full"), help: .hidden) var repo2Full: String?
    @Option(name: .customLong("repo2-retention-diff"), help: .hidden) var repo2Diff: String?
    @Option(name: .customLong("repo2-retention-window"), help: .hidden) var repo2Window: String?
    @Option(name: .customLong("repo2-retention-min-full"), help: .hidden) var repo2MinFull: String?
    @Option(name: .customLong("repo3-retention-full"), help: .hidden) var repo3Full: String?
    @Option(name: .customLong("repo3-retention-diff"), help: .hidden) var repo3Diff: String?
    @Option(name: .customLong("repo3-retention-window"), help: .hidden) var repo3Window: String?
    @Option(name: .customLong("repo3-retention-min-full"), help: .hidden) var repo3MinFull: String?
    @Option(name: .customLong("repo4-retention-full"), help: .hidden) var repo4Full: String?
    @Option(name: .customLong("repo4-retention-diff"), help: .hidden) var repo4Diff: String?
    @Option(name: .customLong("repo4-retention-window"), help: .hidden) var repo4Window: String?
    @Option(name: .customLong("repo4-retention-min-full"), help: .hidden) var repo4MinFull: String?

    var given: [String: String] {
        var values: [String: String] = [:]
        let prefixes = ["repo", "repo1", "repo2", "repo3", "repo4"]
        let full = [repoFull, repo1Full, repo2Full, repo3Full, repo4Full]
        let diff = [repoDiff, repo1Diff, repo2Diff, repo3Diff, repo4Diff]
        let window = [repoWindow, repo1Window, repo2Window, repo3Window, repo4Window]
        let minFull = [repoMinFull, repo1MinFull, repo2MinFull, repo3MinFull, repo4MinFull]
        for (position, prefix) in prefixes.enumerated() {
            values["\(prefix)-retention-full"] = full[position]
            values["\(prefix)-retention-diff"] = diff[position]
            values["\(prefix)-retention-window"] = window[position]
            values["\(prefix)-retention-min-full"] = minFull[position]
        }
        return values
    }
}

extension ResolvedOptions {
    /// Repository `index`'s policy. Each rule separately: `repo<N>-retention-X`, then (repository 1)
    /// `repo-retention-X`, then `retention-X`, each name from flag, environment and config file in turn.
    func retentionPolicy(repository index: Int) throws(LifeboatError) -> RetentionPolicy {
        func named(_ rule: String) -> (option: String, text: String)? {
            var names = ["repo\(index)-\(rule)"]
            if index == 1 { names.append("repo-\(rule)") }
            names.append(rule)
            for name in names {
                if let text = string(name) { return (name, text) }
            }
            return nil
        }
        func count(_ rule: String) throws(LifeboatError) -> Int? {
            guard let (option, _) = named(rule) else { return nil }
            return try int(option, default: 0, range: 1...9_999_999)
        }
        var window: RetentionWindow?
        if let (option, text) = named("retention-window") { window = try RetentionWindow(parsing: text, option: option) }
        return RetentionPolicy(
            full: try count("retention-full"), diff: try count("retention-diff"), window: window,
            minFull: try count("retention-min-full"))
    }

    /// The policy of the repository the command works on (`--repo N`, default the first configured one).
    var retentionPolicy: RetentionPolicy {
        get throws(LifeboatError) { try retentionPolicy(repository: try selectedRepositoryIndex()) }
    }
}

struct ExpireCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expire",
        abstract: "Remove the backups and WAL the retention policy no longer keeps.",
        discussion: """
            retention-full N keeps the N newest full backups with their diff/incr backups; retention-diff N keeps \
            the N newest differential backups; retention-window (90s, 30min, 12h, 7d, 4w, 6m, 1y: s seconds, min \
            minutes, h hours, d days, w weeks, m calendar months, y years) keeps what restores to any \
            moment of the window, i.e. also the newest backup older than its start and all WAL from it on; \
            retention-min-full N never goes below N full backups; pinned backups stay (`lifeboat pin`). \
            With retention-full and retention-window both set, the longer horizon wins. No policy: nothing is removed.

            Policies are per repository: repo<N>-retention-full, -diff, -window and -min-full (config file, \
            LIFEBOAT_REPO<N>_RETENTION_…, or --repo<N>-retention-… for N up to 4) override retention-… for \
            repository N, rule by rule; repo-retention-… means repository 1. `expire --repo N` (and the automatic \
            expire after `backup --repo N`) applies repository N's policy. dry-run is also a config/env option \
            (dry-run = y, LIFEBOAT_DRY_RUN=y).

            --set LABEL removes that backup and everything that depends on it even where the policy would keep \
            it (e.g. a diff/incr whose full is gone, which expire otherwise keeps and names); a pinned backup or \
            one retention-min-full needs is refused. A backup is removed only together with everything that depends on it. Archived WAL that no retained \
            backup needs is removed per timeline, last. Killed at any point, the repository stays consistent and \
            the next expire finishes the job. Runs automatically after each successful backup (expire-auto, default y).

            EXAMPLES:
              lifeboat expire --stanza main --repo-path /var/lib/lifeboat --retention-full 2 --dry-run
              lifeboat expire --stanza main --retention-window 30d --retention-min-full 2
              lifeboat expire --stanza main --repo 2 --repo2-retention-full 4 --output json
              lifeboat expire --stanza main --set 20261121-130759F_20261122-010000I --dry-run
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var retention: RetentionOptions

    @Flag(help: "Print what would be removed and why; change nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp(
        "Remove this backup and every backup that depends on it, whatever the policy keeps (refused for a pinned one, or below retention-min-full). The policy's own removals apply too.",
        valueName: "label"))
    var set: String?

    var given: [String: String] {
        var given = common.given.merging(retention.given) { $1 }
        if dryRun { given["dry-run"] = "y" }
        given["set"] = set
        return given
    }

    func run() async throws {
        let options = try ResolvedOptions.resolve(given: given, configFlag: common.config, environment: Environment.current())
        let isDryRun = try options.bool("dry-run", flag: self.dryRun)
        let run: (EngineContext) async throws -> ExpireReport = { context in
            try await ExpireCommand.run(context, options: ExpireOptions(
                policy: try options.retentionPolicy, dryRun: isDryRun, set: options.string("set")))
        }
        if isDryRun {
            // A dry run changes nothing, not even the audit trail.
            try await CommandRunner.run(format: try options.outputFormat, { try await run(try options.context()) }, text: ExpireText.render)
        } else {
            try await Audited.run(options, command: "expire", run, event: ExpireText.auditEvent, text: ExpireText.render)
        }
    }
}

enum ExpireText {
    static func render(_ report: ExpireReport) -> String {
        let verb = report.dryRun ? "would remove" : "removed"
        var lines = ["expire stanza \(report.stanza)\(report.set.map { " --set \($0)" } ?? "")\(report.dryRun ? " (dry run: nothing is removed)" : "")"]
        let policy = report.policy.keys.sorted().map { "\($0)=\(report.policy[$0]!)" }
        lines.append("  policy: \(policy.isEmpty ? "none" : policy.joined(separator: " ")) (repo \(report.repo))")
        for label in report.abandoned { lines.append("  \(verb) interrupted backup \(label) (no manifest: never completed)") }
        for backup in report.backups {
            lines.append("  \(verb) \(backup.type.rawValue) backup \(backup.label): \(backup.rule): \(backup.reason)")
        }
        for range in report.wal {
            lines.append("  \(verb) WAL timeline \(range.timeline) \(range.first) → \(range.last) (\(range.segments) segments, \(range.files) files, \(Bytes.text(range.storedBytes))): \(range.reason)")
        }
        for name in report.history { lines.append("  \(verb) \(name): no retained backup reaches its timeline") }
        if report.backups.isEmpty && report.wal.isEmpty && report.history.isEmpty && report.abandoned.isEmpty {
            lines.append("  nothing to remove")
        }
        lines.append("  kept: \(report.kept.isEmpty ? "no backups" : report.kept.joined(separator: ", "))")
        for note in report.notes { lines.append("  note: \(note)") }
        return lines.joined(separator: "\n")
    }

    static func auditEvent(_ report: ExpireReport) -> AuditEvent {
        var details = report.policy
        details["set"] = report.set
        if !report.abandoned.isEmpty { details["interrupted"] = report.abandoned.joined(separator: ",") }
        if !report.wal.isEmpty {
            details["wal"] = report.wal.map { "\($0.first)-\($0.last)" }.joined(separator: ",")
        }
        return AuditEvent(
            command: "expire", outcome: .ok, labels: report.backups.map(\.label),
            sizes: ["removed": report.storedBytes, "walFiles": UInt64(report.wal.reduce(0) { $0 + $1.files })], details: details)
    }
}

/// `expire-auto`: after a successful backup, apply the retention policy (audited like a manual expire).
/// The backup is complete and listed whatever happens here; a failed expire makes the command exit
/// non-zero with its own error so that cron/monitoring notices.
enum AutoExpire {
    /// Checked before the backup starts: a typo in the policy must not cost a backup.
    static func validate(_ options: ResolvedOptions) throws(LifeboatError) {
        _ = try enabled(options)
        _ = try options.retentionPolicy
    }

    static func enabled(_ options: ResolvedOptions) throws(LifeboatError) -> Bool {
        options.string("expire-auto") == nil ? true : try options.bool("expire-auto", flag: false)
    }

    static func afterBackup(_ options: ResolvedOptions) async throws {
        guard try enabled(options) else { return }
        let policy = try options.retentionPolicy
        guard !policy.removesNothing else { return }
        let context = try options.context()
        let trail = AuditTrail(storage: context.storage, stanza: context.stanza)
        do {
            let report = try await ExpireCommand.run(context, options: ExpireOptions(policy: policy, dryRun: false))
            for line in ExpireText.render(report).split(separator: "\n").dropFirst() {
                context.logger.info("expire-auto:\(line)")
            }
            try await trail.append(ExpireText.auditEvent(report))
        } catch {
            let failed = error as? LifeboatError ?? LifeboatError(.internal, "\(error)")
            StandardError.write("lifeboat: error: the backup completed, but expire-auto failed: \(failed.description)\n")
            _ = try? await trail.append(AuditEvent(command: "expire", outcome: .failed, error: failed.description))
            throw ExitCode(ExitCodes.code(for: failed))
        }
    }
}

enum BackupAudit {
    static func event(_ report: BackupReport) -> AuditEvent {
        AuditEvent(
            command: "backup", outcome: .ok, labels: [report.label],
            sizes: ["original": report.originalSize, "stored": report.storedSize, "files": UInt64(report.files)],
            details: ["type": report.type.rawValue, "lsn": "\(report.startLSN)-\(report.stopLSN)", "timeline": String(report.timeline)])
    }
}
