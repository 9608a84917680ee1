#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LifeboatPostgres
import Testing

/// An encrypted repository end to end on a real cluster: archive_command and restore_command reach the
/// passphrase through a 0600 config file, nothing readable lands in the repository, a wrong passphrase
/// is refused before any work, tampering is named, and the passphrase can be changed without rewriting data.
@Suite("encryption at rest", .serialized)
struct EncryptionTests {
    static let passphrase = "lab-passphrase-4f1c2d"
    static let marker = "lifeboat-plaintext-marker-7d3a"
    /// `compress-type = none`, so that a plaintext object would show the marker verbatim.
    static let configLines = ["repo-cipher-type = aes-256-gcm", "repo-cipher-pass = \(passphrase)", "compress-type = none"]

    static func repositoryFiles(_ lab: Lab) -> [String] {
        var files: [String] = []
        let walker = FileManager.default.enumerator(atPath: lab.repository)
        while let path = walker?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: lab.repository + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(path)
            }
        }
        return files.sorted()
    }

    static func flipByte(_ path: String, at offset: Int) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[offset] ^= 0x20
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    @Test("init, archive, backup and point-in-time restore through an encrypted repository; nothing in clear")
    func endToEnd() async throws {
        try await withLab(configLines: Self.configLines) { lab in
            let keyFile = try String(contentsOfFile: lab.repository + "/main/cipher.json", encoding: .utf8)
            #expect(keyFile.contains("\"scrypt\"") && !keyFile.contains(Self.passphrase))
            _ = try await lab.cluster.query("CREATE TABLE secrets (id int, note text)")
            _ = try await lab.cluster.query("INSERT INTO secrets SELECT g, '\(Self.marker)' FROM generate_series(1, 500) g")
            let backup = try await lab.lifeboat(["backup", "--start-fast"])
            #expect(backup.exitCode == 0, "\(backup.stderr)")
            _ = try await lab.cluster.query("INSERT INTO secrets SELECT g, 'after' FROM generate_series(501, 600) g")
            let mark = try await lab.cluster.query(
                "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00' AS t")
            let time = mark.value(0, "t") ?? ""
            try await Task.sleep(nanoseconds: 1_100_000_000)
            _ = try await lab.cluster.query("INSERT INTO secrets SELECT g, 'late' FROM generate_series(601, 700) g")
            try await lab.switchAndWaitForArchive()

            // No object but the key file is readable: not the marker, not stanza.json's fields, not the WAL.
            let files = Self.repositoryFiles(lab)
            #expect(files.contains("main/stanza.json") && files.contains { $0.hasPrefix("main/archive/") })
            for file in files where file != "main/cipher.json" {
                let data = try Data(contentsOf: URL(fileURLWithPath: lab.repository + "/" + file))
                #expect(data.prefix(8) == Data("LBAEAD01".utf8), "\(file) is not an encrypted object")
                #expect(data.range(of: Data(Self.marker.utf8)) == nil, "\(file) holds the plaintext marker")
                #expect(data.range(of: Data("systemIdentifier".utf8)) == nil, "\(file) holds clear JSON")
            }

            let target = try lab.cluster.makeDirectory("restore-encrypted")
            let restore = try await lab.lifeboat(
                ["restore", "--pg-data", target, "--archive-mode", "off", "--target-time", time, "--target-action", "promote"])
            #expect(restore.exitCode == 0, "\(restore.stderr)")
            let settings = try String(contentsOfFile: target + "/postgresql.auto.conf", encoding: .utf8)
            #expect(settings.contains("--config") && !settings.contains(Self.passphrase))
            let server = try await lab.cluster.startOther(dataDirectory: target, waitForPromotion: true, timeoutSeconds: 120)
            #expect(try await lab.count("SELECT count(*) FROM secrets", on: server) == 600)
            try await server.stop(mode: "fast")

            let info = try await lab.lifeboat(["info", "--output", "json"])
            #expect(info.exitCode == 0 && info.stdout.contains("\"backups\""), "\(info.stderr)")
        }
    }

    @Test("a wrong or missing passphrase is one clear error (exit 19) and changes nothing")
    func wrongPassphrase() async throws {
        try await withLab(configLines: Self.configLines) { lab in
            let before = lab.repositorySnapshot()
            let wrong = try await lab.lifeboat(["backup", "--start-fast"], environment: ["LIFEBOAT_REPO_CIPHER_PASS": "not-the-pass-91b"])
            #expect(wrong.exitCode == 19, "\(wrong.stderr)")
            #expect(wrong.stderr.contains("wrong passphrase") && !wrong.stderr.contains("not-the-pass-91b"))
            #expect(wrong.stderr.split(separator: "\n").filter { $0.contains("error:") }.count == 1, "\(wrong.stderr)")
            let missing = try await lab.lifeboat(["info"], environment: ["LIFEBOAT_CONFIG": "/dev/null"])
            #expect(missing.exitCode == 19 && missing.stderr.contains("is encrypted"), "\(missing.stderr)")
            let wrongGet = try await lab.lifeboat(["archive-get", "000000010000000000000001", "/tmp/never-written"],
                                                  environment: ["LIFEBOAT_REPO_CIPHER_PASS": "not-the-pass-91b"])
            #expect(wrongGet.exitCode == 126, "\(wrongGet.stderr)")
            #expect(lab.repositorySnapshot() == before)
        }
    }

    @Test("a flipped byte in an encrypted backup file or WAL object is named as tampered")
    func tampering() async throws {
        try await withLab(configLines: Self.configLines) { lab in
            _ = try await lab.cluster.query("CREATE TABLE t AS SELECT g FROM generate_series(1, 1000) g")
            #expect(try await lab.lifeboat(["backup", "--start-fast"]).exitCode == 0)
            try await lab.switchAndWaitForArchive()
            let files = Self.repositoryFiles(lab)
            let dataFile = try #require(files.first { $0.hasSuffix("/data/PG_VERSION") })
            try Self.flipByte(lab.repository + "/" + dataFile, at: 45)
            let target = try lab.cluster.makeDirectory("restore-tampered")
            let restore = try await lab.lifeboat(["restore", "--pg-data", target, "--archive-mode", "off"])
            #expect(restore.exitCode == 17, "\(restore.stderr)")
            #expect(restore.stderr.contains("stored file '\(dataFile)' failed authentication: it was modified or truncated"), "\(restore.stderr)")

            let walObject = try #require(files.first { $0.hasPrefix("main/archive/0000") })
            let walName = String(walObject.split(separator: "/").last!.prefix(24))
            // The name carries an HMAC, not the content's SHA-256: fetch the segment and compare.
            let scratch = try lab.cluster.makeDirectory("fetched")
            let fetched = try await lab.lifeboat(["archive-get", walName, scratch + "/" + walName])
            #expect(fetched.exitCode == 0, "\(fetched.stderr)")
            let digest = try Self.sha256(of: scratch + "/" + walName)
            #expect(!walObject.contains(digest))

            try Self.flipByte(lab.repository + "/" + walObject, at: 40 + 1000)
            let get = try await lab.lifeboat(["archive-get", walName, scratch + "/again"])
            #expect(get.exitCode == 126, "\(get.stderr)")
            #expect(get.stderr.contains("stored file '\(walObject)' failed authentication"), "\(get.stderr)")
        }
    }

    @Test("cipher-rotate: afterwards the old passphrase is refused and the new one opens the same data")
    func rotation() async throws {
        try await withLab(configLines: Self.configLines) { lab in
            #expect(try await lab.lifeboat(["backup", "--start-fast"]).exitCode == 0)
            // Backup objects only: the archiver keeps adding WAL meanwhile.
            let dataBefore = lab.repositorySnapshot().filter { $0.key.hasPrefix("main/backup/") }
            let rotate = try await lab.lifeboat(["cipher-rotate"], environment: ["LIFEBOAT_REPO_CIPHER_PASS_NEW": "the-new-pass-e2"])
            #expect(rotate.exitCode == 0, "\(rotate.stderr)")
            let dataAfter = lab.repositorySnapshot().filter { $0.key.hasPrefix("main/backup/") }
            let rewritten = Set(dataBefore.keys).union(dataAfter.keys).filter { dataBefore[$0] != dataAfter[$0] }
            #expect(!dataBefore.isEmpty && rewritten.isEmpty, "data was rewritten: \(rewritten.sorted().prefix(3))")
            let old = try await lab.lifeboat(["info"])
            #expect(old.exitCode == 19 && old.stderr.contains("wrong passphrase"), "\(old.stderr)")
            let new = try await lab.lifeboat(["info", "--output", "json"], environment: ["LIFEBOAT_REPO_CIPHER_PASS": "the-new-pass-e2"])
            #expect(new.exitCode == 0 && new.stdout.contains("\"label\""), "\(new.stderr)")
            let noNew = try await lab.lifeboat(["cipher-rotate"], environment: ["LIFEBOAT_REPO_CIPHER_PASS": "the-new-pass-e2"])
            #expect(noNew.exitCode == 2 && noNew.stderr.contains("no new passphrase"), "\(noNew.stderr)")
        }
    }

    @Test("secrets are refused on the command line without being echoed, and in readable files")
    func secretHandling() async throws {
        try await withLab(configLines: Self.configLines) { lab in
            let flag = try await lab.lifeboat(["info", "--repo-cipher-pass", "cmdline-secret-55"])
            #expect(flag.exitCode == 2 && flag.stderr.contains("cannot be given on the command line"), "\(flag.stderr)")
            #expect(!flag.stderr.contains("cmdline-secret-55") && !flag.stdout.contains("cmdline-secret-55"))
            let inline = try await lab.lifeboat(["info", "--repo2-cipher-pass=cmdline-secret-55"])
            #expect(inline.exitCode == 2 && !inline.stderr.contains("cmdline-secret-55"), "\(inline.stderr)")

            let passFile = try lab.cluster.makeDirectory("passes") + "/pass"
            try "\(Self.passphrase)\n".write(toFile: passFile, atomically: false, encoding: .utf8)
            Sandbox.giveToClusterUser(passFile)
            chmod(passFile, 0o644)
            let plainConfig = try lab.cluster.makeDirectory("conf") + "/plain.conf"
            try "[global]\nrepo-cipher-type = aes-256-gcm\n".write(toFile: plainConfig, atomically: false, encoding: .utf8)
            Sandbox.giveToClusterUser(plainConfig)
            let readable = try await lab.lifeboat(["info", "--repo-cipher-pass-file", passFile], environment: ["LIFEBOAT_CONFIG": plainConfig])
            #expect(readable.exitCode == 2 && readable.stderr.contains("readable by group or others"), "\(readable.stderr)")
            chmod(passFile, 0o600)
            let ok = try await lab.lifeboat(["info", "--repo-cipher-pass-file", passFile], environment: ["LIFEBOAT_CONFIG": plainConfig])
            #expect(ok.exitCode == 0, "\(ok.stderr)")

            chmod(lab.configPath!, 0o644)
            let loose = try await lab.lifeboat(["info"])
            #expect(loose.exitCode == 2 && loose.stderr.contains("holds repo-cipher-pass but is readable"), "\(loose.stderr)")
            #expect(!loose.stderr.contains(Self.passphrase))
            chmod(lab.configPath!, 0o600)
        }
    }

    @Test("a passphrase for an unencrypted stanza is refused (exit 19)")
    func passphraseForPlainStanza() async throws {
        try await withLab { lab in
            let result = try await lab.lifeboat(
                ["info"], environment: ["LIFEBOAT_REPO_CIPHER_TYPE": "aes-256-gcm", "LIFEBOAT_REPO_CIPHER_PASS": "whatever-3"])
            #expect(result.exitCode == 19 && result.stderr.contains("is not encrypted"), "\(result.stderr)")
            let typeless = try await lab.lifeboat(["info"], environment: ["LIFEBOAT_REPO_CIPHER_PASS": "whatever-3"])
            #expect(typeless.exitCode == 19 && typeless.stderr.contains("cipher-type is none"), "\(typeless.stderr)")
        }
    }

    static func sha256(of path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(String(decoding: output, as: UTF8.self).prefix(64))
    }
}
