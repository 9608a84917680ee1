import Foundation
import Testing

/// A page whose data checksum fails is found while the backup copies it, reported by file and block
/// in the log, the backup report, `info` and the manifest — and fails the backup only when asked to.
@Suite("page checksums verified during backup", .serialized)
struct PageChecksumBackupTests {
    @Test("garbage written into a page of a stopped cluster is reported by file and block; --checksum-page-fail fails the backup")
    func corruptedPage() async throws {
        try await withLab { lab in
            _ = try await lab.cluster.query("CREATE TABLE victim (id int, filler text)")
            _ = try await lab.cluster.query("INSERT INTO victim SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 3000) g")
            _ = try await lab.cluster.query("CREATE TABLE healthy AS SELECT g FROM generate_series(1, 1000) g")
            _ = try await lab.cluster.query("VACUUM ANALYZE")
            let path = try await lab.cluster.query("SELECT pg_relation_filepath('victim') AS p").value(0, "p") ?? ""
            #expect(path.hasPrefix("base/"))
            _ = try await lab.cluster.query("CHECKPOINT")
            try await lab.cluster.stop()

            // Overwrite 200 bytes in the tuple area of block 3; the page header (and its LSN) stays intact.
            let handle = try #require(FileHandle(forUpdatingAtPath: lab.cluster.dataDirectory + "/" + path))
            try handle.seek(toOffset: UInt64(3 * 8192 + 5000))
            handle.write(Data(repeating: 0xA5, count: 200))
            try handle.close()
            try await lab.cluster.start()   // nothing reads the victim table

            let backup = try await lab.lifeboat(["backup", "--start-fast", "--output", "json"])
            #expect(backup.exitCode == 0, "a bad page is reported, not fatal: \(backup.stderr)")
            #expect(backup.stderr.contains("'\(path)'") && backup.stderr.contains("block 3"), "\(backup.stderr)")
            let report = try JSONSerialization.jsonObject(with: Data(backup.stdout.utf8)) as? [String: Any] ?? [:]
            let reported = report["checksumPageErrors"] as? [[String: Any]] ?? []
            #expect(reported.count == 1)
            #expect(reported.first?["path"] as? String == path && reported.first?["blocks"] as? [Int] == [3], "\(reported)")

            let info = try await lab.lifeboat(["info", "--output", "json"])
            let infoJSON = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any]
            let backups = infoJSON?["backups"] as? [[String: Any]] ?? []
            let listed = backups.first?["checksumPageErrors"] as? [[String: Any]] ?? []
            #expect(listed.first?["path"] as? String == path && listed.first?["blocks"] as? [Int] == [3], "\(listed)")
            let text = try await lab.lifeboat(["info"])
            #expect(text.stdout.contains("page checksum errors: \(path) blocks 3"), "\(text.stdout)")

            let label = report["label"] as? String ?? ""
            let manifestData = try Data(contentsOf: URL(fileURLWithPath: lab.repository + "/main/backup/\(label)/manifest.json"))
            let manifest = try JSONSerialization.jsonObject(with: manifestData) as? [String: Any]
            let entry = (manifest?["files"] as? [[String: Any]] ?? []).first { $0["path"] as? String == path }
            #expect(entry?["checksumPageErrors"] as? [Int] == [3])
            let healthyPath = try await lab.cluster.query("SELECT pg_relation_filepath('healthy') AS p").value(0, "p") ?? ""
            let healthy = (manifest?["files"] as? [[String: Any]] ?? []).first { $0["path"] as? String == healthyPath }
            #expect(healthy != nil && healthy?["checksumPageErrors"] == nil)

            let strict = try await lab.lifeboat(["backup", "--start-fast", "--checksum-page-fail"])
            #expect(strict.exitCode == 16, "\(strict.stderr)")
            #expect(strict.stderr.contains("'\(path)'") && strict.stderr.contains("block 3"), "\(strict.stderr)")
            let afterStrict = try await lab.lifeboat(["info", "--output", "json"])
            let afterJSON = try JSONSerialization.jsonObject(with: Data(afterStrict.stdout.utf8)) as? [String: Any]
            #expect((afterJSON?["backups"] as? [Any])?.count == 1, "the failed backup is not listed")
        }
    }
}
