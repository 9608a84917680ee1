import ArgumentParser
import LifeboatCore
import LifeboatEngine

struct BackupCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Take an online base backup of the running cluster.",
        discussion: """
            Non-exclusive pg_backup_start/pg_backup_stop on one held connection; files are compressed and \
            SHA-256'd in one pass by --process-max workers. The backup is listed only once every file is \
            synced and the WAL that makes it consistent is in the repository. One backup per stanza at a time.

            --type diff stores what changed since the newest full backup, --type incr what changed since the \
            newest backup of any type (labels <full>_<time>D / <full>_<time>I). A file with unchanged size and \
            mtime is referenced, not copied; a changed relation file stores only its changed 8 KiB pages. \
            With no full backup yet, a diff or incr is taken as a full (and says so).

            EXAMPLE:
              lifeboat backup --stanza main --repo-path /var/lib/lifeboat --type full --start-fast
              lifeboat backup --stanza main --repo-path /var/lib/lifeboat --type incr
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var postgres: PostgresOptions
    @OptionGroup var transfer: TransferOptions
    @OptionGroup var retention: RetentionOptions

    @Option(help: ArgumentHelp("y | n: run expire after a successful backup (default y; nothing is removed without a retention policy).", valueName: "y|n"))
    var expireAuto: String?

    @Option(help: ArgumentHelp("full (default), diff (changes since the last full) or incr (changes since the last backup).", valueName: "type"))
    var type: String?

    @Flag(help: "diff/incr: compare every file's content with the reference instead of trusting size and mtime.")
    var delta = false

    @Flag(help: "Fail the backup (exit 16) when a page fails its data checksum (default: report it in the log, info and manifest).")
    var checksumPageFail = false

    @Flag(help: "Start with an immediate checkpoint instead of waiting for a spread one.")
    var startFast = false

    @Option(help: ArgumentHelp("Seconds to wait for the backup's WAL to reach the repository (default 60).", valueName: "seconds"))
    var archiveTimeout: String?

    func run() async throws {
        var given = common.given.merging(postgres.given) { $1 }.merging(transfer.given) { $1 }
        given["type"] = type
        given["archive-timeout"] = archiveTimeout
        given["expire-auto"] = expireAuto
        given.merge(retention.given) { $1 }
        let options = try ResolvedOptions.resolve(given: given, configFlag: common.config, environment: Environment.current())
        try await Audited.run(options, command: "backup", { context in
            try AutoExpire.validate(options)
            let backupOptions = BackupOptions(
                type: try options.choice("type", default: BackupType.full),
                startFast: try options.bool("start-fast", flag: startFast),
                archiveTimeoutSeconds: Double(try options.int("archive-timeout", default: 60, range: 1...86400)),
                delta: try options.bool("delta", flag: delta),
                checksumPageFail: try options.bool("checksum-page-fail", flag: checksumPageFail))
            return try await BackupCommand.run(context, options: backupOptions)
        }, event: BackupAudit.event, text: { report in
            """
            backup \(report.label) (\(report.type.rawValue)\(report.promotedToFull ? ", taken as full: no full backup to build a \(report.requestedType.rawValue) on" : "")) complete in \(Seconds.text(report.seconds))\(report.reference.map { "\n  reference \($0): \(report.referencedFiles) files unchanged, \(report.pageIncrementalFiles) stored as \(report.storedPages) changed pages" } ?? "")
              files \(report.files), size \(Bytes.text(report.originalSize)), stored \(Bytes.text(report.storedSize))
              lsn \(report.startLSN) → \(report.stopLSN) on timeline \(report.timeline), WAL \(report.walStart) → \(report.walStop)
            """
        })
        try await AutoExpire.afterBackup(options)
    }
}
