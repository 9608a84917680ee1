import Foundation
import Testing

/// A backup killed half way is never listed, and the next backup clears what it left.
@Suite("interrupted work leaves nothing a later command trusts", .serialized)
struct InterruptedBackupTests {
    @Test("a backup killed during the copy is not listed; the next backup removes its remains and completes")
    func killedBackup() async throws {
        try await withLab { lab in
            // Enough data that the copy takes a while even on a fast disk.
            _ = try await lab.cluster.query(
                "CREATE TABLE big AS SELECT g, repeat(md5(g::text), 20) AS filler FROM generate_series(1, 400000) g")
            // Killed once the first stored file exists, whatever the machine's load.
            let killed = try await lab.backupKilled(when: "*/data", environment: ["LIFEBOAT_PROCESS_MAX": "1", "LIFEBOAT_COMPRESS_TYPE": "gzip"])
            #expect(killed.exitCode == 137, "the backup should still have been copying: \(killed.stderr)")
            let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: lab.repository + "/main/backup")) ?? []
            #expect(leftovers.count == 1, "the killed backup leaves a partial directory behind")

            let info = try await lab.lifeboat(["info", "--output", "json"])
            let json = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any]
            #expect((json?["backups"] as? [Any])?.isEmpty == true, "a partial backup must never be listed")

            let restoreTarget = try lab.cluster.makeDirectory("restore-nothing")
            let restore = try await lab.lifeboat(["restore", "--pg-data", restoreTarget])
            #expect(restore.exitCode == 31, "nothing to restore from: \(restore.stderr)")

            let next = try await lab.lifeboat(["backup", "--start-fast"])
            #expect(next.exitCode == 0, "\(next.stderr)")
            #expect(next.stderr.contains("removing interrupted backup '\(leftovers.first ?? "")'"))
            let after = try FileManager.default.contentsOfDirectory(atPath: lab.repository + "/main/backup")
            // One directory: the new, complete backup (it may reuse the label when started in the same second).
            #expect(after.count == 1)
            let listed = try await lab.lifeboat(["info", "--output", "json"])
            let backups = (try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])?["backups"] as? [Any]
            #expect(backups?.count == 1)
        }
    }
}
