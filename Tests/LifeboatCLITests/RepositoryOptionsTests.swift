import LifeboatCore
import LifeboatS3
import LifeboatStorage
import Testing
@testable import LifeboatCLI

@Suite("repository options: indexes, cipher settings, secrets")
struct RepositoryOptionsTests {
    func resolved(_ given: [String: String] = [:], _ environment: [String: String] = [:],
                  config: [String: String] = [:]) -> ResolvedOptions {
        ResolvedOptions(given: given, environment: environment,
                        config: ConfigFile(path: "/nonexistent/lifeboat.conf", sections: ["global": config]), stanza: "main")
    }

    @Test("repo-… is repo1; repo<N>-… come from flags, environment and config file, in index order")
    func indexes() throws {
        let options = resolved(["repo-path": "/one"], ["LIFEBOAT_REPO3_PATH": "/three"], config: ["repo2-path": "/two", "repo9-cipher-type": "none"])
        #expect(RepositoryOptions.configuredIndices(options) == [1, 2, 3])
        #expect(try RepositoryOptions.resolve(options, index: 2).path == "/two")
        #expect(try RepositoryOptions.resolve(options, index: 3).path == "/three")
        #expect(RepositoryOptions.configuredIndices(resolved(["repo2-path": "/two"])) == [2])
        #expect(try resolved(["repo2-path": "/two"]).selectedRepository().index == 2)
        #expect(try resolved(["repo-path": "/one", "repo2-path": "/two", "repo": "2"]).selectedRepository().path == "/two")
    }

    @Test("the passphrase comes from the environment for its index; a cipher type without one, or one without a type, is refused")
    func passphrases() throws {
        let encrypted = try RepositoryOptions.resolve(
            resolved(["repo-path": "/one", "repo-cipher-type": "aes-256-gcm"], ["LIFEBOAT_REPO_CIPHER_PASS": "secret-a"]), index: 1)
        #expect(encrypted.cipherType == .aes256gcm && encrypted.passphraseSource == .environment(name: "LIFEBOAT_REPO_CIPHER_PASS"))
        #expect(!encrypted.restoreCommandOptions.contains("secret-a"))
        #expect(throws: LifeboatError.self) {
            try RepositoryOptions.resolve(resolved(["repo-path": "/one", "repo-cipher-type": "aes-256-gcm"]), index: 1)
        }
        do {
            _ = try RepositoryOptions.resolve(resolved(["repo-path": "/one"], ["LIFEBOAT_REPO_CIPHER_PASS": "secret-b"]), index: 1)
            Issue.record("a passphrase for an unencrypted repository was accepted")
        } catch {
            #expect(error.code == .cipher && !error.description.contains("secret-b"))
        }
        // repo2's passphrase is its own: repo1's does not leak to it.
        #expect(throws: LifeboatError.self) {
            try RepositoryOptions.resolve(
                resolved(["repo2-path": "/two", "repo2-cipher-type": "aes-256-gcm"], ["LIFEBOAT_REPO_CIPHER_PASS": "secret-a"]), index: 2)
        }
        #expect(throws: LifeboatError.self) {
            try RepositoryOptions.resolve(resolved(["repo-path": "/one", "repo-cipher-type": "aes-128"]), index: 1)
        }
    }

    @Test("repo<N>-type s3 resolves from its repo<N>-s3-… options, encrypted when asked; without a bucket it is one clear error")
    func s3Repository() throws {
        do {
            _ = try RepositoryOptions.resolve(resolved(["repo-type": "s3"]), index: 1)
            Issue.record("an S3 repository without a bucket was accepted")
        } catch {
            #expect(error.code == .invalidArgument && error.message == "no repo-s3-bucket given")
        }
        let options = resolved(
            ["repo1-path": "/one"],
            ["LIFEBOAT_REPO2_S3_KEY": "AKIA-two", "LIFEBOAT_REPO2_S3_KEY_SECRET": "secret-two", "LIFEBOAT_REPO2_CIPHER_PASS": "pass-two"],
            config: ["repo2-type": "s3", "repo2-s3-bucket": "offsite", "repo2-s3-endpoint": "http://127.0.0.1:7480",
                     "repo2-path": "/lifeboat", "repo2-cipher-type": "aes-256-gcm"])
        #expect(RepositoryOptions.configuredIndices(options) == [1, 2])
        let repo2 = try RepositoryOptions.resolve(options, index: 2)
        let s3 = try #require(repo2.s3)
        #expect(repo2.kind == .s3 && s3.settings.endpoint.bucket == "offsite" && s3.settings.prefix == "lifeboat")
        #expect(s3.settings.credentials.accessKey == "AKIA-two")
        // Alone, its restore_command repeats the unindexed flags; among several, the config file (--config) carries it.
        #expect(repo2.restoreCommandOptions.starts(
            with: ["--repo-type", "s3", "--repo-s3-endpoint", "http://127.0.0.1:7480", "--repo-s3-bucket", "offsite"]), "\(repo2.restoreCommandOptions)")
        #expect(!repo2.restoreCommandOptions.contains { $0.contains("AKIA-two") || $0.contains("secret-two") || $0.contains("pass-two") })
        #expect(try repo2.indexedRestoreCommandOptions() == [])
        let storage = try repo2.storage(stanza: "main")
        #expect(storage is EncryptedStorage && storage.displayName == "s3://offsite/lifeboat")
    }

    @Test("secret options are recognised on the command line by name, never by value")
    func secretFlags() {
        #expect(SecretArguments.firstSecretFlag(in: ["info", "--repo-cipher-pass", "x"]) == "repo-cipher-pass")
        #expect(SecretArguments.firstSecretFlag(in: ["--repo2-cipher-pass=x"]) == "repo2-cipher-pass")
        #expect(SecretArguments.firstSecretFlag(in: ["--repo1-s3-key-secret", "x"]) == "repo1-s3-key-secret")
        #expect(SecretArguments.firstSecretFlag(in: ["--repo-cipher-pass-file", "/p", "--repo", "2", "--repo-path", "/r"]) == nil)
    }
}
