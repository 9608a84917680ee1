import Foundation
import Testing

/// `lifeboat verify` proves a repository can restore without PostgreSQL and without restoring:
/// exit 0 only when every stored file, reference and WAL segment checks; each problem names its file.
@Suite("verify checks every stored byte and the WAL chain", .serialized)
struct VerifyTests {
    /// A lab with one full backup, a table whose data file is known, and WAL archived past the backup.
    struct Setup {
        let lab: Lab
        let label: String
        /// Data-directory path of the table's main fork ("base/5/16384").
        let tablePath: String

        var backupData: String { lab.repository + "/" + lab.stanza + "/backup/" + label + "/data" }
        func storedObject(_ path: String) -> String { backupData + "/" + path + ".zst" }
    }

    func withBackup<T>(_ body: (Setup) async throws -> T) async throws -> T {
        try await withLab { lab in
            _ = try await lab.cluster.query("CREATE TABLE accounts AS SELECT g AS id, md5(g::text) AS note FROM generate_series(1, 20000) g")
            let path = try await lab.cluster.query("SELECT pg_relation_filepath('accounts') AS path").value(0, "path")
            let backup = try await lab.lifeboat(["backup", "--start-fast"])
            #expect(backup.exitCode == 0, "\(backup.stderr)")
            for _ in 0..<3 {
                _ = try await lab.cluster.query("INSERT INTO accounts VALUES (0, 'more')")
                try await lab.switchAndWaitForArchive()
            }
            let labels = try FileManager.default.contentsOfDirectory(atPath: lab.repository + "/" + lab.stanza + "/backup")
            let label = try #require(labels.first)
            return try await body(Setup(lab: lab, label: label, tablePath: try #require(path)))
        }
    }

    @Test("a clean repository verifies with exit 0, as text and as JSON")
    func cleanRepository() async throws {
        try await withBackup { setup in
            let text = try await setup.lab.lifeboat(["verify"])
            #expect(text.exitCode == 0, "\(text.stdout)\(text.stderr)")
            #expect(text.stdout.contains("is intact"))

            let json = try await setup.lab.lifeboat(["verify", "--output", "json"])
            #expect(json.exitCode == 0)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            #expect(report["ok"] as? Bool == true)
            #expect((report["problems"] as? [Any])?.isEmpty == true)
            #expect(report["backups"] as? [String] == [setup.label])
            #expect((report["files"] as? Int ?? 0) > 100)
            #expect((report["walFiles"] as? Int ?? 0) >= 4)
        }
    }

    @Test("a flipped byte in a stored file fails verify, naming the file")
    func flippedByte() async throws {
        try await withBackup { setup in
            let object = setup.storedObject(setup.tablePath)
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: object)))
            bytes[bytes.count / 2] ^= 0x01
            try Data(bytes).write(to: URL(fileURLWithPath: object))

            let result = try await setup.lab.lifeboat(["verify"])
            #expect(result.exitCode == 17)
            let line = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("problem:") })
            #expect(line.contains("'\(setup.tablePath)'") && line.contains("checksum"), "\(line)")

            let json = try await setup.lab.lifeboat(["verify", "--output", "json"])
            #expect(json.exitCode == 17)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let problems = try #require(report["problems"] as? [[String: Any]])
            #expect(problems.count == 1)
            #expect(problems.first?["file"] as? String == setup.tablePath)
            #expect(problems.first?["kind"] as? String == "checksum")
            #expect(report["ok"] as? Bool == false)
        }
    }

    @Test("a truncated stored file fails verify, naming the file")
    func truncatedFile() async throws {
        try await withBackup { setup in
            let object = setup.storedObject(setup.tablePath)
            let size = try #require(try FileManager.default.attributesOfItem(atPath: object)[.size] as? NSNumber).intValue
            #expect(truncate(object, off_t(size / 2)) == 0)

            let result = try await setup.lab.lifeboat(["verify"])
            #expect(result.exitCode == 17)
            #expect(result.stdout.contains("'\(setup.tablePath)'") && result.stdout.contains("truncated"), "\(result.stdout)")
        }
    }

    @Test("a missing stored file fails verify, naming the file")
    func missingFile() async throws {
        try await withBackup { setup in
            try FileManager.default.removeItem(atPath: setup.storedObject("PG_VERSION"))

            let result = try await setup.lab.lifeboat(["verify"])
            #expect(result.exitCode == 17)
            #expect(result.stdout.contains("'PG_VERSION'") && result.stdout.contains("missing"), "\(result.stdout)")
        }
    }

    @Test("a WAL segment missing in the middle of the archive fails verify, naming the segment")
    func missingWALSegment() async throws {
        try await withBackup { setup in
            let segments = try setup.lab.archivedNames().filter { $0.count == 24 }.sorted()
            #expect(segments.count >= 4)
            let victim = segments[segments.count - 2]
            let directory = setup.lab.repository + "/" + setup.lab.stanza + "/archive/" + String(victim.prefix(16))
            for file in try FileManager.default.contentsOfDirectory(atPath: directory) where file.hasPrefix(victim) {
                try FileManager.default.removeItem(atPath: directory + "/" + file)
            }

            let result = try await setup.lab.lifeboat(["verify"])
            #expect(result.exitCode == 17)
            let line = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("problem:") })
            #expect(line.contains(victim) && line.contains("missing"), "\(line)")
        }
    }

    @Test("--set verifies one backup only; an abandoned backup is a warning, not a failure")
    func setAndAbandoned() async throws {
        try await withBackup { setup in
            let second = try await setup.lab.lifeboat(["backup", "--start-fast"])
            #expect(second.exitCode == 0, "\(second.stderr)")
            // Damage the first backup only.
            let object = setup.storedObject(setup.tablePath)
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: object)))
            bytes[10] ^= 0xFF
            try Data(bytes).write(to: URL(fileURLWithPath: object))
            let labels = try FileManager.default.contentsOfDirectory(atPath: setup.lab.repository + "/main/backup").sorted()
            let newer = try #require(labels.last { $0 != setup.label })

            let one = try await setup.lab.lifeboat(["verify", "--set", newer, "--output", "json"])
            #expect(one.exitCode == 0, "\(one.stdout)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [String: Any])
            #expect(report["backups"] as? [String] == [newer])

            let damaged = try await setup.lab.lifeboat(["verify", "--set", setup.label])
            #expect(damaged.exitCode == 17)
            #expect(damaged.stdout.contains(setup.tablePath))

            // An interrupted backup: a directory with data but no manifest.
            let abandoned = setup.lab.repository + "/main/backup/20200101-000000F"
            try FileManager.default.createDirectory(atPath: abandoned + "/data", withIntermediateDirectories: true)
            try Data("partial".utf8).write(to: URL(fileURLWithPath: abandoned + "/data/PG_VERSION.zst"))
            let warned = try await setup.lab.lifeboat(["verify", "--set", newer])
            #expect(warned.exitCode == 0)
            let all = try await setup.lab.lifeboat(["verify"])
            #expect(all.stdout.contains("warning: backup 20200101-000000F is incomplete"), "\(all.stdout)")
            #expect(all.exitCode == 17, "still fails: the first backup is damaged")
            #expect(!all.stdout.split(separator: "\n").contains { $0.hasPrefix("problem:") && $0.contains("20200101-000000F") })

            let unknown = try await setup.lab.lifeboat(["verify", "--set", "20990101-000000F"])
            #expect(unknown.exitCode == 31)
        }
    }
}
