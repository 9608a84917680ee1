import Foundation
import ArgumentParser
import LifeboatCore
import LifeboatEngine

struct InfoCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show the stanza's backups, archived WAL and recoverable window.",
        discussion: """
            The recoverable window is the span a restore can reach: from the end of the oldest backup whose \
            WAL is archived to the newest archived segment that follows it without a gap.

            EXAMPLE:
              lifeboat info --stanza main --repo-path /var/lib/lifeboat --output json
            """)

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let options = try ResolvedOptions.resolve(given: common.given, configFlag: common.config, environment: Environment.current())
        try await CommandRunner.run(format: try options.outputFormat, {
            try await InfoCommand.runAll(try options.context())
        }, text: InfoText.render)
    }
}

enum InfoText {
    static func render(_ report: InfoReport) -> String {
        var lines = [
            "stanza: \(report.stanza)",
            "    repository: \(report.repository)",
            "    cluster: system identifier \(report.systemIdentifier), PostgreSQL \(report.pgVersion / 10000)",
        ]
        if let window = report.recoverableWindow {
            lines.append("    recoverable window: \(TargetTime.display(window.earliest)) → \(TargetTime.display(window.latest)) (timeline \(window.timeline), up to lsn \(window.endLSN))")
        } else {
            lines.append("    recoverable window: none yet (no backup with its WAL archived)")
        }
        if report.archive.isEmpty {
            lines.append("    wal archive: empty")
        } else {
            lines.append("    wal archive: \(report.archivedFiles) files, \(Bytes.text(report.archivedBytes)) stored")
            for range in report.archive {
                lines.append("        timeline \(range.timeline): \(range.first) → \(range.last) (\(range.count) segments)")
            }
        }
        if report.backups.isEmpty { lines.append("    backups: none") }
        for backup in report.backups {
            lines.append("")
            lines.append("    \(backup.type.rawValue) backup: \(backup.label)")
            lines.append("        time: \(TargetTime.display(backup.startTime)) → \(TargetTime.display(backup.stopTime))")
            lines.append("        lsn: \(backup.startLSN) → \(backup.stopLSN), timeline \(backup.timeline), WAL \(backup.startWAL) → \(backup.stopWAL)")
            lines.append("        size: \(Bytes.text(backup.originalSize)) in \(backup.files) files, stored \(Bytes.text(backup.storedSize))"
                         + (backup.reference == nil ? "" : " (\(backup.storedFiles) files stored, the rest referenced)"))
            if let reference = backup.reference { lines.append("        reference: \(reference)") }
            for bad in backup.checksumPageErrors {
                lines.append("        page checksum errors: \(bad.path) blocks \(bad.blocks.map(String.init).joined(separator: ", "))")
            }
            if let pin = backup.pin {
                let until = pin.until.map { "until \(TargetTime.display($0))\($0 <= Date() ? " (expired)" : "")" } ?? "until unpinned"
                lines.append("        pinned: \(until)\(pin.reason.map { ", reason: \($0)" } ?? ""), by \(pin.pinnedBy) at \(TargetTime.display(pin.pinnedAt))")
            }
        }
        if let repositories = report.repositories {
            lines.append("")
            lines.append("    repositories:")
            for repository in repositories {
                if repository.status == "ok" {
                    let window = repository.recoverableWindow.map { "recoverable \(TargetTime.display($0.earliest)) → \(TargetTime.display($0.latest))" } ?? "no recoverable window"
                    lines.append("        repo\(repository.index) \(repository.repository): ok, \(repository.backups?.count ?? 0) backups, \(repository.archivedFiles ?? 0) WAL files, \(window)")
                } else {
                    lines.append("        repo\(repository.index) \(repository.repository): error: \(repository.error ?? "")")
                }
            }
        }
        return lines.joined(separator: "\n")
    }
}

enum Bytes {
    static func text(_ bytes: UInt64) -> String { ByteFormat.human(bytes) }
}

enum Seconds {
    static func text(_ seconds: Double) -> String {
        let hundredths = Int((seconds * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction) s"
    }
}
