import Foundation
import LifeboatPostgres
import Testing

enum Promtool {
    static let path: String? = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static func run(_ arguments: [String], stdin: String? = nil) async throws -> ProcessResult {
        try await ProcessRunner.run(try #require(path), arguments, stdin: stdin)
    }

    /// The repository's contrib/prometheus directory, found from this source file.
    static var contrib: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("contrib/prometheus").path
    }
}

/// `lifeboat metrics` and `lifeboat status` against a real stanza: values match what `info` and the
/// drill record say; targets are MET or NOT MET for stated reasons.
@Suite("metrics and status tell the truth", .serialized)
struct MetricsStatusTests {
    /// "name{labels}" → value.
    private func samples(_ text: String) -> [String: Double] {
        var result: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            result[String(line[..<space])] = value
        }
        return result
    }

    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    private func epoch(_ display: String) -> Double? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ssX"
        return formatter.date(from: display)?.timeIntervalSince1970
    }

    private func objective(_ report: [String: Any], _ name: String) -> [String: Any] {
        (report["objectives"] as? [[String: Any]] ?? []).first { $0["objective"] as? String == name } ?? [:]
    }

    @Test("metrics, then status: NOT MET before any drill and with a loose archive_timeout, MET after a passing drill")
    func metricsAndStatus() async throws {
        try await withLab(extraConfig: ["archive_timeout = 60"]) { lab in
            _ = try await lab.cluster.query("CREATE TABLE t AS SELECT g FROM generate_series(1, 1000) g")
            #expect(try await lab.lifeboat(["backup", "--start-fast"]).exitCode == 0)
            try await lab.switchAndWaitForArchive()

            // Status before any drill: RTO never measured; an RPO of 30s with archive_timeout 60s is not met.
            let before = try await lab.lifeboat(["status", "--rpo", "30s", "--rto", "1h", "--output", "json"])
            #expect(before.exitCode == 0, "\(before.stderr)")
            let early = try json(before.stdout)
            #expect(objective(early, "rto")["status"] as? String == "NOT MET")
            #expect((objective(early, "rto")["recommendation"] as? String)?.contains("lifeboat drill") == true)
            let rpo = objective(early, "rpo")
            #expect(rpo["status"] as? String == "NOT MET", "\(rpo)")
            #expect((rpo["recommendation"] as? String)?.contains("archive_timeout ≤ 30s or stream WAL to a standby") == true, "\(rpo)")
            #expect(rpo["requiredTier"] as? String == "standbyReplication")
            #expect(early["allMet"] as? Bool == false)

            let drill = try await lab.lifeboat(["drill", "--output", "json"])
            #expect(drill.exitCode == 0, "\(drill.stdout)\n\(drill.stderr)")
            let drillReport = try json(drill.stdout)

            // Metrics agree with info and the drill record.
            let info = try json(try await lab.lifeboat(["info", "--output", "json"]).stdout)
            let backup = try #require((info["backups"] as? [[String: Any]])?.first)
            let metrics = try await lab.lifeboat(["metrics", "--rpo", "15m", "--rto", "1h", "--backup-max-age", "25h", "--drill-max-age", "8d"])
            #expect(metrics.exitCode == 0, "\(metrics.stderr)")
            let values = samples(metrics.stdout)
            let labels = "stanza=\"\(lab.stanza)\",repo=\"posix:\(lab.repository)\""
            func value(_ name: String, _ extra: String = "") -> Double? {
                values.first { $0.key.hasPrefix("lifeboat_\(name){") && $0.key.contains(labels) && (extra.isEmpty || $0.key.contains(extra)) }?.value
            }
            #expect(value("backups") == 1, "\(metrics.stdout)")
            let completion = try #require(value("backup_last_completion_timestamp_seconds", "type=\"full\""))
            #expect(epoch(backup["stopTime"] as? String ?? "") == completion.rounded(.down))
            #expect(value("backup_last_size_bytes", "type=\"full\"") == backup["originalSize"] as? Double)
            #expect(value("backup_last_stored_bytes", "type=\"full\"") == backup["storedSize"] as? Double)
            let segments = try lab.archivedNames().filter { $0.count == 24 }.count
            #expect(value("archive_wal_segments") == Double(segments))
            #expect(value("archive_newest_segment_timestamp_seconds") != nil)
            #expect(value("archive_lag_seconds") != nil)
            #expect(value("postgres_up") == 1)
            #expect(value("archiver_failing") == 0)
            #expect(value("drill_last_success") == 1)
            let readyIn = try #require(drillReport["timeToReadySeconds"] as? Double)
            #expect(abs((value("drill_last_time_to_ready_seconds") ?? -1) - readyIn) < 1e-6)
            #expect(value("rpo_target_seconds") == 900)
            #expect(value("rto_target_seconds") == 3600)
            #expect(value("rto_met") == 1)
            #expect(value("backup_max_age_seconds") == 90_000)
            #expect(value("drill_max_age_seconds") == 691_200)
            #expect(metrics.stdout.contains("# HELP lifeboat_archive_lag_seconds "))
            #expect(metrics.stdout.contains("# TYPE lifeboat_archive_lag_seconds gauge"))

            // --output json: the same samples as objects.
            let asJSON = try await lab.lifeboat(["metrics", "--output", "json"])
            let objects = try #require(try JSONSerialization.jsonObject(with: Data(asJSON.stdout.utf8)) as? [[String: Any]])
            let success = objects.first { $0["name"] as? String == "lifeboat_drill_last_success" }
            #expect(success?["value"] as? Double == 1)
            #expect((success?["labels"] as? [String: String])?["repo"] == "posix:\(lab.repository)")

            // --output-file: the same exposition, written whole.
            let directory = try Sandbox.makeClusterUserDirectory(prefix: "lifeboat-textfile")
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let file = directory + "/lifeboat.prom"
            let written = try await lab.lifeboat(["metrics", "--output-file", file])
            #expect(written.exitCode == 0 && written.stdout.isEmpty, "\(written.stderr)")
            let fileValues = samples(try String(contentsOfFile: file, encoding: .utf8))
            #expect(fileValues.keys.contains { $0.hasPrefix("lifeboat_drill_last_success{") })
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["lifeboat.prom"])
            if Promtool.path != nil {
                let lint = try await Promtool.run(["check", "metrics"], stdin: metrics.stdout)
                #expect(lint.exitCode == 0, "promtool check metrics: \(lint.stdout) \(lint.stderr)")
            }

            // After the passing drill, with archive_timeout 60s ≤ an RPO of 15m: everything is met.
            let after = try json(try await lab.lifeboat(["status", "--rpo", "15m", "--rto", "1h", "--backup-max-age", "25h", "--drill-max-age", "8d", "--output", "json"]).stdout)
            for name in ["rpo", "rto", "backup freshness", "drill freshness"] {
                #expect(objective(after, name)["status"] as? String == "MET", "\(name): \(objective(after, name))")
            }
            #expect(after["allMet"] as? Bool == true)
            #expect((after["measured"] as? [String: Any])?["archiveTimeoutSeconds"] as? Double == 60)

            // An RTO below 5 minutes the drill missed names the standby tier.
            let text = try await lab.lifeboat(["status", "--rto", "1s", "--rpo", "15m"])
            #expect(text.exitCode == 0)
            if readyIn > 1 {
                #expect(text.stdout.contains("rto: NOT MET"), "\(text.stdout)")
                #expect(text.stdout.contains("needs a standby to promote, not a restore"), "\(text.stdout)")
            }
            #expect(text.stdout.contains("rpo: MET"), "\(text.stdout)")
        }
    }

    @Test("contrib/prometheus/alerts.yml passes promtool check rules and its unit tests",
          .enabled(if: Promtool.path != nil, "promtool not installed (Debian package 'prometheus'; scripts/setup.sh installs it): alert rules not validated"))
    func alertRules() async throws {
        let check = try await Promtool.run(["check", "rules", Promtool.contrib + "/alerts.yml"])
        #expect(check.exitCode == 0, "\(check.stdout) \(check.stderr)")
        #expect(check.stdout.contains("SUCCESS: 8 rules found"), "\(check.stdout)")
        let test = try await Promtool.run(["test", "rules", Promtool.contrib + "/alerts_test.yml"])
        #expect(test.exitCode == 0, "\(test.stdout) \(test.stderr)")
    }
}
