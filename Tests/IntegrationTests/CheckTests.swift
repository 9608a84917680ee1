import Foundation
import LifeboatPostgres
import Testing

/// `lifeboat check`: one line per check, Nagios exit codes.
@Suite("check answers OK, WARNING or CRITICAL", .serialized)
struct CheckTests {
    private func lines(_ stdout: String) throws -> [String: (status: String, message: String)] {
        let report = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
        var result: [String: (String, String)] = [:]
        for line in report["checks"] as? [[String: Any]] ?? [] {
            result[line["name"] as? String ?? "?"] = (line["status"] as? String ?? "?", line["message"] as? String ?? "")
        }
        return result
    }

    private func backedUp(_ lab: Lab) async throws {
        _ = try await lab.cluster.query("CREATE TABLE t AS SELECT g FROM generate_series(1, 1000) g")
        let backup = try await lab.lifeboat(["backup", "--start-fast"])
        #expect(backup.exitCode == 0, "\(backup.stderr)")
        try await lab.switchAndWaitForArchive()
    }

    @Test("a healthy stanza is OK (exit 0): settings, end-to-end archiving, archiver, backup; CRITICAL once the backup is stale")
    func healthyThenStale() async throws {
        try await withLab { lab in
            try await backedUp(lab)
            let before = try lab.archivedNames()
            let ok = try await lab.lifeboat(["check", "--backup-max-age", "25h", "--rpo", "1h", "--output", "json"])
            #expect(ok.exitCode == 0, "\(ok.stdout)\n\(ok.stderr)")
            let checks = try lines(ok.stdout)
            for name in ["configuration", "repository", "postgresql", "archive settings", "archive-push", "archiver", "backup"] {
                #expect(checks[name]?.status == "OK", "\(name): \(checks[name] ?? ("missing", ""))")
            }
            #expect(checks["drill"]?.status == "SKIPPED")
            // The forced switch really archived a new segment.
            #expect(try lab.archivedNames().count > before.count)
            // The probe file is gone.
            #expect(!(try FileManager.default.contentsOfDirectory(atPath: "\(lab.repository)/\(lab.stanza)")).contains { $0.hasPrefix("check-probe") })

            let text = try await lab.lifeboat(["check"])
            #expect(text.exitCode == 0)
            #expect(text.stdout.split(separator: "\n").contains { $0.hasPrefix("OK archive-push: WAL segment ") }, "\(text.stdout)")

            try await Task.sleep(nanoseconds: 1_100_000_000)
            let stale = try await lab.lifeboat(["check", "--backup-max-age", "1s", "--output", "json"])
            #expect(stale.exitCode == 2, "\(stale.stdout)")
            #expect(try lines(stale.stdout)["backup"]?.status == "CRITICAL")
            #expect(try lines(stale.stdout)["backup"]?.message.contains("beyond backup-max-age 1s") == true)

            let noDrill = try await lab.lifeboat(["check", "--drill-max-age", "8d", "--output", "json"])
            #expect(noDrill.exitCode == 1, "\(noDrill.stdout)")
            #expect(try lines(noDrill.stdout)["drill"]?.status == "WARNING")
        }
    }

    @Test("an archive_command pointing elsewhere is CRITICAL (exit 2)")
    func archiveCommandElsewhere() async throws {
        try await withLab { lab in
            try await backedUp(lab)
            try await lab.setArchiveCommand("/bin/true %p")
            let result = try await lab.lifeboat(["check", "--output", "json"])
            #expect(result.exitCode == 2, "\(result.stdout)")
            let checks = try lines(result.stdout)
            #expect(checks["archive settings"]?.status == "CRITICAL")
            #expect(checks["archive settings"]?.message.contains("does not call lifeboat archive-push") == true)

            try await lab.setArchiveCommand("\(lab.binary) archive-push --stanza other --repo-path \(lab.repository) %p")
            let other = try await lab.lifeboat(["check", "--output", "json"])
            #expect(other.exitCode == 2)
            #expect(try lines(other.stdout)["archive settings"]?.message.contains("stanza 'other'") == true)

            let text = try await lab.lifeboat(["check"])
            #expect(text.stdout.contains("CRITICAL archive settings: "), "\(text.stdout)")
        }
    }

    @Test("an archive_command without --stanza: OK when its config file names this stanza or when nothing names it and the WAL lands; CRITICAL for another stanza's config")
    func archiveCommandWithoutStanza() async throws {
        try await withLab(configLines: ["stanza = main"]) { lab in
            try await backedUp(lab)
            let config = try #require(lab.configPath)

            // `lifeboat archive-push --config FILE %p`: the stanza comes from the file.
            try await lab.setArchiveCommand("\(lab.binary) archive-push --repo-path \(lab.repository) --config \(config) %p")
            let fromConfig = try await lab.lifeboat(["check", "--output", "json"])
            #expect(fromConfig.exitCode == 0, "\(fromConfig.stdout)\n\(fromConfig.stderr)")
            let checks = try lines(fromConfig.stdout)
            #expect(checks["archive settings"]?.status == "OK")
            #expect(checks["archive settings"]?.message.contains("config file \(config)") == true, "\(checks["archive settings"] ?? ("", ""))")
            #expect(checks["archive-push"]?.status == "OK", "\(checks["archive-push"] ?? ("", ""))")

            // Nothing on the command names the stanza (a wrapper sets it): the end-to-end check decides.
            let tools = try Sandbox.makeClusterUserDirectory(prefix: "lifeboat-wrapper")
            defer { try? FileManager.default.removeItem(atPath: tools) }
            let wrapper = tools + "/archive-wrapper"
            try "#!/bin/sh\nLIFEBOAT_STANZA=main exec \(lab.binary) \"$@\"\n".write(toFile: wrapper, atomically: false, encoding: .utf8)
            chmod(wrapper, 0o755)
            Sandbox.giveToClusterUser(wrapper)
            try await lab.setArchiveCommand("\(wrapper) archive-push --repo-path \(lab.repository) %p")
            let unnamed = try await lab.lifeboat(["check", "--output", "json"])
            #expect(unnamed.exitCode == 0, "\(unnamed.stdout)\n\(unnamed.stderr)")
            let unnamedChecks = try lines(unnamed.stdout)
            #expect(unnamedChecks["archive settings"]?.status == "OK")
            #expect(unnamedChecks["archive settings"]?.message.contains("not named on the command") == true)
            #expect(unnamedChecks["archive-push"]?.status == "OK", "\(unnamedChecks["archive-push"] ?? ("", ""))")

            // A config file naming another stanza is CRITICAL, as --stanza other is.
            let otherConfig = tools + "/other.conf"
            try "[global]\nstanza = other\n".write(toFile: otherConfig, atomically: false, encoding: .utf8)
            chmod(otherConfig, 0o600)
            Sandbox.giveToClusterUser(otherConfig)
            try await lab.setArchiveCommand("\(lab.binary) archive-push --repo-path \(lab.repository) --config=\(otherConfig) %p")
            let other = try await lab.lifeboat(["check", "--output", "json"])
            #expect(other.exitCode == 2, "\(other.stdout)")
            #expect(try lines(other.stdout)["archive settings"]?.status == "CRITICAL")
            #expect(try lines(other.stdout)["archive settings"]?.message.contains("stanza 'other'") == true, "\(other.stdout)")
        }
    }

    @Test("an unreachable repository or bad option is CRITICAL")
    func unreachable() async throws {
        try await withLab { lab in
            let missing = try await lab.lifeboat(["check"], environment: ["LIFEBOAT_REPO_PATH": "/nonexistent/repo"])
            #expect(missing.exitCode == 2)
            #expect(missing.stdout.contains("CRITICAL repository: "), "\(missing.stdout)")
            let bad = try await lab.lifeboat(["check", "--rpo", "soon"])
            #expect(bad.exitCode == 2)
            #expect(bad.stdout.contains("CRITICAL configuration: invalid rpo 'soon'"), "\(bad.stdout)")
        }
    }
}
