import Foundation
import LifeboatPostgres
import Testing

/// `restore --delta` brings an existing, stopped data directory back to a backup by rewriting only
/// the files whose content differs, removing what the backup does not have.
@Suite("delta restore rewrites only what differs", .serialized)
struct DeltaRestoreTests {
    /// Hard links to a file: a second link taken before the restore stays on the old inode, so the
    /// count tells whether the restore kept the file (2) or replaced it (1). (Inode numbers cannot tell:
    /// a freed inode is reused at once.)
    private func linkCount(_ path: String) throws -> Int {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw LabError("lstat \(path) failed") }
        return Int(info.st_nlink)
    }

    private func holdLink(_ path: String, as name: String, in directory: String) throws {
        guard link(path, directory + "/" + name) == 0 else { throw LabError("link \(path) failed") }
    }

    private func verifyBackup(_ lab: Lab, _ directory: String) async throws {
        let verify = try await lab.cluster.runAsClusterUser(try PostgresBinaries.path(of: "pg_verifybackup", major: 15), ["-n", directory])
        #expect(verify.exitCode == 0, "pg_verifybackup: \(verify.stdout) \(verify.stderr)")
    }

    @Test("after small changes to a restored cluster, --delta rewrites only the changed files and the result is the backup again")
    func deltaAfterSmallChange() async throws {
        try await withLab { lab in
            _ = try await lab.cluster.query("CREATE TABLE kept AS SELECT g AS id, md5(g::text) AS note FROM generate_series(1, 20000) g")
            _ = try await lab.cluster.query("CREATE TABLE changed AS SELECT g AS id FROM generate_series(1, 1000) g")
            _ = try await lab.cluster.query("CREATE TABLE dropped AS SELECT g AS id FROM generate_series(1, 1000) g")
            let paths = try await lab.cluster.query(
                "SELECT pg_relation_filepath('kept') AS kept, pg_relation_filepath('changed') AS changed, pg_relation_filepath('dropped') AS dropped")
            let kept = try #require(paths.value(0, "kept"))
            let changed = try #require(paths.value(0, "changed"))
            let dropped = try #require(paths.value(0, "dropped"))
            // Frozen and analysed: neither hint bits nor autovacuum will touch 'kept' after the restore.
            _ = try await lab.cluster.query("VACUUM (FREEZE, ANALYZE) kept")
            _ = try await lab.cluster.query("CHECKPOINT")
            let backup = try await lab.lifeboat(["backup", "--start-fast", "--output", "json"])
            #expect(backup.exitCode == 0, "\(backup.stderr)")
            let label = try #require((try JSONSerialization.jsonObject(with: Data(backup.stdout.utf8)) as? [String: Any])?["label"] as? String)
            try await lab.switchAndWaitForArchive()
            let restoreArguments = ["--set", label, "--target", "immediate", "--target-action", "promote", "--archive-mode", "off"]

            // A full restore, started and promoted, then changed a little and stopped.
            let target = try lab.cluster.makeDirectory("restore-delta")
            let full = try await lab.lifeboat(["restore", "--pg-data", target] + restoreArguments)
            #expect(full.exitCode == 0, "\(full.stderr)")
            var server = try await lab.cluster.startOther(dataDirectory: target, waitForPromotion: true, timeoutSeconds: 120)
            _ = try await server.query("INSERT INTO changed SELECT g FROM generate_series(1001, 1100) g")
            _ = try await server.query("CREATE TABLE added AS SELECT 1 AS id")
            _ = try await server.query("DROP TABLE dropped")
            _ = try await server.query("CHECKPOINT")

            // Refused while the server runs on it.
            let running = try await lab.lifeboat(["restore", "--pg-data", target, "--delta"] + restoreArguments)
            #expect(running.exitCode == 32, "\(running.stderr)")
            #expect(running.stderr.contains("running server"))
            try await server.stop(mode: "fast")

            let holds = try lab.cluster.makeDirectory("held-links")
            try holdLink(target + "/" + kept, as: "kept", in: holds)
            try holdLink(target + "/" + changed, as: "changed", in: holds)
            #expect(FileManager.default.fileExists(atPath: target + "/" + changed))
            #expect(!FileManager.default.fileExists(atPath: target + "/" + dropped))

            let delta = try await lab.lifeboat(["restore", "--pg-data", target, "--delta", "--output", "json"] + restoreArguments)
            #expect(delta.exitCode == 0, "\(delta.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(delta.stdout.utf8)) as? [String: Any])
            let counts = try #require(report["delta"] as? [String: Any])
            let files = try #require(report["files"] as? Int)
            let checked = try #require(counts["filesChecked"] as? Int)
            let rewritten = try #require(counts["filesRewritten"] as? Int)
            let removed = try #require(counts["entriesRemoved"] as? Int)
            let bytes = try #require(counts["bytesRewritten"] as? Int)
            #expect(checked >= files - 5, "nearly every file of the backup was still there to compare")
            #expect(rewritten >= 3, "changed table, pg_control, commit log at least: \(counts)")
            #expect(rewritten < files / 10, "only the few changed files are rewritten: \(counts) of \(files)")
            #expect(removed >= 1, "the added table's files go: \(counts)")
            #expect(bytes > 0 && bytes < 8 << 20, "\(counts)")

            // The untouched table kept its file; the changed one was replaced; the dropped one is back.
            #expect(try linkCount(target + "/" + kept) == 2, "kept in place")
            #expect(try linkCount(target + "/" + changed) == 1, "replaced by the backup's copy")
            #expect(FileManager.default.fileExists(atPath: target + "/" + dropped))
            try await verifyBackup(lab, target)

            server = try await lab.cluster.startOther(dataDirectory: target, waitForPromotion: true, timeoutSeconds: 120)
            #expect(try await lab.count("SELECT count(*) FROM changed", on: server) == 1000)
            #expect(try await lab.count("SELECT count(*) FROM dropped", on: server) == 1000)
            #expect(try await lab.count("SELECT count(*) FROM kept", on: server) == 20000)
            #expect(try await lab.count("SELECT count(*) FROM pg_class WHERE relname = 'added'", on: server) == 0)
            try await server.stop(mode: "fast")
        }
    }

    @Test("--delta refuses a non-empty directory that is not a data directory, and restores into an empty one")
    func deltaRefusesStrangers() async throws {
        try await withLab { lab in
            let backup = try await lab.lifeboat(["backup", "--start-fast"])
            #expect(backup.exitCode == 0, "\(backup.stderr)")
            try await lab.switchAndWaitForArchive()

            let stranger = try lab.cluster.makeDirectory("not-a-data-directory")
            try Data("keep me".utf8).write(to: URL(fileURLWithPath: stranger + "/notes.txt"))
            let refused = try await lab.lifeboat(["restore", "--pg-data", stranger, "--delta", "--archive-mode", "off"])
            #expect(refused.exitCode == 32, "\(refused.stderr)")
            #expect(refused.stderr.contains("PG_VERSION"))
            #expect(try String(contentsOfFile: stranger + "/notes.txt", encoding: .utf8) == "keep me")

            let empty = try lab.cluster.makeDirectory("empty")
            let restored = try await lab.lifeboat(["restore", "--pg-data", empty, "--delta", "--archive-mode", "off", "--output", "json"])
            #expect(restored.exitCode == 0, "\(restored.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(restored.stdout.utf8)) as? [String: Any])
            let counts = try #require(report["delta"] as? [String: Any])
            #expect(counts["filesChecked"] as? Int == 0)
            #expect(counts["filesRewritten"] as? Int == report["files"] as? Int)
            try await verifyBackup(lab, empty)
        }
    }

    @Test("--delta updates a tablespace in place and leaves another PostgreSQL version's directory beside it alone")
    func deltaWithTablespace() async throws {
        try await withLab { lab in
            let location = try lab.cluster.makeDirectory("tablespace-original")
            _ = try await lab.cluster.query("CREATE TABLESPACE extra LOCATION '\(location)'")
            _ = try await lab.cluster.query("CREATE TABLE far (id int) TABLESPACE extra")
            _ = try await lab.cluster.query("INSERT INTO far SELECT generate_series(1, 777)")
            let oid = try #require(try await lab.cluster.query("SELECT oid::text AS oid FROM pg_tablespace WHERE spcname = 'extra'").value(0, "oid"))
            #expect(try await lab.lifeboat(["backup", "--start-fast"]).exitCode == 0)
            try await lab.switchAndWaitForArchive()

            let mapped = try lab.cluster.makeDirectory("tablespace-restored")
            let target = try lab.cluster.makeDirectory("restore-tablespace")
            let arguments = ["--pg-data", target, "--tablespace-map", "\(oid)=\(mapped)", "--archive-mode", "off",
                             "--target", "immediate", "--target-action", "promote"]
            let full = try await lab.lifeboat(["restore"] + arguments)
            #expect(full.exitCode == 0, "\(full.stderr)")
            var server = try await lab.cluster.startOther(dataDirectory: target, waitForPromotion: true, timeoutSeconds: 120)
            _ = try await server.query("INSERT INTO far SELECT generate_series(1, 100)")
            _ = try await server.query("CHECKPOINT")
            try await server.stop(mode: "fast")
            // Another major version's directory sharing the location is not the backup's business.
            try FileManager.default.createDirectory(atPath: mapped + "/PG_16_202307071", withIntermediateDirectories: false)
            try Data("16".utf8).write(to: URL(fileURLWithPath: mapped + "/PG_16_202307071/marker"))

            let delta = try await lab.lifeboat(["restore", "--delta"] + arguments)
            #expect(delta.exitCode == 0, "\(delta.stderr)")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: target + "/pg_tblspc/\(oid)") == mapped)
            #expect(FileManager.default.fileExists(atPath: mapped + "/PG_16_202307071/marker"))
            let verify = try await lab.cluster.runAsClusterUser(try PostgresBinaries.path(of: "pg_verifybackup", major: 15), ["-n", "-i", "pg_tblspc/\(oid)/PG_16_202307071", target])
            #expect(verify.exitCode == 0, "pg_verifybackup: \(verify.stdout) \(verify.stderr)")
            server = try await lab.cluster.startOther(dataDirectory: target, waitForPromotion: true, timeoutSeconds: 120)
            #expect(try await lab.count("SELECT count(*) FROM far", on: server) == 777)
            try await server.stop(mode: "fast")
        }
    }
}
