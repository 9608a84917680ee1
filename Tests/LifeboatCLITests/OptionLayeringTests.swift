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
