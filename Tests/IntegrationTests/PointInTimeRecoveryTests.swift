import Foundation
import LifeboatPostgres
import Testing

/// Full backup of a live cluster, then restores to every kind of target, each proven by exact row
/// counts on the restored, promoted server — and by PostgreSQL's own verifiers.
@Suite("backup and point-in-time restore", .serialized)
struct PointInTimeRecoveryTests {
    /// 100 rows before the backup; batch 1 (50) before the marks; batch 2 (50, xid noted) after them;
    /// batch 3 (50) last. Every mark sits between batch 1 and batch 2.
    struct Story {
        var backupLabel = ""
        var time = ""
        var lsn = ""
        var batch2Xid = ""
        let pointName = "before_batch2"
    }

    private func tellStory(_ lab: Lab) async throws -> Story {
        var story = Story()
        _ = try await lab.cluster.query("CREATE TABLE orders (id serial PRIMARY KEY, batch int NOT NULL, note text)")
        _ = try await lab.cluster.query("INSERT INTO orders (batch, note) SELECT 0, md5(g::text) FROM generate_series(1, 100) g")
        let backup = try await lab.lifeboat(["backup", "--type", "full", "--start-fast", "--output", "json"])
        #expect(backup.exitCode == 0, "\(backup.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(backup.stdout.utf8)) as? [String: Any]
        story.backupLabel = report?["label"] as? String ?? ""

        _ = try await lab.cluster.query("INSERT INTO orders (batch) SELECT 1 FROM generate_series(1, 50)")
        try await Task.sleep(nanoseconds: 1_100_000_000)
        let marks = try await lab.cluster.query(
            "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00' AS t, pg_current_wal_lsn()::text AS lsn")
        story.time = marks.value(0, "t") ?? ""
        story.lsn = marks.value(0, "lsn") ?? ""
        _ = try await lab.cluster.query("SELECT pg_create_restore_point('\(story.pointName)')")
        try await Task.sleep(nanoseconds: 1_100_000_000)
        let connection = try await lab.cluster.connect()
        _ = try await connection.query("BEGIN")
        story.batch2Xid = try await connection.query("SELECT txid_current()::text AS x").value(0, "x") ?? ""
        _ = try await connection.query("INSERT INTO orders (batch) SELECT 2 FROM generate_series(1, 50)")
        _ = try await connection.query("COMMIT")
        connection.close()
        _ = try await lab.cluster.query("INSERT INTO orders (batch) SELECT 3 FROM generate_series(1, 50)")
        try await lab.switchAndWaitForArchive()
        return story
    }

    /// Restores with `arguments`, checks pg_verifybackup, starts the copy, returns its row count.
    private func restoreAndCount(_ lab: Lab, name: String, _ arguments: [String], checkPageChecksums: Bool = false) async throws -> Int {
        try await restore(lab, name: name, arguments, checkPageChecksums: checkPageChecksums).count
    }

    private func restore(_ lab: Lab, name: String, _ arguments: [String], checkPageChecksums: Bool = false,
                         sql: String = "SELECT count(*) FROM orders") async throws -> (count: Int, directory: String) {
        let target = try lab.cluster.makeDirectory("restore-\(name)")
        let restore = try await lab.lifeboat(["restore", "--pg-data", target, "--archive-mode", "off"] + arguments)
        #expect(restore.exitCode == 0, "restore \(name): \(restore.stderr)")
        let verify = try await lab.cluster.runAsClusterUser(try PostgresBinaries.path(of: "pg_verifybackup", major: 15), ["-n", target])
        #expect(verify.exitCode == 0, "pg_verifybackup \(name): \(verify.stdout) \(verify.stderr)")
        let server = try await lab.cluster.startOther(dataDirectory: target, waitForPromotion: true, timeoutSeconds: 120)
        let count = try await lab.count(sql, on: server)
        try await server.stop(mode: "fast")
        if checkPageChecksums {
            let checksums = try await lab.cluster.runAsClusterUser(try PostgresBinaries.path(of: "pg_checksums", major: 15), ["--check", "-D", target])
            #expect(checksums.exitCode == 0, "pg_checksums: \(checksums.stdout) \(checksums.stderr)")
        }
        return (count, target)
    }

    @Test("restore to a time, an LSN, a restore point, an xid (inclusive and exclusive), immediate and the end of the archive")
    func everyTargetKind() async throws {
        try await withLab { lab in
            let story = try await tellStory(lab)
            #expect(try await lab.count("SELECT count(*) FROM orders") == 250)
            let promote = ["--target-action", "promote"]
            #expect(try await restoreAndCount(lab, name: "time", ["--target-time", story.time] + promote, checkPageChecksums: true) == 150)
            #expect(try await restoreAndCount(lab, name: "lsn", ["--target-lsn", story.lsn] + promote) == 150)
            #expect(try await restoreAndCount(lab, name: "name", ["--target-name", story.pointName] + promote) == 150)
            #expect(try await restoreAndCount(lab, name: "xid", ["--target-xid", story.batch2Xid] + promote) == 200)
            #expect(try await restoreAndCount(lab, name: "xid-excl", ["--target-xid", story.batch2Xid, "--target-exclusive"] + promote) == 150)
            #expect(try await restoreAndCount(lab, name: "immediate", ["--target", "immediate", "--set", story.backupLabel] + promote) == 100)
            #expect(try await restoreAndCount(lab, name: "end", []) == 250)

            // Over a non-empty directory only with --force, which replaces its contents.
            let used = lab.cluster.baseDirectory + "/restore-time"
            let refused = try await lab.lifeboat(["restore", "--pg-data", used])
            #expect(refused.exitCode == 32)
            let forced = try await lab.lifeboat(["restore", "--pg-data", used, "--force", "--archive-mode", "off", "--target", "immediate",
                                                 "--target-action", "promote"])
            #expect(forced.exitCode == 0, "\(forced.stderr)")
            let server = try await lab.cluster.startOther(dataDirectory: used, waitForPromotion: true, timeoutSeconds: 120)
            #expect(try await lab.count("SELECT count(*) FROM orders", on: server) == 100)
            try await server.stop(mode: "fast")
        }
    }

    @Test("info lists the backup and a recoverable window that covers the archive")
    func infoReportsTheWindow() async throws {
        try await withLab { lab in
            _ = try await lab.cluster.query("CREATE TABLE t AS SELECT g FROM generate_series(1, 1000) g")
            let backup = try await lab.lifeboat(["backup", "--start-fast", "--compress-type", "lz4"])
            #expect(backup.exitCode == 0, "\(backup.stderr)")
            try await lab.switchAndWaitForArchive()
            let info = try await lab.lifeboat(["info", "--output", "json"])
            #expect(info.exitCode == 0, "\(info.stderr)")
            let json = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any]
            let backups = json?["backups"] as? [[String: Any]] ?? []
            #expect(backups.count == 1)
            #expect(backups.first?["type"] as? String == "full")
            #expect((backups.first?["storedSize"] as? Int ?? 0) > 0)
            #expect((backups.first?["originalSize"] as? Int ?? 0) > (backups.first?["storedSize"] as? Int ?? 0))
            let window = json?["recoverableWindow"] as? [String: Any]
            #expect(window?["earliest"] != nil && window?["latest"] != nil)
            let text = try await lab.lifeboat(["info"])
            #expect(text.stdout.contains("full backup: "))
            #expect(text.stdout.contains("recoverable window: "))
        }
    }

    @Test("a tablespace is backed up and restored to a mapped location")
    func tablespaces() async throws {
        try await withLab { lab in
            let location = try lab.cluster.makeDirectory("tablespace-original")
            _ = try await lab.cluster.query("CREATE TABLESPACE extra LOCATION '\(location)'")
            _ = try await lab.cluster.query("CREATE TABLE far (id int) TABLESPACE extra")
            _ = try await lab.cluster.query("INSERT INTO far SELECT generate_series(1, 777)")
            let oid = try await lab.cluster.query("SELECT oid::text AS oid FROM pg_tablespace WHERE spcname = 'extra'").value(0, "oid") ?? ""
            #expect(try await lab.lifeboat(["backup", "--start-fast"]).exitCode == 0)
            try await lab.switchAndWaitForArchive()
            let mapped = try lab.cluster.makeDirectory("tablespace-restored")
            let restored = try await restore(lab, name: "tablespace", ["--tablespace-map", "\(oid)=\(mapped)"], sql: "SELECT count(*) FROM far")
            #expect(restored.count == 777)
            let restoredTarget = try FileManager.default.destinationOfSymbolicLink(atPath: restored.directory + "/pg_tblspc/\(oid)")
            #expect(restoredTarget == mapped)
            #expect(try FileManager.default.contentsOfDirectory(atPath: mapped).contains { $0.hasPrefix("PG_15_") })
        }
    }
}
