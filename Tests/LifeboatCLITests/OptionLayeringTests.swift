import LifeboatCore
import Testing
@testable import LifeboatCLI

@Suite("options: flag > environment > config file")
struct OptionLayeringTests {
    let config = ConfigFile(path: "/etc/lifeboat/lifeboat.conf", sections: [
        "global": ["repo-path": "/from/global", "compress-type": "lz4", "process-max": "3", "stanza": "main"],
        "main": ["repo-path": "/from/stanza"],
    ])

    func resolved(_ given: [String: String] = [:], _ environment: [String: String] = [:]) -> ResolvedOptions {
        ResolvedOptions(given: given, environment: environment, config: config,
                        stanza: given["stanza"] ?? environment["LIFEBOAT_STANZA"] ?? config.value("stanza", stanza: nil))
    }

    @Test("a flag wins over the environment, which wins over the stanza section, which wins over global")
    func precedence() {
        #expect(resolved(["repo-path": "/flag"], ["LIFEBOAT_REPO_PATH": "/env"]).string("repo-path") == "/flag")
        #expect(resolved([:], ["LIFEBOAT_REPO_PATH": "/env"]).string("repo-path") == "/env")
        #expect(resolved().string("repo-path") == "/from/stanza")
        #expect(resolved(["stanza": "other"]).string("repo-path") == "/from/global")
        #expect(resolved().string("compress-type") == "lz4")
    }

    @Test("environment names are upper case with underscores")
    func environmentNames() {
        #expect(ResolvedOptions.environmentName("pg-data") == "LIFEBOAT_PG_DATA")
        #expect(ResolvedOptions.environmentName("compress-level") == "LIFEBOAT_COMPRESS_LEVEL")
    }

    @Test("bad values are one clear line")
    func badValues() {
        #expect(throws: LifeboatError(.invalidArgument, "invalid process-max 'many': expected a whole number from 1 to 64")) {
            try resolved(["process-max": "many"]).int("process-max", default: 2, range: 1...64)
        }
        #expect(throws: LifeboatError(.invalidArgument, "no stanza given",
                                      hint: "add --stanza NAME (or LIFEBOAT_STANZA, or stanza = NAME under [global] in the config file)")) {
            try ResolvedOptions(given: [:], environment: [:], config: ConfigFile(), stanza: nil).requireStanza()
        }
    }

    @Test("the config file format")
    func parsing() throws {
        let file = try ConfigFile(parsing: """
            # comment
            [global]
            repo-path = /var/lib/lifeboat
            ; another comment
            compress-type=zstd

            [main]
            pg-data = "/var/lib/postgresql/15/main"
            """, path: "/x.conf")
        #expect(file.value("repo-path", stanza: "main") == "/var/lib/lifeboat")
        #expect(file.value("pg-data", stanza: "main") == "/var/lib/postgresql/15/main")
        #expect(file.value("pg-data", stanza: "other") == nil)
        #expect(throws: LifeboatError.self) { try ConfigFile(parsing: "repo-path = /x", path: "/x.conf") }
        #expect(throws: LifeboatError.self) { try ConfigFile(parsing: "[global]\nnonsense", path: "/x.conf") }
    }
}

@Suite("status and metrics without a stanza")
struct ReportedStanzasTests {
    @Test("a stanza given keeps single-stanza output; without one, the config file's [<stanza>] sections, sorted")
    func fromConfig() async throws {
        let config = ConfigFile(path: "/etc/lifeboat/lifeboat.conf", sections: [
            "global": ["repo-path": "/nonexistent/lifeboat-repo", "rpo": "1h"],
            "zeta": ["rpo": "15m"], "alpha": [:],
        ])
        let given = ResolvedOptions(given: ["stanza": "main"], environment: [:], config: config, stanza: "main")
        #expect(try await given.reportedStanzas() == nil)
        let unnamed = ResolvedOptions(given: [:], environment: [:], config: config, stanza: nil)
        #expect(try await unnamed.reportedStanzas() == ["alpha", "zeta"])
        // Each stanza sees its own section over [global].
        #expect(unnamed.forStanza("zeta").string("rpo") == "15m")
        #expect(unnamed.forStanza("alpha").string("rpo") == "1h")
    }

    @Test("no stanza anywhere: invalid argument (exit 2) with one clear line")
    func none() async throws {
        let config = ConfigFile(path: "/etc/lifeboat/lifeboat.conf", sections: ["global": ["repo-path": "/nonexistent/lifeboat-repo"]])
        let options = ResolvedOptions(given: [:], environment: [:], config: config, stanza: nil)
        do {
            _ = try await options.reportedStanzas()
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("no stanza given"))
        }
    }

    @Test("an empty LIFEBOAT_STANZA gives no stanza")
    func emptyStanza() throws {
        let options = try ResolvedOptions.resolve(given: [:], configFlag: nil, environment: ["LIFEBOAT_STANZA": "", "LIFEBOAT_CONFIG": "/dev/null"])
        #expect(options.stanza == nil)
    }
}
