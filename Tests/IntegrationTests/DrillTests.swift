#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LifeboatPostgres
import Testing

/// `lifeboat drill` restores, starts, checks and times a backup in a scratch directory, records the
/// result in the repository, and leaves no process or file behind.
@Suite("drill proves a backup restores", .serialized)
struct DrillTests {
    /// 100 rows, a full backup, 50 more rows, archived.
    private func prepare(_ lab: Lab) async throws -> String {
        _ = try await lab.cluster.query("CREATE TABLE orders (id serial PRIMARY KEY, note text)")
        _ = try await lab.cluster.query("INSERT INTO orders (note) SELECT md5(g::text) FROM generate_series(1, 100) g")
        let backup = try await lab.lifeboat(["backup", "--type", "full", "--start-fast", "--output", "json"])
        #expect(backup.exitCode == 0, "\(backup.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(backup.stdout.utf8)) as? [String: Any]
        _ = try await lab.cluster.query("INSERT INTO orders (note) SELECT 'late' FROM generate_series(1, 50)")
        try await lab.switchAndWaitForArchive()
        return report?["label"] as? String ?? ""
    }

    /// A file in a directory the cluster user (who runs lifeboat) can read.
    private func writeFile(_ lab: Lab, _ name: String, _ text: String, mode: mode_t = 0o644) throws -> String {
        let path = LifeboatExecutableDirectory.parent(of: lab.binary) + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, mode)
        return path
    }

    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    private func checks(_ report: [String: Any]) -> [String: String] {
        var outcomes: [String: String] = [:]
        for check in report["checks"] as? [[String: Any]] ?? [] {
            outcomes[check["name"] as? String ?? "?"] = check["outcome"] as? String
        }
        return outcomes
    }

    private func drillRecords(_ lab: Lab) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(lab.repository)/\(lab.stanza)/drill")) ?? []).sorted()
    }

    /// Processes whose command line mentions `path` (a postgres left on the scratch data directory).
    private func processes(mentioning path: String) -> [String] {
        var found: [String] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int(entry) != nil {
            guard let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let line = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
            if line.contains(path) { found.append("\(entry): \(line)") }
        }
        return found
    }

    @Test("a passing drill to a random target: every check passes, the result is recorded, nothing is left behind")
    func passingDrill() async throws {
        try await withLab { lab in
            let label = try await prepare(lab)
            let checkFile = try writeFile(lab, "checks.sql", """
                -- the rows of the backup are there
                SELECT count(*) >= 100 FROM orders;
                SELECT count(*) = count(DISTINCT id) FROM orders;
                """)
            let result = try await lab.lifeboat(["drill", "--random-target", "--check-sql", checkFile, "--rto", "1h", "--output", "json"])
            #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)")
            let report = try json(result.stdout)
            #expect(report["outcome"] as? String == "passed")
            #expect(report["backupLabel"] as? String == label)
            #expect(report["rtoMet"] as? Bool == true)
            #expect(report["targetTime"] is String)
            #expect((report["timeToReadySeconds"] as? Double ?? 0) > 0)
            #expect(report["lifeboatVersion"] is String && report["host"] is String)
            let outcomes = checks(report)
            for name in ["restore", "out of recovery", "isolation", "recovery target", "databases", "amcheck", "clean stop", "page checksums",
                         "sql checks.sql#1", "sql checks.sql#2", "rto"] {
                #expect(outcomes[name] == "passed", "check \(name): \(outcomes[name] ?? "missing") in \(result.stdout)")
            }

            let records = drillRecords(lab)
            #expect(records.count == 1)
            let recorded = try json(try String(contentsOfFile: "\(lab.repository)/\(lab.stanza)/drill/\(records.first ?? "")", encoding: .utf8))
            #expect(recorded["outcome"] as? String == "passed")
            #expect(recorded["backupLabel"] as? String == label)

            let scratch = try #require(report["scratchDirectory"] as? String)
            #expect(!FileManager.default.fileExists(atPath: scratch), "scratch directory \(scratch) left behind")
            #expect(processes(mentioning: scratch).isEmpty, "\(processes(mentioning: scratch))")
        }
    }

    @Test("a failing SQL check fails the drill (exit 60), is recorded, and notify-command (a shell redirection) gets the JSON on stdin")
    func failingCheckNotifies() async throws {
        try await withLab { lab in
            _ = try await prepare(lab)
            let outbox = try Sandbox.makeClusterUserDirectory(prefix: "lifeboat-notify")
            defer { try? FileManager.default.removeItem(atPath: outbox) }
            let checkFile = try writeFile(lab, "wrong.sql", "SELECT count(*) = 0 FROM orders; SELECT true")
            let result = try await lab.lifeboat(
                ["drill", "--check-sql", checkFile, "--keep", "--output", "json"],
                environment: ["LIFEBOAT_NOTIFY_COMMAND": "cat > '\(outbox)/drill.json'"])
            #expect(result.exitCode == 60, "\(result.stdout)\n\(result.stderr)")
            #expect(result.stderr.contains("sql wrong.sql#1"), "\(result.stderr)")
            let report = try json(result.stdout)
            #expect(report["outcome"] as? String == "failed")
            #expect(checks(report)["sql wrong.sql#1"] == "failed")
            #expect(checks(report)["sql wrong.sql#2"] == "passed")
            // End of archive: all 150 rows came back.
            #expect(checks(report)["recovery target"] == "passed")

            let notified = try json(try String(contentsOfFile: outbox + "/drill.json", encoding: .utf8))
            #expect(notified["outcome"] as? String == "failed")
            #expect(notified["record"] as? String == report["record"] as? String)
            #expect(drillRecords(lab).count == 1)

            // The failed drill is audit evidence too, with the check that failed.
            let audit = try json(try await lab.lifeboat(["audit", "--output", "json"]).stdout)
            let drills = (audit["records"] as? [[String: Any]] ?? []).filter { $0["command"] as? String == "drill" }
            #expect(drills.count == 1)
            #expect(drills.first?["outcome"] as? String == "failed")
            #expect((drills.first?["error"] as? String)?.contains("sql wrong.sql#1") == true)

            // --keep keeps the directory, never the server.
            let scratch = try #require(report["scratchDirectory"] as? String)
            #expect(FileManager.default.fileExists(atPath: scratch + "/data/PG_VERSION"))
            #expect(processes(mentioning: scratch).isEmpty, "\(processes(mentioning: scratch))")
            try? FileManager.default.removeItem(atPath: scratch)
        }
    }

    @Test("a drill of a backup whose repository file is damaged fails and names the file")
    func corruptedBackup() async throws {
        try await withLab { lab in
            let label = try await prepare(lab)
            let data = "\(lab.repository)/\(lab.stanza)/backup/\(label)/data"
            // The largest stored file: damage in its middle.
            var largest = ("", 0)
            let walker = try #require(FileManager.default.enumerator(atPath: data))
            while let path = walker.nextObject() as? String {
                let size = (try? FileManager.default.attributesOfItem(atPath: data + "/" + path)[.size] as? Int) ?? 0
                if size > largest.1 { largest = (path, size) }
            }
            let handle = try #require(FileHandle(forUpdatingAtPath: data + "/" + largest.0))
            try handle.seek(toOffset: UInt64(largest.1 / 2))
            try handle.write(contentsOf: Data(repeating: 0x5A, count: 64))
            try handle.close()
            let damaged = (largest.0 as NSString).deletingPathExtension

            let result = try await lab.lifeboat(["drill", "--set", label, "--output", "json"])
            #expect(result.exitCode == 60, "\(result.stdout)\n\(result.stderr)")
            #expect(result.stderr.contains(damaged), "expected '\(damaged)' in \(result.stderr)")
            let report = try json(result.stdout)
            #expect(report["outcome"] as? String == "failed")
            #expect(checks(report)["restore"] == "failed")
            #expect(drillRecords(lab).count == 1)
            let scratch = try #require(report["scratchDirectory"] as? String)
            #expect(!FileManager.default.fileExists(atPath: scratch))
        }
    }

    @Test("a target time after the last archived commit replays the whole archive and passes")
    func targetAfterLastCommit() async throws {
        try await withLab { lab in
            _ = try await prepare(lab)
            try await Task.sleep(nanoseconds: 1_100_000_000)
            let target = try await lab.cluster.query(
                "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00' AS t").value(0, "t") ?? ""
            try await Task.sleep(nanoseconds: 2_500_000_000)
            // WAL without a commit, archived after the target: the window reaches past it.
            _ = try await lab.cluster.query("SELECT pg_logical_emit_message(false, 'test', 'no commit')")
            try await lab.switchAndWaitForArchive()
            // The archive is published a moment after its file appears: wait until the window covers the target.
            for _ in 0..<600 {
                let info = try json(try await lab.lifeboat(["info", "--output", "json"]).stdout)
                let latest = (info["recoverableWindow"] as? [String: Any])?["latest"] as? String ?? ""
                if latest.prefix(19) > target.prefix(19) { break }
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            let result = try await lab.lifeboat(["drill", "--target-time", target, "--check-sql", try writeFile(lab, "all.sql", "SELECT count(*) = 150 FROM orders"), "--output", "json"])
            let info = try await lab.lifeboat(["info"]).stdout
            let names = try lab.archivedNames().sorted()
            #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)\n\(info)\n\(names)")
            let report = try json(result.stdout)
            let target_ = (report["checks"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "recovery target" }
            #expect(target_?["outcome"] as? String == "passed")
            #expect((target_?["message"] as? String)?.contains("the whole archive was replayed") == true, "\(target_ ?? [:])")
        }
    }

    @Test("bad drill input is refused before anything starts")
    func badInput() async throws {
        try await withLab { lab in
            _ = try await prepare(lab)
            let missing = try await lab.lifeboat(["drill", "--check-sql", "/nonexistent/checks.sql"])
            #expect(missing.exitCode == 2, "\(missing.stderr)")
            #expect(missing.stderr.contains("/nonexistent/checks.sql"))
            let both = try await lab.lifeboat(["drill", "--random-target", "--target-time", "2026-01-01 00:00:00+00"])
            #expect(both.exitCode == 2, "\(both.stderr)")
            let unknown = try await lab.lifeboat(["drill", "--set", "20000101-000000F"])
            #expect(unknown.exitCode == 31, "\(unknown.stderr)")
            let rto = try await lab.lifeboat(["drill", "--rto", "soon"])
            #expect(rto.exitCode == 2, "\(rto.stderr)")
            #expect(drillRecords(lab).isEmpty)
        }
    }
}
