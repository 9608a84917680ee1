#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LifeboatPostgres
import LifeboatTestSupport
import Testing

/// S3 combined with the other repository features, end to end on a real PG15 cluster and the real Ceph
/// RGW: an encrypted S3 repository, and a posix repo1 next to an S3 repo2. Every secret (S3 keys,
/// passphrase) reaches Lifeboat only through the 0600 config file that archive_command and the restored
/// cluster's restore_command name with --config. What was stored is read back with the AWS CLI.
@Suite("S3 combined with encryption and several repositories (Ceph RGW)", .serialized)
struct S3CombinationsTests {
    static let passphrase = "s3-combo-passphrase-8e21"
    static let marker = "lifeboat-s3-plaintext-marker-5b9c"

    /// A cluster archiving through `archive-push --config <0600 file holding configLines>`; `configLines`
    /// receive the lab's S3 key prefix and shared directory.
    static func withLab(configLines: (_ prefix: String, _ shared: String, _ rgw: CephRGW) -> [String],
                        _ body: (S3RepositoryTests.S3Lab) async throws -> Void) async throws {
        let rgw = try await CephRGW.shared()
        let prefix = CephRGW.uniquePrefix("combo")
        let shared = try Sandbox.makeDirectory(prefix: "lifeboat-s3combo")
        let binary = try LifeboatExecutable.installed(into: shared)
        try Sandbox.makeOwnedDirectory(shared + "/locks")
        let configPath = shared + "/lifeboat.conf"
        let config = (["[global]", "stanza = main", "lock-path = \(shared)/locks"] + configLines(prefix, shared, rgw))
            .joined(separator: "\n") + "\n"
        FileManager.default.createFile(atPath: configPath, contents: Data(config.utf8), attributes: [.posixPermissions: 0o600])
        Sandbox.giveToClusterUser(configPath)
        let cluster = try await TestCluster.create(extraConfig: [
            "wal_level = replica", "archive_mode = on", "archive_command = '\(binary) archive-push --config \(configPath) %p'",
        ])
        let lab = S3RepositoryTests.S3Lab(rgw: rgw, cluster: cluster, binary: binary, configPath: configPath, prefix: prefix, shared: shared)
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

    /// The S3 options of a repository (`repo` or `repo2`…) at `prefix` in the shared bucket, credentials included.
    static func s3Lines(_ option: String, prefix: String, rgw: CephRGW) -> [String] {
        [
            "\(option)-type = s3", "\(option)-s3-endpoint = \(rgw.endpoint)", "\(option)-s3-bucket = \(rgw.bucket)",
            "\(option)-s3-region = \(rgw.region)", "\(option)-s3-uri-style = path", "\(option)-path = /\(prefix)",
            "\(option)-s3-key = \(rgw.accessKey)", "\(option)-s3-key-secret = \(rgw.secretKey)",
        ]
    }

    static func json(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    static func utcNow(_ lab: S3RepositoryTests.S3Lab) async throws -> String {
        try await lab.cluster.query(
            "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00' AS t").value(0, "t") ?? ""
    }

    static func count(_ sql: String, on server: RunningServer) async throws -> Int? {
        Int(try await server.query(sql).value(0, "n") ?? "")
    }

    /// Every regular file under `root`, relative to it.
    static func files(under root: String) -> [String] {
        var files: [String] = []
        let walker = FileManager.default.enumerator(atPath: root)
        while let path = walker?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(path)
            }
        }
        return files.sorted()
    }

    /// WAL names in a posix repository's archive.
    static func archivedNames(posix repository: String) -> Set<String> {
        let archive = repository + "/main/archive"
        var names = Set<String>()
        for directory in (try? FileManager.default.contentsOfDirectory(atPath: archive)) ?? [] {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: archive + "/" + directory)) ?? [] {
                if let dash = file.firstIndex(of: "-") { names.insert(String(file[..<dash])) }
            }
        }
        return names
    }

    @Test("encrypted S3 repository: archive, full + incr backup, verify, PITR; the AWS CLI finds nothing in clear but cipher.json")
    func encryptedS3() async throws {
        try await Self.withLab(configLines: { prefix, _, rgw in
            Self.s3Lines("repo", prefix: prefix, rgw: rgw)
                // No compression: a plaintext object would show the marker verbatim.
                + ["repo-cipher-type = aes-256-gcm", "repo-cipher-pass = \(Self.passphrase)", "compress-type = none"]
        }) { lab in
            let initResult = try await lab.lifeboat(["init"])
            #expect(initResult.exitCode == 0, "\(initResult.stderr)")
            _ = try await lab.cluster.query("CREATE TABLE secrets (id int PRIMARY KEY, note text)")
            _ = try await lab.cluster.query("INSERT INTO secrets SELECT g, '\(Self.marker)' FROM generate_series(1, 500) g")
            let full = try await lab.lifeboat(["backup", "--type", "full", "--start-fast", "--output", "json"])
            #expect(full.exitCode == 0, "\(full.stderr)")
            let fullLabel = try #require(Self.json(full.stdout)?["label"] as? String)

            _ = try await lab.cluster.query("INSERT INTO secrets SELECT g, 'incr' FROM generate_series(501, 600) g")
            let incr = try await lab.lifeboat(["backup", "--type", "incr", "--start-fast", "--output", "json"])
            #expect(incr.exitCode == 0, "\(incr.stderr)")
            let incrReport = Self.json(incr.stdout)
            let incrLabel = try #require(incrReport?["label"] as? String)
            #expect(incrReport?["type"] as? String == "incr" && incrReport?["reference"] as? String == fullLabel, "\(incr.stdout)")

            _ = try await lab.cluster.query("INSERT INTO secrets SELECT g, 'after' FROM generate_series(601, 700) g")
            try await Task.sleep(nanoseconds: 1_100_000_000)
            let mark = try await Self.utcNow(lab)
            try await Task.sleep(nanoseconds: 1_100_000_000)
            _ = try await lab.cluster.query("INSERT INTO secrets SELECT g, 'late' FROM generate_series(701, 800) g")
            try await lab.switchAndWaitForArchive()

            let verify = try await lab.lifeboat(["verify"])
            #expect(verify.exitCode == 0, "verify: \(verify.stdout) \(verify.stderr)")

            // Everything Lifeboat stored, downloaded by an independent client: only the key file is readable.
            let download = lab.shared + "/download"
            let copy = try await lab.rgw.aws(["s3", "cp", "--recursive", "--only-show-errors", "s3://\(lab.rgw.bucket)/\(lab.prefix)/", download])
            #expect(copy.exitCode == 0, "\(copy.stderr)")
            let objects = Self.files(under: download)
            #expect(objects.contains("main/cipher.json") && objects.contains("main/stanza.json"), "\(objects.prefix(5))")
            #expect(objects.contains("main/backup/\(fullLabel)/manifest.json") && objects.contains("main/backup/\(incrLabel)/manifest.json"))
            #expect(objects.contains { $0.hasPrefix("main/archive/0000") }, "no WAL in \(objects.prefix(5))")
            let keyFile = try String(contentsOfFile: download + "/main/cipher.json", encoding: .utf8)
            #expect(Self.json(keyFile) != nil && !keyFile.contains(Self.passphrase), "cipher.json: \(keyFile)")
            for object in objects where object != "main/cipher.json" {
                let data = try Data(contentsOf: URL(fileURLWithPath: download + "/" + object))
                #expect(data.prefix(8) == Data("LBAEAD01".utf8), "\(object) is not an encrypted object")
                #expect(data.range(of: Data(Self.marker.utf8)) == nil, "\(object) holds the plaintext marker")
                #expect(data.range(of: Data("\"systemIdentifier\"".utf8)) == nil, "\(object) holds clear JSON")
            }

            // Point in time between the incremental backup and the late rows: the incr is rebuilt over the full.
            let target = try lab.cluster.makeDirectory("restore-encrypted-s3")
            let restore = try await lab.lifeboat(["restore", "--pg-data", target, "--archive-mode", "off",
                                                  "--target-time", mark, "--target-action", "promote", "--output", "json"])
            #expect(restore.exitCode == 0, "\(restore.stderr)")
            #expect(Self.json(restore.stdout)?["label"] as? String == incrLabel, "\(restore.stdout)")
            let settings = try String(contentsOfFile: target + "/postgresql.auto.conf", encoding: .utf8)
            #expect(settings.contains("--config \(lab.configPath)") && settings.contains("--repo-type s3"), "\(settings)")
            #expect(!settings.contains(Self.passphrase) && !settings.contains(lab.rgw.secretKey))
            let server = try await lab.cluster.startOther(dataDirectory: target, waitForPromotion: true, timeoutSeconds: 120)
            #expect(try await Self.count("SELECT count(*) AS n FROM secrets", on: server) == 700)
            #expect(try await Self.count("SELECT count(*) AS n FROM secrets WHERE note = 'incr'", on: server) == 100)
            try await server.stop(mode: "fast")
        }
    }

    @Test("posix repo1 + S3 repo2: init and archive to both, backup --repo 2, info shows both, repo1 gone → restore from repo2")
    func posixAndS3() async throws {
        let holder = try Sandbox.makeClusterUserDirectory(prefix: "lifeboat-combo-repo1")
        defer { try? FileManager.default.removeItem(atPath: holder) }
        let repo1 = holder + "/repo1"
        try Sandbox.makeOwnedDirectory(repo1)
        try await Self.withLab(configLines: { prefix, _, rgw in
            ["repo1-path = \(repo1)"] + Self.s3Lines("repo2", prefix: prefix, rgw: rgw)
        }) { lab in
            let initResult = try await lab.lifeboat(["init"])
            #expect(initResult.exitCode == 0, "\(initResult.stderr)")
            #expect(FileManager.default.fileExists(atPath: repo1 + "/main/stanza.json"), "init did not create the stanza in repo1")
            let stanzaObject = try await lab.rgw.aws(["s3", "ls", "s3://\(lab.rgw.bucket)/\(lab.prefix)/main/stanza.json"])
            #expect(stanzaObject.exitCode == 0 && stanzaObject.stdout.contains("stanza.json"), "init did not create the stanza in repo2 (S3)")

            _ = try await lab.cluster.query("CREATE TABLE t (id int)")
            _ = try await lab.cluster.query("INSERT INTO t SELECT generate_series(1, 100)")
            try await lab.switchAndWaitForArchive()
            // archive-push acknowledges a segment only once both repositories hold it.
            var inS3 = try await lab.archivedNames()
            for _ in 0..<600 where Self.archivedNames(posix: repo1) != inS3 {
                try await Task.sleep(nanoseconds: 100_000_000)
                inS3 = try await lab.archivedNames()
            }
            #expect(!inS3.isEmpty && Self.archivedNames(posix: repo1) == inS3,
                    "repo1 \(Self.archivedNames(posix: repo1).sorted()) vs S3 \(inS3.sorted())")

            let backup = try await lab.lifeboat(["backup", "--repo", "2", "--start-fast", "--output", "json"])
            #expect(backup.exitCode == 0, "\(backup.stderr)")
            let label = try #require(Self.json(backup.stdout)?["label"] as? String)
            let manifest = try await lab.rgw.aws(["s3", "ls", "s3://\(lab.rgw.bucket)/\(lab.prefix)/main/backup/\(label)/manifest.json"])
            #expect(manifest.exitCode == 0 && manifest.stdout.contains("manifest.json"), "backup --repo 2 is not in S3")
            #expect(!FileManager.default.fileExists(atPath: repo1 + "/main/backup/\(label)"), "backup --repo 2 went to repo1")

            _ = try await lab.cluster.query("INSERT INTO t SELECT generate_series(101, 150)")
            try await lab.switchAndWaitForArchive()
            inS3 = try await lab.archivedNames()
            #expect(Self.archivedNames(posix: repo1).isSuperset(of: inS3), "repo1 lacks WAL that S3 has")

            let info = try await lab.lifeboat(["info", "--output", "json"])
            #expect(info.exitCode == 0, "\(info.stderr)")
            let repositories = Self.json(info.stdout)?["repositories"] as? [[String: Any]] ?? []
            #expect(repositories.count == 2 && repositories.allSatisfy { $0["status"] as? String == "ok" }, "\(info.stdout) \(info.stderr)")
            let second = repositories.first { $0["index"] as? Int == 2 }
            #expect(second?["repository"] as? String == "s3://\(lab.rgw.bucket)/\(lab.prefix)", "\(info.stdout)")
            #expect(second?["backups"] as? [String] == [label], "\(info.stdout)")
            #expect(repositories.first { $0["index"] as? Int == 1 }?["backups"] as? [String] == [], "\(info.stdout)")
            #expect(!info.stdout.contains(lab.rgw.secretKey) && !info.stderr.contains(lab.rgw.secretKey))

            // repo1 is lost: restore finds the backup in repo2, and the restored cluster replays WAL from S3.
            try FileManager.default.removeItem(atPath: repo1)
            let target = try lab.cluster.makeDirectory("restore-from-s3")
            let restore = try await lab.lifeboat(["restore", "--pg-data", target, "--archive-mode", "off",
                                                  "--target-action", "promote", "--output", "json"])
            #expect(restore.exitCode == 0, "\(restore.stderr)")
            #expect(restore.stderr.contains("repo1") && restore.stderr.contains("trying the next repository"), "\(restore.stderr)")
            #expect(Self.json(restore.stdout)?["label"] as? String == label, "\(restore.stdout)")
            // Across both repositories, a file absent from repo2 while repo1 fails is not "absent" (126, which
            // stops recovery): the restored cluster must read repo2 alone, reached through the config file.
            let scratch = try lab.cluster.makeDirectory("fetched")
            let acrossBoth = try await lab.lifeboat(["archive-get", "00000002.history", scratch + "/h"])
            #expect(acrossBoth.exitCode == 126, "\(acrossBoth.stderr)")
            let fromRepo2 = try await lab.lifeboat(["archive-get", "--repo", "2", "00000002.history", scratch + "/h"])
            #expect(fromRepo2.exitCode == 1, "\(fromRepo2.stderr)")
            #expect(restore.stderr.contains("restore_command reads repo2"), "\(restore.stderr)")
            let settings = try String(contentsOfFile: target + "/postgresql.auto.conf", encoding: .utf8)
            #expect(settings.contains("--config \(lab.configPath)") && settings.contains("--repo 2 "), "\(settings)")
            #expect(!settings.contains(lab.rgw.secretKey) && !settings.contains(lab.rgw.accessKey), "\(settings)")
            let server = try await lab.cluster.startOther(dataDirectory: target, waitForPromotion: true, timeoutSeconds: 120)
            #expect(try await Self.count("SELECT count(*) AS n FROM t", on: server) == 150)
            try await server.stop(mode: "fast")
        }
    }
}
