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
