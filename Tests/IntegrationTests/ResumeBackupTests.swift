import Foundation
import Testing

/// A backup killed mid-copy and run again finishes the same backup, reusing what the first attempt
/// stored and verified, and the result restores.
@Suite("resuming an interrupted backup", .serialized)
struct ResumeBackupTests {
    @Test("a killed backup is resumed: files already stored are checked and reused, never copied again")
    func killedThenResumed() async throws {
        // No autovacuum: between the kill and the resume it would set hint bits and visibility maps
        // in the new tables, change their mtimes, and rightly make them ineligible for reuse.
        try await withLab(extraConfig: ["autovacuum = off"]) { lab in
            // Many medium files, so some are stored (and journaled) before the kill.
            for table in 0..<40 {
                _ = try await lab.cluster.query(
                    "CREATE TABLE t\(table) AS SELECT g, repeat(md5((g + \(table))::text), 5) AS filler FROM generate_series(1, 30000) g")
            }
            _ = try await lab.cluster.query("VACUUM (FREEZE, ANALYZE)")   // hint bits set now, not between the attempts
            _ = try await lab.cluster.query("CHECKPOINT")
            try await Task.sleep(nanoseconds: 1_100_000_000)   // the files' mtimes fall before the backup's start
            // Killed as soon as the first journal batch (files stored so far) has landed.
            let killed = try await lab.backupKilled(when: "*/journal/*.json", environment: ["LIFEBOAT_PROCESS_MAX": "1", "LIFEBOAT_COMPRESS_TYPE": "gzip"])
            #expect(killed.exitCode == 137, "the backup should still have been copying: \(killed.stderr)")
            let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: lab.repository + "/main/backup")) ?? []
            #expect(leftovers.count == 1)

            let info = try await lab.lifeboat(["info", "--output", "json"])
            let listed = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any]
            #expect((listed?["backups"] as? [Any])?.isEmpty == true, "a partial backup must never be listed")

            // What a file dropped before the resume would leave: an object the finished backup does not name.
            let partial = lab.repository + "/main/backup/" + (leftovers.first ?? "")
            let stray = partial + "/data/base/1/999999.gz"
            for directory in ["/data", "/data/base", "/data/base/1"] { try Sandbox.makeOwnedDirectory(partial + directory) }
            try Data("stray".utf8).write(to: URL(fileURLWithPath: stray))
            Sandbox.giveToClusterUser(stray)
            // And what a writer killed mid-file leaves: a temporary file, hidden from listings.
            let halfWritten = partial + "/data/base/1/.1259.tmp.4242.dead"
            try Data("half".utf8).write(to: URL(fileURLWithPath: halfWritten))
            Sandbox.giveToClusterUser(halfWritten)

            let resumed = try await lab.lifeboat(["backup", "--start-fast", "--output", "json"], environment: ["LIFEBOAT_COMPRESS_TYPE": "gzip"])
            #expect(resumed.exitCode == 0, "\(resumed.stderr)")
            #expect(resumed.stderr.contains("resuming interrupted backup '\(leftovers.first ?? "")'"), "\(resumed.stderr)")
            #expect(!FileManager.default.fileExists(atPath: stray), "an object the finished backup does not use is removed")
            #expect(!FileManager.default.fileExists(atPath: halfWritten), "a killed writer's temporary file is removed")
            #expect(try await lab.lifeboat(["verify"]).exitCode == 0)
            let json = try JSONSerialization.jsonObject(with: Data(resumed.stdout.utf8)) as? [String: Any] ?? [:]
            #expect(json["resumed"] as? Bool == true)
            #expect((json["reusedFiles"] as? Int ?? 0) > 0, "files stored before the kill are reused: \(json)")
            #expect(json["label"] as? String == leftovers.first)
            let after = try FileManager.default.contentsOfDirectory(atPath: lab.repository + "/main/backup")
            #expect(after == leftovers)
            #expect(!FileManager.default.fileExists(atPath: lab.repository + "/main/backup/\(leftovers.first ?? "")/journal"),
                    "a complete backup keeps no resume notes")

            try await lab.switchAndWaitForArchive()
            let target = try lab.cluster.makeDirectory("restore-resumed")
            let restore = try await lab.lifeboat(["restore", "--pg-data", target, "--archive-mode", "off", "--target", "immediate",
                                                  "--target-action", "promote"])
            #expect(restore.exitCode == 0, "\(restore.stderr)")
            let server = try await lab.cluster.startOther(dataDirectory: target, waitForPromotion: true, timeoutSeconds: 120)
            #expect(try await lab.count("SELECT count(*) FROM t0", on: server) == 30000)
            #expect(try await lab.count("SELECT count(*) FROM t39", on: server) == 30000)
            try await server.stop(mode: "fast")
        }
    }

    @Test("an interrupted backup of another kind cannot be resumed and is removed")
    func incompatibleIsRemoved() async throws {
        try await withLab { lab in
            _ = try await lab.cluster.query("CREATE TABLE big AS SELECT g, repeat(md5(g::text), 20) AS filler FROM generate_series(1, 200000) g")
            let killed = try await lab.backupKilled(when: "*/data", environment: ["LIFEBOAT_PROCESS_MAX": "1", "LIFEBOAT_COMPRESS_TYPE": "gzip"])
            #expect(killed.exitCode == 137)
            let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: lab.repository + "/main/backup")) ?? []
            // Same type, other compression: the stored objects would not fit the new backup.
            let next = try await lab.lifeboat(["backup", "--start-fast", "--compress-type", "lz4", "--output", "json"])
            #expect(next.exitCode == 0, "\(next.stderr)")
            #expect(next.stderr.contains("removing interrupted backup '\(leftovers.first ?? "")'"))
            let json = try JSONSerialization.jsonObject(with: Data(next.stdout.utf8)) as? [String: Any] ?? [:]
            #expect(json["resumed"] as? Bool == false)
            let after = try FileManager.default.contentsOfDirectory(atPath: lab.repository + "/main/backup")
            // One directory: the new, complete backup (it may reuse the label when started in the same second).
            #expect(after.count == 1)
            let listed = try await lab.lifeboat(["info", "--output", "json"])
            let backups = (try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])?["backups"] as? [Any]
            #expect(backups?.count == 1)
        }
    }
}
