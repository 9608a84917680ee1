import LifeboatCore
import Testing
@testable import LifeboatCLI

/// Command-specific options are options like any other: a flag, LIFEBOAT_<NAME>, or a config-file line,
/// with the flag winning.
@Suite("command options: flag > environment > config file")
struct CommandOptionSourcesTests {
    func resolved(_ given: [String: String], _ environment: [String: String] = [:], config: [String: String] = [:]) -> ResolvedOptions {
        ResolvedOptions(given: given, environment: environment, config: ConfigFile(path: "/x.conf", sections: ["global": config]), stanza: "main")
    }

    @Test("metrics --output-file, LIFEBOAT_OUTPUT_FILE or output-file in the config file")
    func outputFile() throws {
        let none = try MetricsCLI.parse([])
        #expect(MetricsCLI.outputFile(resolved(none.given)) == nil)
        #expect(MetricsCLI.outputFile(resolved(none.given, config: ["output-file": "/var/lib/node_exporter/lifeboat.prom"]))
                == "/var/lib/node_exporter/lifeboat.prom")
        #expect(MetricsCLI.outputFile(resolved(none.given, ["LIFEBOAT_OUTPUT_FILE": "/env.prom"], config: ["output-file": "/file.prom"])) == "/env.prom")
        let flag = try MetricsCLI.parse(["--output-file", "/flag.prom"])
        #expect(MetricsCLI.outputFile(resolved(flag.given, ["LIFEBOAT_OUTPUT_FILE": "/env.prom"])) == "/flag.prom")
    }

    @Test("drill --check-sql repeats; from the environment or config file one value lists files separated by commas")
    func checkSQL() throws {
        let none = try DrillCLI.parse([])
        #expect(DrillCheckFiles.resolve(flags: none.checkSql, resolved(none.given)) == [])
        #expect(DrillCheckFiles.resolve(flags: none.checkSql, resolved(none.given, config: ["check-sql": "/etc/a.sql, /etc/b.sql,"]))
                == ["/etc/a.sql", "/etc/b.sql"])
        #expect(DrillCheckFiles.resolve(flags: none.checkSql, resolved(none.given, ["LIFEBOAT_CHECK_SQL": "/env.sql"], config: ["check-sql": "/file.sql"]))
                == ["/env.sql"])
        let flags = try DrillCLI.parse(["--check-sql", "/one.sql", "--check-sql", "/two,with-comma.sql"])
        #expect(DrillCheckFiles.resolve(flags: flags.checkSql, resolved(flags.given, ["LIFEBOAT_CHECK_SQL": "/env.sql"]))
                == ["/one.sql", "/two,with-comma.sql"])
    }

    @Test("drill --keep, LIFEBOAT_KEEP=y or keep = y; the flag cannot be switched off by the file")
    func keep() throws {
        let none = try DrillCLI.parse([])
        #expect(try !resolved(none.given).bool("keep", flag: none.keep))
        #expect(try resolved(none.given, config: ["keep": "y"]).bool("keep", flag: none.keep))
        #expect(try resolved(none.given, ["LIFEBOAT_KEEP": "yes"]).bool("keep", flag: none.keep))
        let flag = try DrillCLI.parse(["--keep"])
        #expect(try resolved(flag.given, config: ["keep": "n"]).bool("keep", flag: flag.keep))
        #expect(throws: LifeboatError(.invalidArgument, "invalid keep 'perhaps': expected y or n")) {
            try resolved(none.given, config: ["keep": "perhaps"]).bool("keep", flag: none.keep)
        }
    }

    @Test("expire --dry-run, LIFEBOAT_DRY_RUN=y or dry-run = y")
    func dryRun() throws {
        let none = try ExpireCLI.parse([])
        #expect(try !resolved(none.given).bool("dry-run", flag: none.dryRun))
        #expect(try resolved(none.given, ["LIFEBOAT_DRY_RUN": "y"]).bool("dry-run", flag: none.dryRun))
        #expect(try resolved(none.given, config: ["dry-run": "on"]).bool("dry-run", flag: none.dryRun))
        let flag = try ExpireCLI.parse(["--dry-run"])
        #expect(try resolved(flag.given, ["LIFEBOAT_DRY_RUN": "n"]).bool("dry-run", flag: flag.dryRun))
    }

    @Test("audit --since and pin --reason / --until from each source")
    func sinceReasonUntil() throws {
        let audit = try AuditCLI.parse([])
        #expect(resolved(audit.given, ["LIFEBOAT_SINCE": "2026-11-01"]).string("since") == "2026-11-01")
        #expect(resolved(try AuditCLI.parse(["--since", "2026-10-01"]).given, ["LIFEBOAT_SINCE": "2026-11-01"]).string("since") == "2026-10-01")
        let pin = try PinCLI.parse(["20261121-130759F"])
        #expect(resolved(pin.given, config: ["reason": "legal hold", "until": "2027-12-31"]).string("reason") == "legal hold")
        #expect(resolved(pin.given, ["LIFEBOAT_UNTIL": "2028-01-01"], config: ["until": "2027-12-31"]).string("until") == "2028-01-01")
        let flagged = try PinCLI.parse(["20261121-130759F", "--reason", "release", "--until", "2030-01-01"])
        #expect(resolved(flagged.given, ["LIFEBOAT_REASON": "other"]).string("reason") == "release")
        #expect(resolved(flagged.given, ["LIFEBOAT_UNTIL": "2028-01-01"]).string("until") == "2030-01-01")
    }
}
