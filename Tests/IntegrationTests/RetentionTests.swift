import Foundation
import LifeboatCore
import LifeboatPostgres
import LifeboatStorage
import Testing

/// `lifeboat expire`, `pin` and `audit` on real backups of a real PostgreSQL 15 cluster.
@Suite("retention, expire, pins and the audit trail", .serialized)
struct RetentionTests {
    /// A full backup after `rows` more rows; returns its label. The WAL switch makes each backup's
    /// segments distinct, so expiring one has WAL of its own to remove.
    @discardableResult
    private func fullBackup(_ lab: Lab, rows: Int = 10, environment: [String: String] = [:]) async throws -> String {
        _ = try await lab.cluster.query("CREATE TABLE IF NOT EXISTS t (x int); INSERT INTO t SELECT generate_series(1, \(rows))")
        try await lab.switchAndWaitForArchive()
        let result = try await lab.lifeboat(["backup", "--start-fast", "--output", "json"], environment: environment)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return try #require(json?["label"] as? String)
    }

    private func info(_ lab: Lab) async throws -> [String: Any] {
        let result = try await lab.lifeboat(["info", "--output", "json"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    private func listed(_ lab: Lab) async throws -> [String] {
        ((try await info(lab))["backups"] as? [[String: Any]] ?? []).compactMap { $0["label"] as? String }
    }

    private func startWAL(_ lab: Lab, _ label: String) async throws -> String {
        let backups = (try await info(lab))["backups"] as? [[String: Any]] ?? []
        return try #require(backups.first { $0["label"] as? String == label }?["startWAL"] as? String)
    }

    private func segmentNames(_ lab: Lab) throws -> [String] {
        try lab.archivedNames().filter { $0.count == 24 }.sorted()
    }

    /// The lines that say what is removed, with the verb taken out: a dry run and the real run must agree.
    private func planLines(_ output: String) -> [String] {
        output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("  would remove") || $0.hasPrefix("  removed") }
            .map { $0.replacingOccurrences(of: "  would remove", with: "").replacingOccurrences(of: "  removed", with: "") }
    }

    private func restoreAndCount(_ lab: Lab, label: String) async throws -> Int {
        let target = try lab.cluster.makeDirectory("restore-\(label)")
        let restore = try await lab.lifeboat(["restore", "--pg-data", target, "--set", label, "--target", "immediate", "--archive-mode", "off",
                                              "--target-action", "promote"])
        #expect(restore.exitCode == 0, "restore \(label): \(restore.stderr)")
        let server = try await lab.cluster.startOther(dataDirectory: target, waitForPromotion: true, timeoutSeconds: 120)
        let count = try await lab.count("SELECT count(*) FROM t", on: server)
        try await server.stop(mode: "fast")
        return count
    }

    @Test("retention-full 2 of 3: dry run changes nothing and prints the plan; expire removes the oldest and its WAL; the rest restore")
    func retentionFull() async throws {
        try await withLab { lab in
            let first = try await fullBackup(lab)
            let second = try await fullBackup(lab)
            let third = try await fullBackup(lab)
            let secondStart = try await startWAL(lab, second)
            #expect(try segmentNames(lab).contains { $0 < secondStart })

            try await lab.waitUntilArchiverIdle()
            let before = lab.repositorySnapshot()
            let dry = try await lab.lifeboat(["expire", "--retention-full", "2", "--dry-run"])
            #expect(dry.exitCode == 0, "\(dry.stderr)")
            #expect(lab.repositorySnapshot() == before, "a dry run must not change the repository")
            #expect(dry.stdout.contains("would remove full backup \(first): retention-full: older than the 2 newest full backups"), "\(dry.stdout)")
            #expect(dry.stdout.contains("would remove WAL timeline 1 "), "\(dry.stdout)")
            #expect(dry.stdout.contains("kept: \(second), \(third)"), "\(dry.stdout)")

            let real = try await lab.lifeboat(["expire", "--retention-full", "2"])
            #expect(real.exitCode == 0, "\(real.stderr)")
            #expect(planLines(real.stdout) == planLines(dry.stdout) && !planLines(dry.stdout).isEmpty, "\(dry.stdout)\n---\n\(real.stdout)")
            #expect(try await listed(lab) == [second, third])
            #expect(!FileManager.default.fileExists(atPath: "\(lab.repository)/main/backup/\(first)"))
            let remaining = try segmentNames(lab)
            #expect(remaining.first == secondStart, "WAL before \(secondStart) goes, from it on stays: \(remaining.prefix(3))")

            // Nothing more to do, and every listed backup still restores.
            let again = try await lab.lifeboat(["expire", "--retention-full", "2"])
            #expect(again.stdout.contains("nothing to remove"), "\(again.stdout)")
            #expect(try await restoreAndCount(lab, label: second) == 20)
            #expect(try await restoreAndCount(lab, label: third) == 30)
            // The trail holds the evidence: three backups, the expires (the dry run changed nothing, so it is
            // not recorded) and both restores.
            let audit = try await lab.lifeboat(["audit", "--output", "json"])
            let records = (try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any])?["records"] as? [[String: Any]]
            #expect(records?.compactMap { $0["command"] as? String } == ["backup", "backup", "backup", "expire", "expire", "restore", "restore"])
            #expect(records.map { $0.count > 5 ? $0[5]["labels"] as? [String] : nil } == [second])
        }
    }

    @Test("no policy removes nothing and says so; a malformed window is refused and changes nothing")
    func noPolicy() async throws {
        try await withLab { lab in
            try await fullBackup(lab)
            try await fullBackup(lab)
            try await lab.waitUntilArchiverIdle()
            let before = lab.repositorySnapshot()
            let bad = try await lab.lifeboat(["expire", "--retention-window", "7x"])
            #expect(bad.exitCode == 2)
            #expect(bad.stderr.contains("invalid retention-window '7x': expected a whole number followed by s, min, h, d, w, m or y"), "\(bad.stderr)")
            #expect(lab.repositorySnapshot() == before)
            let none = try await lab.lifeboat(["expire"])
            #expect(none.exitCode == 0, "\(none.stderr)")
            #expect(none.stdout.contains("no retention policy is configured"), "\(none.stdout)")
            #expect(try await listed(lab).count == 2)
        }
    }

    @Test("retention-min-full is a floor; a pin keeps an old backup; info shows the pin; unknown labels exit 31")
    func minFullAndPins() async throws {
        try await withLab { lab in
            let first = try await fullBackup(lab)
            let second = try await fullBackup(lab)
            let third = try await fullBackup(lab)
            let floor = try await lab.lifeboat(["expire", "--retention-full", "1", "--retention-min-full", "2"])
            #expect(floor.exitCode == 0, "\(floor.stderr)")
            #expect(try await listed(lab) == [second, third])

            let pin = try await lab.lifeboat(["pin", second, "--reason", "legal hold 4711"])
            #expect(pin.exitCode == 0, "\(pin.stderr)")
            #expect(pin.stdout.contains("pinned backup \(second) until unpinned (legal hold 4711)"))
            let backups = (try await info(lab))["backups"] as? [[String: Any]] ?? []
            let pinned = backups.first { $0["label"] as? String == second }?["pin"] as? [String: Any]
            #expect(pinned?["reason"] as? String == "legal hold 4711")
            let text = try await lab.lifeboat(["info"])
            #expect(text.stdout.contains("pinned: until unpinned, reason: legal hold 4711"), "\(text.stdout)")

            let fourth = try await fullBackup(lab)
            let expire = try await lab.lifeboat(["expire", "--retention-full", "1"])
            #expect(expire.exitCode == 0, "\(expire.stderr)")
            #expect(try await listed(lab) == [second, fourth], "the pinned backup stays, the unpinned older one goes")
            #expect(expire.stdout.contains("note: \(second) is pinned"), "\(expire.stdout)")
            // Its WAL from start to stop is still there: it restores, and verify accepts the repository.
            #expect(try await restoreAndCount(lab, label: second) == 20)
            let verify = try await lab.lifeboat(["verify"])
            #expect(verify.exitCode == 0, "\(verify.stdout) \(verify.stderr)")

            let unknown = try await lab.lifeboat(["pin", "20000101-000000F"])
            #expect(unknown.exitCode == 31, "\(unknown.stderr)")
            let unknownUnpin = try await lab.lifeboat(["unpin", "20000101-000000F"])
            #expect(unknownUnpin.exitCode == 31, "\(unknownUnpin.stderr)")
            let past = try await lab.lifeboat(["pin", fourth, "--until", "2001-01-01"])
            #expect(past.exitCode == 2, "\(past.stderr)")

            #expect(try await lab.lifeboat(["unpin", second]).exitCode == 0)
            #expect(try await lab.lifeboat(["expire", "--retention-full", "1"]).exitCode == 0)
            #expect(try await listed(lab) == [fourth])
            _ = first
        }
    }

    @Test("retention-window keeps the newest backup older than the window and everything after it")
    func retentionWindow() async throws {
        try await withLab { lab in
            let labels = [try await fullBackup(lab), try await fullBackup(lab), try await fullBackup(lab)]
            // Age the first two backups by rewriting their times: 20 and 10 days ago. With a 7-day window
            // the one from 10 days ago is the newest before the window: a restore to the window's first
            // moment starts from it, so it stays; the one from 20 days ago goes.
            for (label, days) in [(labels[0], 20.0), (labels[1], 10.0)] {
                let path = "\(lab.repository)/main/backup/\(label)/manifest.json"
                var manifest = try BackupManifest.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
                manifest.startTime = Date().addingTimeInterval(-days * 86400 - 60)
                manifest.stopTime = Date().addingTimeInterval(-days * 86400)
                try Data(try manifest.encoded()).write(to: URL(fileURLWithPath: path))
            }
            let expire = try await lab.lifeboat(["expire", "--retention-window", "7d"])
            #expect(expire.exitCode == 0, "\(expire.stderr)")
            #expect(expire.stdout.contains("removed full backup \(labels[0]): retention-window: ended before \(labels[1])"), "\(expire.stdout)")
            #expect(try await listed(lab) == [labels[1], labels[2]])
            #expect(try segmentNames(lab).first == (try await startWAL(lab, labels[1])))
        }
    }

    @Test("expire-auto: a backup applies the retention policy once it is complete")
    func expireAuto() async throws {
        try await withLab { lab in
            try await fullBackup(lab)
            let second = try await fullBackup(lab, environment: ["LIFEBOAT_RETENTION_FULL": "1"])
            #expect(try await listed(lab) == [second])
            try await fullBackup(lab, environment: ["LIFEBOAT_RETENTION_FULL": "1", "LIFEBOAT_EXPIRE_AUTO": "n"])
            #expect(try await listed(lab).count == 2)
        }
    }

    @Test("an interrupted expire: info lists only restorable backups and the next expire finishes the job")
    func interrupted() async throws {
        try await withLab { lab in
            let first = try await fullBackup(lab)
            let second = try await fullBackup(lab)
            // Killed right after its first step: the manifest is gone, the data is still there.
            try FileManager.default.removeItem(atPath: "\(lab.repository)/main/backup/\(first)/manifest.json")
            #expect(try await listed(lab) == [second])
            #expect(try await restoreAndCount(lab, label: second) == 20)
            let expire = try await lab.lifeboat(["expire", "--retention-full", "1"])
            #expect(expire.exitCode == 0, "\(expire.stderr)")
            #expect(expire.stdout.contains("removed interrupted backup \(first)"), "\(expire.stdout)")
            #expect(!FileManager.default.fileExists(atPath: "\(lab.repository)/main/backup/\(first)"))
            #expect(try segmentNames(lab).first == (try await startWAL(lab, second)))
            let verify = try await lab.lifeboat(["verify"])
            #expect(verify.exitCode == 0, "\(verify.stdout) \(verify.stderr)")
        }
    }

    @Test("expire is refused while a backup holds the stanza lock, and changes nothing")
    func lockedOut() async throws {
        try await withLab { lab in
            try await fullBackup(lab)
            try await fullBackup(lab)
            let lock = try FileLock.acquire(path: lab.lockPath + "/main-backup.lock")
            Sandbox.giveToClusterUser(lock.path)
            // The archiver may still be pushing the backups' last segments: only what expire could touch
            // besides WAL is compared (WAL removal needs a removed backup first).
            func notArchive() -> [String: String] { lab.repositorySnapshot().filter { !$0.key.hasPrefix("main/archive") } }
            let before = notArchive()
            let refused = try await lab.lifeboat(["expire", "--retention-full", "1"])
            #expect(refused.exitCode == 22)
            #expect(refused.stderr.contains("another lifeboat backup is running on stanza 'main'"), "\(refused.stderr)")
            #expect(notArchive() == before)
            // archive-push takes no such lock.
            try await lab.switchAndWaitForArchive()
            lock.release()
        }
    }

    @Test("a backup refused before it starts leaves no record; one that fails after starting is recorded as failed")
    func failedBackupIsAudited() async throws {
        try await withLab { lab in
            let refused = try await lab.lifeboat(["backup"], environment: ["LIFEBOAT_PG_PORT": "1", "LIFEBOAT_PG_HOST": "/nonexistent"])
            #expect(refused.exitCode == 20)
            #expect(!FileManager.default.fileExists(atPath: "\(lab.repository)/main/audit/000000000001.json"))

            // WAL that never reaches the repository: the copy is done, the wait for its WAL fails.
            let archiveCommand = try await lab.cluster.query("SHOW archive_command").value(0, "archive_command") ?? ""
            try await lab.setArchiveCommand("/bin/false")
            let failed = try await lab.lifeboat(["backup", "--start-fast", "--archive-timeout", "2"])
            #expect(failed.exitCode != 0)
            try await lab.setArchiveCommand(archiveCommand)

            let audit = try await lab.lifeboat(["audit", "--output", "json"])
            #expect(audit.exitCode == 0, "\(audit.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any])
            let records = json["records"] as? [[String: Any]] ?? []
            try #require(records.count == 1, "\(audit.stdout)")
            #expect(records[0]["command"] as? String == "backup")
            #expect(records[0]["outcome"] as? String == "failed")
            #expect((records[0]["error"] as? String)?.contains("archive") == true, "\(records[0])")
            // Its partial copy is gone: nothing half-made stays behind.
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: "\(lab.repository)/main/backup")) ?? []).isEmpty)
        }
    }

    @Test("expire --set removes the named backup with its dependents; pinned or unknown sets are refused and change nothing")
    func namedSet() async throws {
        try await withLab { lab in
            let first = try await fullBackup(lab)
            let incr = try await fullBackup(lab, environment: ["LIFEBOAT_TYPE": "incr"])
            let second = try await fullBackup(lab)
            #expect(incr.hasPrefix(first + "_") && incr.hasSuffix("I"))

            #expect(try await lab.lifeboat(["expire", "--set", "20990101-000000F"]).exitCode == 31)
            #expect(try await lab.lifeboat(["pin", incr]).exitCode == 0)
            let pinned = try await lab.lifeboat(["expire", "--set", first])
            #expect(pinned.exitCode == 2 && pinned.stderr.contains("backup \(incr) is pinned and depends on \(first)"), "\(pinned.stderr)")
            #expect(try await listed(lab) == [first, incr, second])
            #expect(try await lab.lifeboat(["unpin", incr]).exitCode == 0)

            let dry = try await lab.lifeboat(["expire", "--set", first, "--dry-run"])
            #expect(dry.stdout.contains("would remove incr backup \(incr): --set: depends on \(first), which is removed"), "\(dry.stdout)")
            #expect(try await listed(lab) == [first, incr, second])
            let expired = try await lab.lifeboat(["expire", "--set", first, "--output", "json"])
            #expect(expired.exitCode == 0, "\(expired.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(expired.stdout.utf8)) as? [String: Any])
            #expect(json["set"] as? String == first)
            #expect((json["backups"] as? [[String: Any]])?.compactMap { $0["label"] as? String } == [first, incr])
            #expect((json["wal"] as? [Any])?.isEmpty == true, "no policy: WAL stays")
            #expect(try await listed(lab) == [second])
            #expect(try await lab.lifeboat(["verify"]).exitCode == 0)
        }
    }

    @Test("the audit trail records backup, expire and pin; an edited or removed record fails verification naming it")
    func auditTrail() async throws {
        try await withLab { lab in
            let first = try await fullBackup(lab)
            let second = try await fullBackup(lab)
            #expect(try await lab.lifeboat(["expire", "--retention-full", "1"]).exitCode == 0)
            #expect(try await lab.lifeboat(["pin", second, "--reason", "audit"]).exitCode == 0)
            let audit = try await lab.lifeboat(["audit", "--output", "json"])
            #expect(audit.exitCode == 0, "\(audit.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any])
            let records = json["records"] as? [[String: Any]] ?? []
            try #require(records.compactMap { $0["command"] as? String } == ["backup", "backup", "expire", "pin"])
            #expect(records[2]["labels"] as? [String] == [first])
            #expect((records[3]["details"] as? [String: String])?["reason"] == "audit")
            #expect(records.allSatisfy { $0["outcome"] as? String == "ok" && $0["user"] as? String == Sandbox.clusterUser })
            let text = try await lab.lifeboat(["audit"])
            #expect(text.stdout.contains("audit chain verified: 4 records"), "\(text.stdout)")

            let directory = "\(lab.repository)/main/audit"
            let recordPath = "\(directory)/000000000002.json"
            let original = try Data(contentsOf: URL(fileURLWithPath: recordPath))
            var edited = original
            let index = try #require(edited.firstIndex(of: UInt8(ascii: "k")))   // any byte of the record
            edited[index] = UInt8(ascii: "x")
            try edited.write(to: URL(fileURLWithPath: recordPath))
            let tampered = try await lab.lifeboat(["audit"])
            #expect(tampered.exitCode == 18)
            #expect(tampered.stderr.contains("audit record 2 of stanza 'main' was edited"), "\(tampered.stderr)")

            try original.write(to: URL(fileURLWithPath: recordPath))
            #expect(try await lab.lifeboat(["audit"]).exitCode == 0)
            try FileManager.default.removeItem(atPath: recordPath)
            let removed = try await lab.lifeboat(["audit", "--output", "json"])
            #expect(removed.exitCode == 18)
            #expect(removed.stderr.contains("record 2 is missing from the audit trail of stanza 'main'"), "\(removed.stderr)")
            // verify checks the chain too.
            let verify = try await lab.lifeboat(["verify"])
            #expect(verify.exitCode != 0)
            #expect(verify.stdout.contains("problem: record 2 is missing from the audit trail of stanza 'main'"), "\(verify.stdout)")
        }
    }
}
