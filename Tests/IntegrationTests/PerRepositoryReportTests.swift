#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LifeboatPostgres
import Testing

/// `check`, `metrics` and `status` with two repositories and two stanzas: every repository is read and
/// reported on its own (one that cannot be read hides none of the others), and without a stanza every
/// stanza is reported, grouped.
@Suite("check, metrics and status cover every repository and stanza", .serialized)
struct PerRepositoryReportTests {
    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    private func checkLines(_ stdout: String, _ name: String) throws -> [[String: Any]] {
        (try json(stdout)["checks"] as? [[String: Any]] ?? []).filter { $0["name"] as? String == name }
    }

    /// "name{labels}" → value, for the samples whose labels contain `labels`.
    private func samples(_ text: String, _ labels: String) -> [String: Double] {
        var result: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && line.contains(labels) {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]),
                  let brace = line.firstIndex(of: "{") else { continue }
            let extra = line[brace...].contains("type=\"") ? String(line[line.range(of: "type=\"")!.upperBound...].prefix { $0 != "\"" }) : ""
            result[String(line[..<brace]) + (extra.isEmpty ? "" : ":" + extra)] = value
        }
        return result
    }

    private func writeConfig(_ directory: String, _ name: String, _ lines: [String]) throws -> String {
        let path = directory + "/" + name
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o600)
        Sandbox.giveToClusterUser(path)
        return path
    }

    @Test("two repositories: a line and series per repository; an unreadable repo2 is CRITICAL in check and repository_up 0 in metrics")
    func everyRepository() async throws {
        let holder = try Sandbox.makeClusterUserDirectory(prefix: "lifeboat-repo2")
        defer { try? FileManager.default.removeItem(atPath: holder) }
        let repo2 = holder + "/repo"
        try Sandbox.makeOwnedDirectory(repo2)
        try await withLab(configLines: ["repo2-path = \(repo2)"]) { lab in
            _ = try await lab.cluster.query("CREATE TABLE t AS SELECT g FROM generate_series(1, 1000) g")
            let backup = try await lab.lifeboat(["backup", "--start-fast"])
            #expect(backup.exitCode == 0, "\(backup.stderr)")
            try await lab.switchAndWaitForArchive()
            let repo1Label = "stanza=\"main\",repo=\"posix:\(lab.repository)\""
            let repo2Label = "stanza=\"main\",repo=\"posix:\(repo2)\""

            // check: one repository line per repository, each reachable and writable.
            let healthy = try await lab.lifeboat(["check", "--output", "json"])
            #expect(healthy.exitCode == 0, "\(healthy.stdout)\n\(healthy.stderr)")
            let repositories = try checkLines(healthy.stdout, "repository")
            #expect(repositories.map { $0["repo"] as? Int } == [1, 2], "\(healthy.stdout)")
            #expect(repositories.allSatisfy { $0["status"] as? String == "OK" }, "\(healthy.stdout)")
            let pushed = try checkLines(healthy.stdout, "archive-push").first?["message"] as? String
            #expect(pushed?.contains("reached all 2 repositories") == true, "\(healthy.stdout)")
            #expect(!(try FileManager.default.contentsOfDirectory(atPath: repo2 + "/main")).contains { $0.hasPrefix("check-probe") })

            // metrics: each repository's own series, read from that repository.
            let countedBefore = Double(try MultiRepositoryTests.archivedNames(repo2).filter { $0.count == 24 }.count)
            let metrics = try await lab.lifeboat(["metrics"])
            let countedAfter = Double(try MultiRepositoryTests.archivedNames(repo2).filter { $0.count == 24 }.count)
            #expect(metrics.exitCode == 0, "\(metrics.stderr)")
            let one = samples(metrics.stdout, repo1Label), two = samples(metrics.stdout, repo2Label)
            #expect(one["lifeboat_backups"] == 1, "\(metrics.stdout)")
            #expect(two["lifeboat_backups"] == 0, "\(metrics.stdout)")
            #expect(one["lifeboat_backup_last_completion_timestamp_seconds:full"] != nil)
            #expect(two["lifeboat_backup_last_completion_timestamp_seconds:full"] == nil)
            #expect(one["lifeboat_repository_up"] == 1 && two["lifeboat_repository_up"] == 1)
            #expect((one["lifeboat_archive_wal_segments"] ?? 0) > 0)
            // Read from repo2 itself (the archiver may still be pushing: between the counts before and after).
            let inRepo2 = two["lifeboat_archive_wal_segments"] ?? -1
            #expect(inRepo2 >= countedBefore && inRepo2 <= countedAfter && inRepo2 > 0, "\(inRepo2) not in \(countedBefore)...\(countedAfter)")
            #expect(two["lifeboat_postgres_up"] == 1)

            // repo2 gone: check names it CRITICAL (repo1 still OK); metrics still report repo1, with repo2 down.
            try FileManager.default.moveItem(atPath: repo2, toPath: repo2 + ".gone")
            let broken = try await lab.lifeboat(["check", "--archive-timeout", "5s", "--output", "json"])
            #expect(broken.exitCode == 2, "\(broken.stdout)")
            let lines = try checkLines(broken.stdout, "repository")
            #expect(lines.first { $0["repo"] as? Int == 1 }?["status"] as? String == "OK", "\(broken.stdout)")
            let down = lines.first { $0["repo"] as? Int == 2 }
            #expect(down?["status"] as? String == "CRITICAL", "\(broken.stdout)")
            #expect((down?["message"] as? String)?.contains("repo2") == true, "\(broken.stdout)")
            let text = try await lab.lifeboat(["check", "--archive-timeout", "5s"])
            #expect(text.stdout.contains("CRITICAL repository: repo2 (posix:\(repo2))"), "\(text.stdout)")

            let partial = try await lab.lifeboat(["metrics"])
            #expect(partial.exitCode == 0, "\(partial.stderr)")
            #expect(samples(partial.stdout, repo1Label)["lifeboat_backups"] == 1, "\(partial.stdout)")
            #expect(samples(partial.stdout, repo2Label) == ["lifeboat_repository_up": 0], "\(partial.stdout)")
            #expect(partial.stderr.contains("repo2") && partial.stderr.contains("could not be read"), "\(partial.stderr)")

            // No repository readable at all: the command fails.
            try FileManager.default.moveItem(atPath: lab.repository, toPath: lab.repository + ".gone")
            let none = try await lab.lifeboat(["metrics"])
            #expect(none.exitCode == 13, "\(none.stdout)\n\(none.stderr)")
            try FileManager.default.moveItem(atPath: lab.repository + ".gone", toPath: lab.repository)
            try FileManager.default.moveItem(atPath: repo2 + ".gone", toPath: repo2)
        }
    }

    @Test("without --stanza, status and metrics report every stanza: the config file's sections, else the repository's")
    func everyStanza() async throws {
        let directory = try Sandbox.makeClusterUserDirectory(prefix: "lifeboat-stanzas")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withLab { lab in
            let second = try await lab.lifeboat(["init"], stanza: "second")
            #expect(second.exitCode == 0, "\(second.stderr)")
            #expect(try await lab.lifeboat(["backup", "--start-fast"]).exitCode == 0)
            try await lab.switchAndWaitForArchive()
            let noStanza = ["LIFEBOAT_STANZA": ""]

            // No config sections: the stanzas found in the repository.
            let status = try await lab.lifeboat(["status", "--rpo", "1h", "--output", "json"], environment: noStanza)
            #expect(status.exitCode == 0, "\(status.stdout)\n\(status.stderr)")
            let stanzas = try json(status.stdout)["stanzas"] as? [[String: Any]] ?? []
            #expect(stanzas.map { $0["stanza"] as? String } == ["main", "second"], "\(status.stdout)")
            #expect(stanzas.first?["measured"] as? [String: Any] != nil && stanzas.first?["rpoSeconds"] as? Double == 3600)
            #expect((stanzas.first?["measured"] as? [String: Any])?["newestBackup"] as? String != nil)
            #expect((stanzas.last?["measured"] as? [String: Any])?["newestBackup"] == nil)
            let text = try await lab.lifeboat(["status"], environment: noStanza)
            #expect(text.exitCode == 0)
            #expect(text.stdout.contains("stanza: main (posix:\(lab.repository))") && text.stdout.contains("stanza: second (posix:\(lab.repository))"), "\(text.stdout)")

            let metrics = try await lab.lifeboat(["metrics"], environment: noStanza)
            #expect(metrics.exitCode == 0, "\(metrics.stderr)")
            #expect(samples(metrics.stdout, "stanza=\"main\",")["lifeboat_backups"] == 1, "\(metrics.stdout)")
            #expect(samples(metrics.stdout, "stanza=\"second\",")["lifeboat_backups"] == 0, "\(metrics.stdout)")
            let grouped = try json(try await lab.lifeboat(["metrics", "--output", "json"], environment: noStanza).stdout)
            let groups = grouped["stanzas"] as? [[String: Any]] ?? []
            #expect(groups.map { $0["stanza"] as? String } == ["main", "second"])
            for group in groups {
                let samples = group["samples"] as? [[String: Any]] ?? []
                #expect(!samples.isEmpty && samples.allSatisfy { ($0["labels"] as? [String: String])?["stanza"] == group["stanza"] as? String })
            }

            // With --stanza: the single-stanza output, unchanged.
            let single = try json(try await lab.lifeboat(["status", "--stanza", "second", "--output", "json"], environment: noStanza).stdout)
            #expect(single["stanza"] as? String == "second" && single["stanzas"] == nil)

            // Config sections choose the stanzas, each with its own options; one that cannot be read is
            // shown and sets the exit code (stanza not found), the others are still reported.
            let config = try writeConfig(directory, "lifeboat.conf", ["[global]", "rpo = 1h", "[main]", "rpo = 15m", "[ghost]"])
            let sections = try await lab.lifeboat(["status", "--output", "json"], environment: noStanza.merging(["LIFEBOAT_CONFIG": config]) { $1 })
            #expect(sections.exitCode == 10, "\(sections.stdout)\n\(sections.stderr)")
            let entries = try json(sections.stdout)["stanzas"] as? [[String: Any]] ?? []
            #expect(entries.map { $0["stanza"] as? String } == ["ghost", "main"], "\(sections.stdout)")
            #expect((entries.first?["error"] as? String)?.contains("ghost") == true)
            #expect(entries.last?["rpoSeconds"] as? Double == 900)
            #expect(sections.stderr.contains("stanza 'ghost'"), "\(sections.stderr)")

            // Nothing anywhere: exit 2 with one clear line.
            let empty = try Sandbox.makeClusterUserDirectory(prefix: "lifeboat-empty-repo")
            defer { try? FileManager.default.removeItem(atPath: empty) }
            let nothing = try await lab.lifeboat(["status"], environment: ["LIFEBOAT_STANZA": "", "LIFEBOAT_REPO_PATH": empty])
            #expect(nothing.exitCode == 2, "\(nothing.stdout)\n\(nothing.stderr)")
            #expect(nothing.stderr.contains("no stanza given"), "\(nothing.stderr)")
            let noMetrics = try await lab.lifeboat(["metrics"], environment: ["LIFEBOAT_STANZA": "", "LIFEBOAT_REPO_PATH": empty])
            #expect(noMetrics.exitCode == 2, "\(noMetrics.stderr)")
        }
    }
}
