import Foundation
import Testing

/// `verify` follows incremental backups down to every layer they are rebuilt from.
@Suite("verify checks incremental chains: page layers and page maps", .serialized)
struct VerifyChainTests {
    @Test("a full ← incr chain verifies; a damaged page map or base layer fails, naming the file")
    func chain() async throws {
        try await withLab { lab in
            _ = try await lab.cluster.query("CREATE TABLE accounts AS SELECT g AS id, md5(g::text) AS note FROM generate_series(1, 50000) g")
            let path = try #require(try await lab.cluster.query("SELECT pg_relation_filepath('accounts') AS path").value(0, "path"))
            let full = try await lab.lifeboat(["backup", "--start-fast"])
            #expect(full.exitCode == 0, "\(full.stderr)")
            _ = try await lab.cluster.query("UPDATE accounts SET note = 'changed' WHERE id % 1000 = 0")
            _ = try await lab.cluster.query("CHECKPOINT")
            let incr = try await lab.lifeboat(["backup", "--start-fast", "--type", "incr"])
            #expect(incr.exitCode == 0, "\(incr.stderr)")

            let backupRoot = lab.repository + "/" + lab.stanza + "/backup"
            let labels = try FileManager.default.contentsOfDirectory(atPath: backupRoot).sorted()
            let fullLabel = try #require(labels.first { $0.hasSuffix("F") })
            let incrLabel = try #require(labels.first { $0.hasSuffix("I") })
            let manifest = try #require(try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: "\(backupRoot)/\(incrLabel)/manifest.json"))) as? [String: Any])
            let entry = try #require((manifest["files"] as? [[String: Any]])?.first { $0["path"] as? String == path })
            #expect(entry["blockIncremental"] != nil, "the changed table is stored page by page")

            let clean = try await lab.lifeboat(["verify", "--set", incrLabel])
            #expect(clean.exitCode == 0, "\(clean.stdout)\(clean.stderr)")

            // The full's page map of the table is what the incr's pages were compared against.
            let pageMap = "\(backupRoot)/\(fullLabel)/pagemap/\(path)"
            #expect(FileManager.default.fileExists(atPath: pageMap), "a full stores a page map of every relation file of 16 pages or more")
            do {
                var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: pageMap)))
                bytes[0] ^= 0x40
                try Data(bytes).write(to: URL(fileURLWithPath: pageMap))
                let damaged = try await lab.lifeboat(["verify"])
                #expect(damaged.exitCode == 17)
                #expect(damaged.stdout.contains("page map of '\(path)'"), "\(damaged.stdout)")
                bytes[0] ^= 0x40
                try Data(bytes).write(to: URL(fileURLWithPath: pageMap))
            }

            // The incr is rebuilt from the full's copy of the table: verifying the incr alone reaches it.
            let baseObject = "\(backupRoot)/\(fullLabel)/data/\(path).zst"
            try FileManager.default.removeItem(atPath: baseObject)
            let missing = try await lab.lifeboat(["verify", "--set", incrLabel])
            #expect(missing.exitCode == 17)
            let line = try #require(missing.stdout.split(separator: "\n").first { $0.hasPrefix("problem:") && $0.contains(path) })
            #expect(line.contains("missing"), "\(line)")
        }
    }
}
