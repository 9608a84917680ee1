import ArgumentParser
import Foundation
import LifeboatCore
import LifeboatEngine

struct AuditCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Print the stanza's audit trail and verify its hash chain.",
        discussion: """
            Every backup, expire, restore, pin and unpin appends one record (time, host, OS user, command, \
            outcome, labels, sizes, error) to <stanza>/audit/ in the repository. Each record carries the SHA-256 \
            of the previous one: a removed, edited or reordered record fails verification with exit code 18, \
            naming the sequence number. Operations refused before they touched anything (bad arguments, \
            lock held, wrong cluster) are not recorded.

            EXAMPLE:
              lifeboat audit --stanza main --repo-path /var/lib/lifeboat --since 2026-11-01 --output json
            """)

    @OptionGroup var common: CommonOptions

    @Option(help: ArgumentHelp("Only print records from this time on: 'YYYY-MM-DD[ HH:MM:SS[+ZZ]]' (the whole chain is still verified).", valueName: "date"))
    var since: String?

    var given: [String: String] {
        var given = common.given
        given["since"] = since
        return given
    }

    func run() async throws {
        let options = try ResolvedOptions.resolve(given: given, configFlag: common.config, environment: Environment.current())
        try await CommandRunner.run(format: try options.outputFormat, {
            let sinceDate = try options.string("since").map { text throws(LifeboatError) in try DateOption.parse(text, option: "since") }
            return try await AuditTrail.of(try options.context()).verify(since: sinceDate)
        }, text: { verification in
            var lines = verification.records.map(AuditText.line)
            if let last = verification.lastSha256 {
                lines.append("audit chain verified: \(verification.count) record\(verification.count == 1 ? "" : "s"), newest sha256 \(last)")
            } else {
                lines.append("audit trail is empty")
            }
            return lines.joined(separator: "\n")
        })
    }
}

enum AuditText {
    static func line(_ record: AuditRecord) -> String {
        var parts = [
            "#\(record.sequence)", record.time, record.command, record.outcome.rawValue, "host=\(record.host)", "user=\(record.user)",
        ]
        if !record.labels.isEmpty { parts.append("labels=\(record.labels.joined(separator: ","))") }
        for key in record.sizes.keys.sorted() { parts.append("\(key)=\(record.sizes[key]!)") }
        for key in record.details.keys.sorted() { parts.append("\(key)=\(record.details[key]!)") }
        if let error = record.error { parts.append("error=\"\(error)\"") }
        return parts.joined(separator: " ")
    }
}

/// Dates typed for --since / --until: a day ("2026-12-31", midnight) or a full time as for --target-time.
enum DateOption {
    static func parse(_ text: String, option: String) throws(LifeboatError) -> Date {
        let trimmed = text.trimmingWhitespace()
        let candidate = trimmed.count == 10 ? trimmed + " 00:00:00" : trimmed
        do {
            return try TargetTime.parse(candidate, defaultOffsetSeconds: Environment.localUTCOffsetSeconds())
        } catch {
            throw LifeboatError(.invalidArgument, "invalid \(option) '\(text)': expected YYYY-MM-DD or YYYY-MM-DD HH:MM:SS[+ZZ]",
                                hint: "for example --\(option) '2026-12-31' or --\(option) '2026-12-31 18:00:00+00'; without a zone the local time zone applies")
        }
    }
}

/// Runs a command that changes the repository and appends its audit record.
///
/// Decision: evidence is part of the job. If the operation succeeded but its record cannot be written,
/// the report is still printed (the work is done and must not be repeated blindly) and the command then
/// exits non-zero with a loud error, so cron/monitoring sees that the evidence is missing. A failed
/// operation is recorded too, unless it was refused before touching anything (bad input, wrong
/// cluster, lock held, stanza or backup not found): those change nothing, not even the trail. The
/// engine marks the moment work starts (`EngineContext.changes`): a server lost after that is recorded.
/// A restore passes `recordRequired: false`: it only reads the repository, and a disaster-recovery site
/// often has read-only access to it; a missing record there is a warning, never a failed recovery.
enum Audited {
    static let refusals: Set<LifeboatError.Code> = [
        .invalidArgument, .stanzaNotFound, .repository, .systemIdMismatch, .postgres, .postgresConfig, .lockHeld,
        .targetOutOfRange, .backupNotFound, .directoryNotEmpty,
    ]

    static func run<Report: Encodable>(
        _ options: ResolvedOptions, command: String, recordRequired: Bool = true, _ body: (EngineContext) async throws -> Report,
        event: (Report) -> AuditEvent?, failure: (LifeboatError) -> AuditEvent? = { _ in nil }, text: (Report) -> String
    ) async throws {
        var auditError: LifeboatError?
        try await CommandRunner.run(format: try options.outputFormat, {
            let context = try options.context()
            let trail = AuditTrail(storage: context.storage, stanza: context.stanza)
            let report: Report
            do {
                report = try await body(context)
            } catch {
                let failed = error as? LifeboatError ?? LifeboatError(.internal, "unexpected failure: \(error)")
                if !refusals.contains(failed.code) || context.changes.hasStarted {
                    let event = failure(failed) ?? AuditEvent(command: command, outcome: .failed, error: failed.description)
                    do {
                        try await trail.append(event)
                    } catch {
                        StandardError.write("lifeboat: warning: the audit record of this failed \(command) could not be written: \(error)\n")
                    }
                }
                throw error
            }
            if let event = event(report) {
                do {
                    try await trail.append(event)
                } catch {
                    auditError = error as? LifeboatError ?? LifeboatError(.internal, "\(error)")
                }
            }
            return report
        }, text: text)
        if let auditError {
            guard recordRequired else {
                StandardError.write("lifeboat: warning: \(command) succeeded but its audit record could not be written: \(auditError.description)\n")
                return
            }
            StandardError.write("lifeboat: error: \(command) succeeded but its audit record could not be written: \(auditError.description)\n")
            throw ExitCode(ExitCodes.code(for: auditError))
        }
    }
}
