import Foundation
import LifeboatPostgres
import Testing

/// full ← diff ← incr ← incr: each stores only what changed, and each restores to exactly the rows it
/// saw — proven by row counts on the promoted copy, pg_verifybackup and pg_checksums.
@Suite("differential and incremental backups", .serialized)
struct IncrementalBackupTests {
    struct Taken {
        let label: String
        let json: [String: Any]
        let rows: Int
        let total: Int
    }

    private func backup(_ lab: Lab, _ type: String, extra: [String] = []) async throws -> [String: Any] {
        let result = try await lab.lifeboat(["backup", "--type", type, "--start-fast", "--output", "json"] + extra)
        #expect(result.exitCode == 0, "backup \(type): \(result.stderr)")
        #expect(!result.stderr.contains("unusable"), "every page map along the chain is found and intact: \(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
    }

    private func state(_ lab: Lab) async throws -> (rows: Int, total: Int) {
        (try await lab.count("SELECT count(*) FROM items"), try await lab.count("SELECT sum(v) FROM items"))
    }

    /// Restores `label` to its own end point, checks PostgreSQL's verifiers, returns (rows, sum).
    private func restore(_ lab: Lab, _ label: String, name: String) async throws -> (rows: Int, total: Int) {
        let target = try lab.cluster.makeDirectory("restore-\(name)")
        let restore = try await lab.lifeboat(["restore", "--pg-data", target, "--archive-mode", "off", "--set", label,
                                              "--target", "immediate", "--target-action", "promote"])
        #expect(restore.exitCode == 0, "restore \(name): \(restore.stderr)")
        let verify = try await lab.cluster.runAsClusterUser(try PostgresBinaries.path(of: "pg_verifybackup", major: 15), ["-n", target])
        #expect(verify.exitCode == 0, "pg_verifybackup \(name): \(verify.stdout) \(verify.stderr)")
        let server = try await lab.cluster.startOther(dataDirectory: target, waitForPromotion: true, timeoutSeconds: 120)
        let rows = try await lab.count("SELECT count(*) FROM items", on: server)
        let total = try await lab.count("SELECT sum(v) FROM items", on: server)
        try await server.stop(mode: "fast")
        let checksums = try await lab.cluster.runAsClusterUser(try PostgresBinaries.path(of: "pg_checksums", major: 15), ["--check", "-D", target])
        #expect(checksums.exitCode == 0, "pg_checksums \(name): \(checksums.stdout) \(checksums.stderr)")
        return (rows, total)
    }

    @Test("a diff with no full becomes a full; diff and incr store only changes; every link of the chain restores exactly")
    func chain() async throws {
        try await withLab { lab in
            _ = try await lab.cluster.query("CREATE TABLE items (id int PRIMARY KEY, v int NOT NULL, filler text)")
            _ = try await lab.cluster.query("INSERT INTO items SELECT g, 1, repeat(md5(g::text), 3) FROM generate_series(1, 40000) g")
            _ = try await lab.cluster.query("CREATE TABLE untouched AS SELECT g FROM generate_series(1, 50000) g")
            _ = try await lab.cluster.query("VACUUM ANALYZE")

            let first = try await lab.lifeboat(["backup", "--type", "diff", "--start-fast", "--output", "json"])
            #expect(first.exitCode == 0, "\(first.stderr)")
            #expect(first.stderr.contains("taking a full backup instead"), "\(first.stderr)")
            let fullJSON = try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any] ?? [:]
            #expect(fullJSON["type"] as? String == "full")
            #expect(fullJSON["requestedType"] as? String == "diff")
            #expect(fullJSON["promotedToFull"] as? Bool == true)
            let fullLabel = fullJSON["label"] as? String ?? ""
            #expect(fullLabel.hasSuffix("F"))
            var taken = [Taken(label: fullLabel, json: fullJSON, rows: 40000, total: 40000)]

            // Each round touches a few hundred rows and adds some: a small fraction of the pages.
            let rounds: [(type: String, sql: [String])] = [
                ("diff", ["UPDATE items SET v = v + 1 WHERE id <= 300", "INSERT INTO items SELECT g, 5, 'new' FROM generate_series(40001, 40100) g"]),
                ("incr", ["UPDATE items SET v = v + 10 WHERE id BETWEEN 20000 AND 20200", "DELETE FROM items WHERE id BETWEEN 30000 AND 30049"]),
                ("incr", ["UPDATE items SET v = v + 100 WHERE id > 39990", "CREATE TABLE late AS SELECT 1 AS x", "VACUUM items"]),
            ]
            for (type, statements) in rounds {
                for sql in statements { _ = try await lab.cluster.query(sql) }
                try await Task.sleep(nanoseconds: 1_100_000_000)   // mtimes move past the reference's start second
                let json = try await backup(lab, type)
                let (rows, total) = try await state(lab)
                let label = json["label"] as? String ?? ""
                let expectedReference = type == "diff" ? fullLabel : taken.last!.label
                #expect(json["type"] as? String == type)
                #expect(json["reference"] as? String == expectedReference)
                #expect(label.hasPrefix(fullLabel + "_") && label.hasSuffix(type == "diff" ? "D" : "I"), "label \(label)")
                #expect((json["referencedFiles"] as? Int ?? 0) > 100, "most files are unchanged: \(json)")
                #expect((json["pageIncrementalFiles"] as? Int ?? 0) >= 1, "items' heap is stored as changed pages: \(json)")
                let stored = json["storedSize"] as? Int ?? .max
                let fullStored = fullJSON["storedSize"] as? Int ?? 0
                #expect(stored * 4 < fullStored, "\(type) stored \(stored) bytes, the full \(fullStored)")
                taken.append(Taken(label: label, json: json, rows: rows, total: total))
            }
            try await lab.switchAndWaitForArchive()

            let info = try await lab.lifeboat(["info", "--output", "json"])
            let infoJSON = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any]
            let listed = (infoJSON?["backups"] as? [[String: Any]] ?? []).map { ($0["label"] as? String ?? "", $0["type"] as? String ?? "", $0["reference"] as? String) }
            #expect(listed.map(\.0) == taken.map(\.label))
            #expect(listed.map(\.1) == ["full", "diff", "incr", "incr"])
            #expect(listed.map(\.2) == [nil, taken[0].label, taken[1].label, taken[2].label])

            for (index, backup) in taken.enumerated() {
                let restored = try await restore(lab, backup.label, name: "link\(index)")
                #expect(restored.rows == backup.rows && restored.total == backup.total,
                        "\(backup.label): restored \(restored), expected \((backup.rows, backup.total))")
            }

            // A chain with a missing link is refused before anything is written.
            let diffManifest = lab.repository + "/main/backup/\(taken[1].label)/manifest.json"
            try FileManager.default.moveItem(atPath: diffManifest, toPath: diffManifest + ".away")
            let target = try lab.cluster.makeDirectory("restore-broken")
            let broken = try await lab.lifeboat(["restore", "--pg-data", target, "--set", taken[3].label])
            #expect(broken.exitCode == 31, "\(broken.stderr)")
            #expect(broken.stderr.contains(taken[1].label), "\(broken.stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: target).isEmpty)
        }
    }

    @Test("--delta compares content: a file rewritten with the same bytes and a new mtime is referenced, not stored")
    func deltaComparesContent() async throws {
        try await withLab { lab in
            _ = try await lab.cluster.query("CREATE TABLE items (id int PRIMARY KEY, v int NOT NULL, filler text)")
            _ = try await lab.cluster.query("INSERT INTO items SELECT g, 1, 'x' FROM generate_series(1, 20000) g")
            let full = try await backup(lab, "full")
            try await Task.sleep(nanoseconds: 1_100_000_000)
            // Touch every file's mtime without changing any content.
            _ = try await lab.cluster.runAsClusterUser("/usr/bin/find", [lab.cluster.dataDirectory + "/base", "-type", "f", "-exec", "touch", "{}", "+"])
            let incr = try await backup(lab, "incr", extra: ["--delta"])
            #expect(incr["reference"] as? String == full["label"] as? String)
            #expect((incr["referencedFiles"] as? Int ?? 0) > 100, "\(incr)")
            let restored = try await restore(lab, incr["label"] as? String ?? "", name: "delta")
            #expect(restored.rows == 20000 && restored.total == 20000)
        }
    }

    @Test("after a point-in-time restore onto a new timeline, an incr against the old timeline's full compares content and restores exactly")
    func acrossTimelines() async throws {
        try await withLab { lab in
            _ = try await lab.cluster.query("CREATE TABLE items (id int PRIMARY KEY, v int NOT NULL, filler text)")
            _ = try await lab.cluster.query("INSERT INTO items SELECT g, 1, repeat(md5(g::text), 3) FROM generate_series(1, 20000) g")
            let full = try await backup(lab, "full")
            _ = try await lab.cluster.query("INSERT INTO items SELECT g, 7, 'lost' FROM generate_series(20001, 20100) g")
            try await lab.switchAndWaitForArchive()
            try await lab.cluster.stop()

            // Back to the full's end point: timeline 2, archiving into the same stanza, files carrying the full's mtimes.
            let branch = try lab.cluster.makeDirectory("timeline-2")
            let restore = try await lab.lifeboat(["restore", "--pg-data", branch, "--set", full["label"] as? String ?? "",
                                                  "--target", "immediate", "--target-action", "promote"])
            #expect(restore.exitCode == 0, "\(restore.stderr)")
            let server = try await lab.cluster.startOther(dataDirectory: branch, waitForPromotion: true, timeoutSeconds: 120)
            _ = try await server.query("UPDATE items SET v = v + 1 WHERE id <= 100")
            try await Task.sleep(nanoseconds: 1_100_000_000)
            let onServer = ["LIFEBOAT_PG_HOST": server.socketDirectory, "LIFEBOAT_PG_PORT": String(server.port), "LIFEBOAT_PG_DATA": branch]
            let result = try await lab.lifeboat(["backup", "--type", "incr", "--start-fast", "--output", "json"], environment: onServer)
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(result.stderr.contains("reference is on timeline 1"), "mtimes restored from a backup prove nothing: \(result.stderr)")
            let incr = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
            #expect(incr["reference"] as? String == full["label"] as? String)
            #expect(incr["timeline"] as? Int == 2)
            #expect((incr["referencedFiles"] as? Int ?? 0) > 100, "identical content is still referenced: \(incr)")
            _ = try await server.query("SELECT pg_switch_wal()")
            try await server.stop(mode: "fast")

            let restored = try await self.restore(lab, incr["label"] as? String ?? "", name: "timeline-2-incr")
            #expect(restored.rows == 20000 && restored.total == 20100, "\(restored)")
        }
    }
}
