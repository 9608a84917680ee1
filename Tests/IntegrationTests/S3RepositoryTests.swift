#if canImport(Glibc)
import Glibc
#endif
import Crypto
import Foundation
import LifeboatPostgres
import LifeboatTestSupport
import Testing

/// Every command on an S3 repository in a real Ceph RGW: a PG15 cluster archives into it through
/// archive_command, is backed up, and is restored to a point in time. The credentials reach Lifeboat
/// only through a 0600 config file (as a DBA would deploy it). What Lifeboat stored is read back with
/// the AWS CLI and checked against the SHA-256 sums Lifeboat recorded.
@Suite("S3 repository end to end (Ceph RGW)", .serialized)
struct S3RepositoryTests {
    final class S3Lab: @unchecked Sendable {
        let rgw: CephRGW
        let cluster: TestCluster
        let binary: String
        let configPath: String
        let prefix: String
        let shared: String

        init(rgw: CephRGW, cluster: TestCluster, binary: String, configPath: String, prefix: String, shared: String) {
            self.rgw = rgw
            self.cluster = cluster
            self.binary = binary
            self.configPath = configPath
            self.prefix = prefix
            self.shared = shared
        }

        func lifeboat(_ arguments: [String]) async throws -> ProcessResult {
            var environment = ProcessInfo.processInfo.environment
            for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"] { environment[name] = nil }
            environment["LIFEBOAT_PG_HOST"] = cluster.socketDirectory
            environment["LIFEBOAT_PG_PORT"] = String(cluster.port)
            environment["LIFEBOAT_PG_USER"] = "postgres"
            environment["LIFEBOAT_PG_DATA"] = cluster.dataDirectory
            return try await cluster.runAsClusterUser(binary, arguments + ["--config", configPath], environment: environment)
        }

        /// WAL names archived, as the AWS CLI lists them.
        func archivedNames() async throws -> Set<String> {
            let listing = try await rgw.aws(["s3", "ls", "--recursive", "s3://\(rgw.bucket)/\(prefix)/main/archive/"])
            var names = Set<String>()
            for line in listing.stdout.split(separator: "\n") {
                guard let key = line.split(separator: " ").last, let base = key.split(separator: "/").last,
                      let dash = base.firstIndex(of: "-") else { continue }
                names.insert(String(base[..<dash]))
            }
            return names
        }

        func switchAndWaitForArchive() async throws {
            let result = try await cluster.query("SELECT pg_walfile_name(pg_current_wal_lsn()) AS name, pg_switch_wal()")
            let name = result.value(0, "name") ?? ""
            for _ in 0..<600 {
                if try await archivedNames().contains(name) { return }
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            throw LabError("WAL \(name) was not archived to S3: \(cluster.logTail())")
        }
    }

    static func withS3Lab(_ body: (S3Lab) async throws -> Void) async throws {
        let rgw = try await CephRGW.shared()
        let prefix = CephRGW.uniquePrefix("e2e")
        let shared = try Sandbox.makeDirectory(prefix: "lifeboat-s3lab")
        let binary = try LifeboatExecutable.installed(into: shared)
        try Sandbox.makeOwnedDirectory(shared + "/locks")
        let configPath = shared + "/lifeboat.conf"
        let config = """
            [global]
            stanza = main
            repo-type = s3
            repo-s3-endpoint = \(rgw.endpoint)
            repo-s3-bucket = \(rgw.bucket)
            repo-s3-region = \(rgw.region)
            repo-s3-uri-style = path
            repo-path = /\(prefix)
            repo-s3-key = \(rgw.accessKey)
            repo-s3-key-secret = \(rgw.secretKey)
            lock-path = \(shared)/locks

            """
        FileManager.default.createFile(atPath: configPath, contents: Data(config.utf8), attributes: [.posixPermissions: 0o600])
        Sandbox.giveToClusterUser(configPath)
        let cluster = try await TestCluster.create(extraConfig: [
            "wal_level = replica", "archive_mode = on", "archive_command = '\(binary) archive-push --config \(configPath) %p'",
        ])
        let lab = S3Lab(rgw: rgw, cluster: cluster, binary: binary, configPath: configPath, prefix: prefix, shared: shared)
        do {
            try await body(lab)
        } catch {
            await cluster.destroy()
            try? FileManager.default.removeItem(atPath: shared)
            throw error
        }
        await cluster.destroy()
        try? FileManager.default.removeItem(atPath: shared)
    }

    /// The keys of an `aws s3 ls --recursive` listing (its last column).
    static func keys(_ listing: String) -> [String] {
        listing.split(separator: "\n").compactMap { line in line.split(separator: " ").last.map(String.init) }
    }

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    @Test("init, archive-push, backup, info, restore and PITR on S3; the AWS CLI reads back what was stored")
    func everyCommandOnS3() async throws {
        try await Self.withS3Lab { lab in
            let initResult = try await lab.lifeboat(["init"])
            #expect(initResult.exitCode == 0, "\(initResult.stderr)")
            _ = try await lab.cluster.query("CREATE TABLE orders (id serial PRIMARY KEY, batch int NOT NULL, note text)")
            _ = try await lab.cluster.query("INSERT INTO orders (batch, note) SELECT 0, md5(g::text) FROM generate_series(1, 100) g")
            let backup = try await lab.lifeboat(["backup", "--type", "full", "--start-fast", "--output", "json"])
            #expect(backup.exitCode == 0, "\(backup.stderr)")
            let report = try JSONSerialization.jsonObject(with: Data(backup.stdout.utf8)) as? [String: Any]
            let label = try #require(report?["label"] as? String)

            _ = try await lab.cluster.query("INSERT INTO orders (batch) SELECT 1 FROM generate_series(1, 50)")
            try await Task.sleep(nanoseconds: 1_100_000_000)
            let mark = try await lab.cluster.query(
                "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00' AS t").value(0, "t") ?? ""
            try await Task.sleep(nanoseconds: 1_100_000_000)
            _ = try await lab.cluster.query("INSERT INTO orders (batch) SELECT 2 FROM generate_series(1, 50)")
            try await lab.switchAndWaitForArchive()

            let info = try await lab.lifeboat(["info", "--output", "json"])
            #expect(info.exitCode == 0, "\(info.stderr)")
            let infoJSON = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any]
            #expect(infoJSON?["repository"] as? String == "s3://\(lab.rgw.bucket)/\(lab.prefix)")
            #expect((infoJSON?["backups"] as? [[String: Any]])?.count == 1)
            #expect(!info.stdout.contains(lab.rgw.secretKey) && !info.stderr.contains(lab.rgw.secretKey))

            // The AWS CLI downloads the backup; every stored object matches the SHA-256 Lifeboat recorded.
            let download = lab.shared + "/download"
            let copy = try await lab.rgw.aws(["s3", "cp", "--recursive", "--only-show-errors",
                                              "s3://\(lab.rgw.bucket)/\(lab.prefix)/main/backup/\(label)/", download])
            #expect(copy.exitCode == 0, "\(copy.stderr)")
            let manifestData = try Data(contentsOf: URL(fileURLWithPath: download + "/manifest.json"))
            let manifest = try JSONSerialization.jsonObject(with: manifestData) as? [String: Any]
            let files = manifest?["files"] as? [[String: Any]] ?? []
            #expect(files.count > 500)
            var checked = 0
            for file in files {
                guard let path = file["path"] as? String, let stored = file["storedSha256"] as? String else { continue }
                let local = download + "/data/" + path + ".zst"
                let bytes = try Data(contentsOf: URL(fileURLWithPath: local))
                #expect(Self.sha256(bytes) == stored, "\(path)")
                checked += 1
            }
            #expect(checked == files.count)

            // Restore to the mark (PITR) and to the end of the archive, both from S3.
            for (name, arguments, expected) in [("time", ["--target-time", mark, "--target-action", "promote"], 150), ("end", [], 200)] {
                let target = try lab.cluster.makeDirectory("restore-\(name)")
                let restore = try await lab.lifeboat(["restore", "--pg-data", target, "--archive-mode", "off"] + arguments)
                #expect(restore.exitCode == 0, "restore \(name): \(restore.stderr)")
                let autoConf = (try? String(contentsOfFile: target + "/postgresql.auto.conf", encoding: .utf8)) ?? ""
                #expect(autoConf.contains("--repo-type s3"), "\(autoConf)")
                #expect(autoConf.contains("--repo-s3-bucket \(lab.rgw.bucket)"))
                #expect(!autoConf.contains(lab.rgw.secretKey))
                let verify = try await lab.cluster.runAsClusterUser(try PostgresBinaries.path(of: "pg_verifybackup", major: 15), ["-n", target])
                #expect(verify.exitCode == 0, "pg_verifybackup \(name): \(verify.stdout) \(verify.stderr)")
                let server = try await lab.cluster.startOther(dataDirectory: target, waitForPromotion: true, timeoutSeconds: 120)
                let count = try await server.query("SELECT count(*) AS n FROM orders").value(0, "n")
                #expect(count == String(expected), "restore \(name)")
                try await server.stop(mode: "fast")
            }
        }
    }

    @Test("archive-push on S3 accepts a repeat of identical content and never overwrites different content")
    func archivePushNeverOverwrites() async throws {
        try await Self.withS3Lab { lab in
            #expect(try await lab.lifeboat(["init"]).exitCode == 0)
            try await lab.switchAndWaitForArchive()
            let walDirectory = try lab.cluster.makeDirectory("wal-copies")
            let segment = try #require(try await lab.archivedNames().sorted().first { $0.count == 24 })
            let original = lab.cluster.dataDirectory + "/pg_wal/" + segment
            let same = walDirectory + "/" + segment
            if FileManager.default.fileExists(atPath: original) {
                try FileManager.default.copyItem(atPath: original, toPath: same)
            } else {
                let get = try await lab.lifeboat(["archive-get", segment, same])
                #expect(get.exitCode == 0, "\(get.stderr)")
            }
            Sandbox.giveToClusterUser(same)
            let originalBytes = try Data(contentsOf: URL(fileURLWithPath: same))
            let before = try await lab.rgw.aws(["s3", "ls", "--recursive", "s3://\(lab.rgw.bucket)/\(lab.prefix)/main/archive/"])

            let repeatPush = try await lab.lifeboat(["archive-push", same])
            #expect(repeatPush.exitCode == 0, "\(repeatPush.stderr)")

            var bytes = try Data(contentsOf: URL(fileURLWithPath: same))
            bytes[bytes.count / 2] ^= 0xFF
            try bytes.write(to: URL(fileURLWithPath: same))
            let different = try await lab.lifeboat(["archive-push", same])
            #expect(different.exitCode == 15, "\(different.stderr)")
            let after = try await lab.rgw.aws(["s3", "ls", "--recursive", "s3://\(lab.rgw.bucket)/\(lab.prefix)/main/archive/"])
            let keysBefore: [String] = Self.keys(before.stdout)
            let keysAfter: [String] = Self.keys(after.stdout)
            #expect(keysBefore == keysAfter)
            #expect(!keysBefore.isEmpty)

            let restored = walDirectory + "/restored"
            let get = try await lab.lifeboat(["archive-get", segment, restored])
            #expect(get.exitCode == 0, "\(get.stderr)")
            #expect(FileManager.default.contents(atPath: restored) == originalBytes)
        }
    }

    @Test("backup through a faulty network (503 SlowDown on parts, resets mid-upload, lost replies) still succeeds and restores intact")
    func backupThroughFaults() async throws {
        try await Self.withS3Lab { lab in
            #expect(try await lab.lifeboat(["init"]).exitCode == 0)
            // Random text: a table file whose compressed copy still needs a multipart upload.
            _ = try await lab.cluster.query("""
                CREATE TABLE noise AS SELECT g AS id, md5(random()::text) || md5(random()::text) || md5(random()::text) AS note
                FROM generate_series(1, 250000) g
                """)
            let proxy = try S3FaultProxy(upstream: lab.rgw.endpoint, faults: .init(
                slowdownEveryNthPart: 2, resetEveryNthPut: 7, dropReplyOfEveryNthStore: 5))
            defer { proxy.stop() }
            let backup = try await lab.lifeboat(["backup", "--start-fast", "--repo-s3-endpoint", proxy.endpoint])
            #expect(backup.exitCode == 0, "\(backup.stderr)")
            let stats = proxy.stats()
            #expect(stats["slowdown", default: 0] >= 1, "\(stats)")
            #expect(stats["reset", default: 0] >= 1, "\(stats)")
            #expect(stats["dropped", default: 0] >= 1, "\(stats)")
            try await lab.switchAndWaitForArchive()

            let target = try lab.cluster.makeDirectory("restore-faults")
            let restore = try await lab.lifeboat(["restore", "--pg-data", target, "--archive-mode", "off"])
            #expect(restore.exitCode == 0, "\(restore.stderr)")
            let verify = try await lab.cluster.runAsClusterUser(try PostgresBinaries.path(of: "pg_verifybackup", major: 15), ["-n", target])
            #expect(verify.exitCode == 0, "pg_verifybackup: \(verify.stdout) \(verify.stderr)")
            let server = try await lab.cluster.startOther(dataDirectory: target, waitForPromotion: true, timeoutSeconds: 120)
            let original = try await lab.cluster.query("SELECT count(*) AS n, md5(string_agg(note, ',' ORDER BY id)) AS h FROM noise")
            let copy = try await server.query("SELECT count(*) AS n, md5(string_agg(note, ',' ORDER BY id)) AS h FROM noise")
            #expect(copy.value(0, "n") == "250000")
            #expect(copy.value(0, "h") == original.value(0, "h"))
            try await server.stop(mode: "fast")
        }
    }

    @Test("a secret given as a flag is refused without being echoed")
    func secretFlagsAreRefused() async throws {
        let shared = try Sandbox.makeDirectory(prefix: "lifeboat-s3flags")
        defer { try? FileManager.default.removeItem(atPath: shared) }
        let binary = try LifeboatExecutable.installed(into: shared)
        for flag in ["--repo-s3-key", "--repo-s3-key-secret"] {
            let result = try await ProcessRunner.run(binary, [
                "info", "--stanza", "main", "--repo-type", "s3", "--repo-s3-bucket", "b", flag, "s3cr3t-VALUE-42",
            ])
            #expect(result.exitCode == 2, "\(flag): \(result.stderr)")
            #expect(result.stderr.contains(String(flag.dropFirst(2))))
            #expect(!result.stderr.contains("s3cr3t-VALUE-42") && !result.stdout.contains("s3cr3t-VALUE-42"))
        }
    }
}
