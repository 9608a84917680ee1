import ArgumentParser
import LifeboatCore
import LifeboatEngine

struct RestoreCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup into a data directory, ready to replay WAL to a target.",
        discussion: """
            Picks the newest backup that ends before the target (or --set), restores it with every file's \
            SHA-256 verified, and writes recovery.signal plus the recovery settings (restore_command, target, \
            action) into postgresql.auto.conf. Then start PostgreSQL on the directory. Without a target it \
            replays to the end of the archive. Times without a zone are local time.

            EXAMPLES:
              lifeboat restore --stanza main --repo-path /var/lib/lifeboat --pg-data /srv/pg-restored \\
                  --target-time '2026-11-21 02:14:00+00' --target-action promote
              lifeboat restore --stanza main --repo-path /var/lib/lifeboat --pg-data /srv/pg --set 20261121-021500F --target immediate
              lifeboat restore --stanza main --repo-path /var/lib/lifeboat --pg-data /srv/pg --delta   # server stopped
            """)

    @OptionGroup var common: CommonOptions
    @OptionGroup var postgres: PostgresOptions
    @OptionGroup var transfer: TransferOptions

    @Option(help: ArgumentHelp("Restore this backup instead of choosing one.", valueName: "label"))
    var set: String?

    @Option(help: ArgumentHelp("Recover to this time: 'YYYY-MM-DD HH:MM:SS[.ffffff][+ZZ]'.", valueName: "time"))
    var targetTime: String?

    @Option(help: ArgumentHelp("Recover to this WAL location, e.g. 0/3000060.", valueName: "lsn"))
    var targetLsn: String?

    @Option(help: ArgumentHelp("Recover to this transaction id.", valueName: "xid"))
    var targetXid: String?

    @Option(help: ArgumentHelp("Recover to this restore point (pg_create_restore_point).", valueName: "name"))
    var targetName: String?

    @Option(help: ArgumentHelp("'immediate': stop as soon as the backup is consistent.", valueName: "immediate"))
    var target: String?

    @Option(help: ArgumentHelp("At the target: promote | pause | shutdown (PostgreSQL's default: pause).", valueName: "action"))
    var targetAction: String?

    @Flag(help: "Stop just before the target instead of just after it.")
    var targetExclusive = false

    @Option(help: ArgumentHelp("Restore tablespace OID into PATH instead of its original location (repeatable).", valueName: "oid=path"))
    var tablespaceMap: [String] = []

    @Flag(help: "Replace the contents of a non-empty restore directory.")
    var force = false

    @Flag(help: "Update an existing, stopped data directory in place: rewrite only files that differ from the backup (SHA-256), remove what it does not have.")
    var delta = false

    @Option(help: ArgumentHelp("preserve | off: 'off' disables archive_mode on the restored cluster.", valueName: "mode"))
    var archiveMode: String?

    func run() async throws {
        var given = common.given.merging(postgres.given) { $1 }.merging(transfer.given) { $1 }
        given["target-action"] = targetAction
        given["archive-mode"] = archiveMode
        let options = try ResolvedOptions.resolve(given: given, configFlag: common.config, environment: Environment.current())
        try await Audited.run(options, command: "restore", recordRequired: false, { context in
            if case .environment(let name)? = try options.selectedRepository().passphraseSource {
                // restore_command never carries the passphrase; PostgreSQL's environment rarely has it.
                context.logger.warning("the repository passphrase came from \(name) only: the restored cluster's restore_command needs it in PostgreSQL's environment; prefer repo-cipher-pass in the config file or --repo-cipher-pass-file (readable by the postgres user, mode 0600)")
            }
            guard let pgData = context.pgData else {
                throw LifeboatError(.invalidArgument, "restore needs --pg-data: the directory to restore into")
            }
            var map: [UInt32: String] = [:]
            for entry in tablespaceMap {
                guard let equals = entry.firstIndex(of: "="), let oid = UInt32(entry[..<equals]),
                      entry[entry.index(after: equals)...].hasPrefix("/") else {
                    throw LifeboatError(.invalidArgument, "invalid --tablespace-map '\(entry)': expected OID=/absolute/path")
                }
                map[oid] = String(entry[entry.index(after: equals)...])
            }
            let archive = options.string("archive-mode") ?? "preserve"
            guard archive == "preserve" || archive == "off" else {
                throw LifeboatError(.invalidArgument, "invalid archive-mode '\(archive)': expected preserve or off")
            }
            let restore = RestoreOptions(
                pgData: pgData, set: set, target: try parseTarget(),
                targetAction: try options.string("target-action").map { text throws(LifeboatError) in
                    guard let action = TargetAction(rawValue: text) else {
                        throw LifeboatError(.invalidArgument, "invalid target-action '\(text)': expected promote, pause or shutdown")
                    }
                    return action
                },
                targetExclusive: targetExclusive, tablespaceMap: map, force: force, archiveModeOff: archive == "off", delta: delta)
            return try await RestoreCommand.runWithFallback(context, options: restore)
        }, event: { report in
            AuditEvent(command: "restore", outcome: .ok, labels: [report.label], sizes: ["restored": report.size, "files": UInt64(report.files)],
                       details: ["pgData": report.pgData, "target": report.target])
        }, text: { report in
            var text = """
            restored backup \(report.label) into \(report.pgData) in \(Seconds.text(report.seconds)) (\(report.files) files, \(Bytes.text(report.size)))
              recovery target: \(report.target)
              next: start PostgreSQL on \(report.pgData); it replays archived WAL through `lifeboat archive-get`
            """
            if let delta = report.delta {
                text += "\n  delta: \(delta.filesChecked) files checked, \(delta.filesRewritten) rewritten (\(Bytes.text(delta.bytesRewritten))), \(delta.entriesRemoved) removed"
            }
            return text
        })
    }

    /// At most one target; each parsed strictly before anything is touched.
    private func parseTarget() throws -> RecoveryTarget {
        var targets: [RecoveryTarget] = []
        if let targetTime {
            targets.append(.time(try TargetTime.parse(targetTime, defaultOffsetSeconds: Environment.localUTCOffsetSeconds())))
        }
        if let targetLsn {
            guard let lsn = LSN(targetLsn) else {
                throw LifeboatError(.invalidArgument, "invalid target lsn '\(targetLsn)': expected X/X in hex, e.g. 0/3000060")
            }
            targets.append(.lsn(lsn))
        }
        if let targetXid {
            guard let xid = UInt64(targetXid), xid >= 3 else {
                throw LifeboatError(.invalidArgument, "invalid target xid '\(targetXid)': expected a transaction id (a whole number of 3 or more)")
            }
            targets.append(.xid(xid))
        }
        if let targetName {
            guard !targetName.isEmpty, targetName.utf8.count < 64 else {
                throw LifeboatError(.invalidArgument, "invalid target name '\(targetName)': a restore point name has 1 to 63 bytes")
            }
            targets.append(.name(targetName))
        }
        if let target {
            guard target == "immediate" else {
                throw LifeboatError(.invalidArgument, "invalid --target '\(target)': the only value is 'immediate'")
            }
            targets.append(.immediate)
        }
        guard targets.count <= 1 else {
            throw LifeboatError(.invalidArgument, "give at most one recovery target (--target-time, --target-lsn, --target-xid, --target-name or --target immediate)")
        }
        return targets.first ?? .endOfArchive
    }
}
