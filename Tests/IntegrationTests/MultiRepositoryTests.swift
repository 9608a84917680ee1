#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LifeboatPostgres
import Testing

/// Two posix repositories at once (repo1 from --repo-path, repo2 from the config file): archive-push
/// stores to both and fails while one cannot take the file; restore and archive-get fall back to repo2
/// when repo1 is gone; info shows both.
@Suite("several repositories", .serialized)
struct MultiRepositoryTests {
    @Test("archive to both, refuse while one is unwritable, fall back to repo2 when repo1 is gone")
    func twoRepositories() async throws {
        let holder = try Sandbox.makeClusterUserDirectory(prefix: "lifeboat-repo2")
        defer { try? FileManager.default.removeItem(atPath: holder) }
        let repo2 = holder + "/repo"
        try Sandbox.makeOwnedDirectory(repo2)
        try await withLab(configLines: ["repo2-path = \(repo2)"]) { lab in
            #expect(FileManager.default.fileExists(atPath: repo2 + "/main/stanza.json"), "init did not create the stanza in repo2")
            _ = try await lab.cluster.query("CREATE TABLE t (id int)")
            _ = try await lab.cluster.query("INSERT INTO t SELECT generate_series(1, 100)")
            try await lab.switchAndWaitForArchive()
            let inRepo1 = try lab.archivedNames()
            // One archive-push commits to both in parallel: repo2's copy may land a moment after repo1's.
            let bothDeadline = Date().addingTimeInterval(60)
            while try !inRepo1.isSubset(of: Self.archivedNames(repo2)), Date() < bothDeadline {
                try await Task.sleep(nanoseconds: 50_000_000)
            }
            #expect(try inRepo1.isSubset(of: Self.archivedNames(repo2)), "repo2 lacks WAL that repo1 has")

            // repo2 cannot take files: the push fails, PostgreSQL keeps the segment and retries.
            let archiveDirectories = try FileManager.default.contentsOfDirectory(atPath: repo2 + "/main/archive")
            for directory in archiveDirectories { chmod(repo2 + "/main/archive/" + directory, 0o500) }
            let failedBefore = try await lab.count("SELECT failed_count FROM pg_stat_archiver")
            _ = try await lab.cluster.query("INSERT INTO t SELECT generate_series(1, 10)")
            let stuck = try await lab.cluster.query("SELECT pg_walfile_name(pg_current_wal_insert_lsn()) AS name").value(0, "name") ?? ""
            _ = try await lab.cluster.query("SELECT pg_switch_wal()")
            let deadline = Date().addingTimeInterval(90)
            while try await lab.count("SELECT failed_count FROM pg_stat_archiver") == failedBefore, Date() < deadline {
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            #expect(try await lab.count("SELECT failed_count FROM pg_stat_archiver") > failedBefore, "archive-push did not fail")
            let lastArchived = try await lab.cluster.query("SELECT coalesce(last_archived_wal, '') AS w FROM pg_stat_archiver").value(0, "w") ?? ""
            #expect(lastArchived < stuck, "PostgreSQL considers \(stuck) archived although repo2 lacks it")
            let direct = try await lab.lifeboat(["archive-push", lab.cluster.dataDirectory + "/pg_wal/" + stuck])
            #expect(direct.exitCode != 0 && direct.stderr.contains("repo2"), "\(direct.stderr)")
            for directory in archiveDirectories { chmod(repo2 + "/main/archive/" + directory, 0o700) }
            // New WAL wakes the archiver (after three failures it otherwise sleeps up to a minute); it retries
            // the stuck segment first.
            _ = try await lab.cluster.query("INSERT INTO t SELECT generate_series(1, 10)")
            _ = try await lab.cluster.query("SELECT pg_switch_wal()")
            let caughtUp = Date().addingTimeInterval(120)
            while try !Self.archivedNames(repo2).contains(stuck), Date() < caughtUp {
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            #expect(try Self.archivedNames(repo2).contains(stuck))

            // Backups to each repository; info shows both.
            #expect(try await lab.lifeboat(["backup", "--start-fast"]).exitCode == 0)
            let second = try await lab.lifeboat(["backup", "--start-fast", "--repo", "2"])
            #expect(second.exitCode == 0, "\(second.stderr)")
            _ = try await lab.cluster.query("INSERT INTO t SELECT generate_series(101, 150)")
            try await lab.switchAndWaitForArchive()
            let info = try await lab.lifeboat(["info", "--output", "json"])
            let json = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any]
            let repositories = json?["repositories"] as? [[String: Any]] ?? []
            #expect(repositories.count == 2 && repositories.allSatisfy { $0["status"] as? String == "ok" }, "\(info.stdout) \(info.stderr)")

            // repo1 gone: restore and archive-get use repo2. Absent from repo2 while repo1 fails is not "absent".
            let wal = try #require(inRepo1.sorted().first)
            try FileManager.default.moveItem(atPath: lab.repository, toPath: lab.repository + ".gone")
            let target = try lab.cluster.makeDirectory("restore-fallback")
            let restore = try await lab.lifeboat(["restore", "--pg-data", target, "--archive-mode", "off", "--target-action", "promote"])
            #expect(restore.exitCode == 0, "\(restore.stderr)")
            #expect(restore.stderr.contains("repo1") && restore.stderr.contains("trying the next repository"), "\(restore.stderr)")
            let scratch = try lab.cluster.makeDirectory("fetched")
            let fetched = try await lab.lifeboat(["archive-get", wal, scratch + "/" + wal])
            #expect(fetched.exitCode == 0, "\(fetched.stderr)")
            let missing = try await lab.lifeboat(["archive-get", "0000000100000000000000FE", scratch + "/absent"])
            #expect(missing.exitCode == 126, "\(missing.stderr)")
            try FileManager.default.moveItem(atPath: lab.repository + ".gone", toPath: lab.repository)
            let absent = try await lab.lifeboat(["archive-get", "0000000100000000000000FE", scratch + "/absent"])
            #expect(absent.exitCode == 1, "\(absent.stderr)")

            let settings = try String(contentsOfFile: target + "/postgresql.auto.conf", encoding: .utf8)
            #expect(settings.contains("--repo2-path"), "\(settings)")
            let server = try await lab.cluster.startOther(dataDirectory: target, waitForPromotion: true, timeoutSeconds: 120)
            #expect(try await lab.count("SELECT count(*) FROM t", on: server) == 170)
            try await server.stop(mode: "fast")
        }
    }

    @Test("each repository keeps its own retention policy: backup --repo 2 and expire --repo 2 apply repo2-retention-…")
    func retentionPerRepository() async throws {
        let holder = try Sandbox.makeClusterUserDirectory(prefix: "lifeboat-repo2-retention")
        defer { try? FileManager.default.removeItem(atPath: holder) }
        let repo2 = holder + "/repo"
        try Sandbox.makeOwnedDirectory(repo2)
        try await withLab(configLines: ["repo2-path = \(repo2)", "retention-full = 3", "repo2-retention-full = 1"]) { lab in
            _ = try await lab.cluster.query("CREATE TABLE t (id int)")
            func labels(repo: Int) async throws -> [String] {
                let info = try await lab.lifeboat(["info", "--repo", String(repo), "--output", "json"])
                #expect(info.exitCode == 0, "\(info.stderr)")
                let json = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any]
                return (json?["backups"] as? [[String: Any]] ?? []).compactMap { $0["label"] as? String }
            }
            var made: [String] = []
            for round in 0..<2 {
                _ = try await lab.cluster.query("INSERT INTO t SELECT generate_series(1, \(10 * (round + 1)))")
                try await lab.switchAndWaitForArchive()
                #expect(try await lab.lifeboat(["backup", "--start-fast"]).exitCode == 0)
                let second = try await lab.lifeboat(["backup", "--start-fast", "--repo", "2", "--output", "json"])
                #expect(second.exitCode == 0, "\(second.stderr)")
                let json = try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any]
                made.append(try #require(json?["label"] as? String))
            }
            // expire-auto after `backup --repo 2` applied repo2-retention-full = 1; repo1 keeps both under retention-full = 3.
            #expect(try await labels(repo: 2) == [made[1]])
            #expect(try await labels(repo: 1).count == 2)

            // expire --repo 2 reports the effective policy of repository 2; an indexed flag overrides the file.
            let dry = try await lab.lifeboat(["expire", "--repo", "2", "--dry-run", "--output", "json"])
            #expect(dry.exitCode == 0, "\(dry.stderr)")
            let report = try JSONSerialization.jsonObject(with: Data(dry.stdout.utf8)) as? [String: Any]
            #expect(report?["policy"] as? [String: String] == ["retention-full": "1"], "\(dry.stdout)")
            #expect(report?["repo"] as? Int == 2, "\(dry.stdout)")
            let one = try await lab.lifeboat(["expire", "--output", "json"], environment: ["LIFEBOAT_DRY_RUN": "y", "LIFEBOAT_REPO1_RETENTION_FULL": "1"])
            #expect(one.exitCode == 0, "\(one.stderr)")
            let plan = try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [String: Any]
            #expect(plan?["policy"] as? [String: String] == ["retention-full": "1"] && plan?["dryRun"] as? Bool == true, "\(one.stdout)")
            #expect((plan?["backups"] as? [[String: Any]])?.count == 1, "\(one.stdout)")
            #expect(try await labels(repo: 1).count == 2, "LIFEBOAT_DRY_RUN=y removed something")
        }
    }

    static func archivedNames(_ repository: String) throws -> Set<String> {
        var names = Set<String>()
        let archive = repository + "/main/archive"
        for directory in (try? FileManager.default.contentsOfDirectory(atPath: archive)) ?? [] {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: archive + "/" + directory)) ?? [] {
                if let dash = file.firstIndex(of: "-") { names.insert(String(file[..<dash])) }
            }
        }
        return names
    }
}
