import LifeboatPostgres
@testable import LifeboatEngine
import Testing

/// `check`'s archive settings line: which stanza an archive_command archives to, and what it says when
/// the command does not name it.
@Suite("check: the stanza an archive_command archives to")
struct ArchiveCommandStanzaTests {
    private func facts(_ command: String, walLevel: String = "replica", archiveMode: String = "on") -> ServerFacts {
        ServerFacts(systemIdentifier: "7", versionNum: 150_000, dataDirectory: "/data", walLevel: walLevel, archiveMode: archiveMode,
                    archiveCommand: command, walSegmentSize: 16 << 20, dataChecksums: false, inRecovery: false, timeline: 1, tablespaces: [])
    }

    private let configs: [String: String] = ["/etc/lifeboat/main.conf": "main", "/etc/lifeboat/other.conf": "other"]
    private func inConfig(_ path: String) -> String? { configs[path] }

    @Test("--stanza X, --stanza=X, a LIFEBOAT_STANZA= prefix and the --config file's stanza name it, in lifeboat's order")
    func named() {
        let resolve = { (command: String) in
            ArchiveCommandStanza.resolve(words: command.split(separator: " ").map(String.init), stanzaInConfigFile: inConfig)
        }
        #expect(resolve("lifeboat archive-push --stanza main %p") == .named("main", source: "--stanza"))
        #expect(resolve("lifeboat archive-push --stanza=main %p") == .named("main", source: "--stanza"))
        #expect(resolve("lifeboat archive-push --config /etc/lifeboat/other.conf --stanza main %p") == .named("main", source: "--stanza"))
        #expect(resolve("LIFEBOAT_STANZA=main lifeboat archive-push %p") == .named("main", source: "LIFEBOAT_STANZA"))
        #expect(resolve("env LIFEBOAT_STANZA=main lifeboat archive-push --config /etc/lifeboat/other.conf %p") == .named("main", source: "LIFEBOAT_STANZA"))
        #expect(resolve("lifeboat archive-push --config /etc/lifeboat/other.conf %p") == .named("other", source: "config file /etc/lifeboat/other.conf"))
        #expect(resolve("lifeboat archive-push --config=/etc/lifeboat/main.conf %p") == .named("main", source: "config file /etc/lifeboat/main.conf"))
        #expect(resolve("LIFEBOAT_CONFIG=/etc/lifeboat/main.conf lifeboat archive-push %p") == .named("main", source: "config file /etc/lifeboat/main.conf"))
        // An argument that merely looks like an assignment after the program is not one.
        #expect(resolve("lifeboat archive-push LIFEBOAT_STANZA=main %p") == .unknown)
        #expect(resolve("lifeboat archive-push %p") == .unknown)
        #expect(resolve("lifeboat archive-push --config /unreadable.conf %p") == .unknown)
    }

    @Test("an archive_command without a stanza is OK (the end-to-end check decides); another stanza or no archive-push is CRITICAL")
    func settingsLine() {
        let unnamed = CheckCommand.archiveSettings(facts("/usr/bin/lifeboat archive-push --config /etc/lifeboat/x.conf %p"), stanza: "main")
        #expect(unnamed.line.status == .ok, "\(unnamed.line)")
        #expect(unnamed.stanzaUnknown)
        #expect(unnamed.line.message.contains("archive-push check confirms"))

        let viaConfig = CheckCommand.archiveSettings(facts("lifeboat archive-push --config /etc/lifeboat/main.conf %p"), stanza: "main", stanzaInConfigFile: inConfig)
        #expect(viaConfig.line.status == .ok && !viaConfig.stanzaUnknown, "\(viaConfig.line)")
        #expect(viaConfig.line.message.contains("config file /etc/lifeboat/main.conf"))

        let otherConfig = CheckCommand.archiveSettings(facts("'lifeboat' archive-push --config '/etc/lifeboat/other.conf' %p"), stanza: "main", stanzaInConfigFile: inConfig)
        #expect(otherConfig.line.status == .critical)
        #expect(otherConfig.line.message.contains("archives to stanza 'other'"), "\(otherConfig.line)")

        let otherFlag = CheckCommand.archiveSettings(facts("lifeboat archive-push --stanza=other %p"), stanza: "main")
        #expect(otherFlag.line.status == .critical)
        #expect(CheckCommand.archiveSettings(facts("/bin/true %p"), stanza: "main").line.status == .critical)
        #expect(CheckCommand.archiveSettings(facts("lifeboat archive-push --stanza main %p", walLevel: "minimal"), stanza: "main").line.status == .critical)
        #expect(CheckCommand.archiveSettings(facts("lifeboat archive-push --stanza main %p", archiveMode: "off"), stanza: "main").line.status == .critical)
        #expect(CheckCommand.archiveSettings(facts("lifeboat archive-push --stanza main %p"), stanza: "main").line.status == .ok)
    }
}
