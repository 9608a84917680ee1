import ArgumentParser
import LifeboatCore
import LifeboatEngine

struct PinCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin",
        abstract: "Keep a backup (and the WAL that makes it consistent) out of expiry.",
        discussion: """
            For a legal hold or a release snapshot: expire never removes a pinned backup, nor the backups it \
            depends on, nor the WAL from its start to its stop. The pin is stored in the repository \
            (<stanza>/pin/<label>.json) and shown by `lifeboat info`. Pinning again replaces the pin.

            EXAMPLE:
              lifeboat pin 20261121-130759F --stanza main --reason 'legal hold #4711' --until 2027-12-31
            """)

    @OptionGroup var common: CommonOptions

    @Argument(help: ArgumentHelp("The backup's label, as `lifeboat info` shows it.", valueName: "label"))
    var label: String

    @Option(help: ArgumentHelp("Why it is kept (shown by info and recorded in the audit trail).", valueName: "text"))
    var reason: String?

    @Option(help: ArgumentHelp("Keep it until this date: 'YYYY-MM-DD[ HH:MM:SS[+ZZ]]' (default: until unpinned).", valueName: "date"))
    var until: String?

    var given: [String: String] {
        var given = common.given
        given["reason"] = reason
        given["until"] = until
        return given
    }

    func run() async throws {
        let options = try ResolvedOptions.resolve(given: given, configFlag: common.config, environment: Environment.current())
        try await Audited.run(options, command: "pin", { context in
            let untilDate = try options.string("until").map { text throws(LifeboatError) in try DateOption.parse(text, option: "until") }
            return try await PinCommand.pin(context, label: label, reason: options.string("reason"), until: untilDate)
        }, event: { report in
            var details: [String: String] = [:]
            details["reason"] = report.pin?.reason
            details["until"] = report.pin?.until.map(TargetTime.display)
            return AuditEvent(command: "pin", outcome: .ok, labels: [report.label], details: details)
        }, text: { report in
            let until = report.pin?.until.map { " until \(TargetTime.display($0))" } ?? " until unpinned"
            let reason = report.pin?.reason.map { " (\($0))" } ?? ""
            return "pinned backup \(report.label)\(until)\(reason)"
        })
    }
}

struct UnpinCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpin",
        abstract: "Remove a backup's pin: retention applies to it again.",
        discussion: """
            EXAMPLE:
              lifeboat unpin 20261121-130759F --stanza main
            """)

    @OptionGroup var common: CommonOptions

    @Argument(help: ArgumentHelp("The backup's label.", valueName: "label"))
    var label: String

    func run() async throws {
        let options = try ResolvedOptions.resolve(given: common.given, configFlag: common.config, environment: Environment.current())
        try await Audited.run(options, command: "unpin", { context in
            try await PinCommand.unpin(context, label: label)
        }, event: { report in
            report.pin == nil ? nil : AuditEvent(command: "unpin", outcome: .ok, labels: [report.label])
        }, text: { report in
            report.pin == nil ? "backup \(report.label) was not pinned" : "unpinned backup \(report.label)"
        })
    }
}
