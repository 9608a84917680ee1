import LifeboatCore
import LifeboatS3
import Testing
@testable import LifeboatCLI

@Suite("S3 options per repository: indexed flags for 1…4, and repo1-X then repo-X key by key")
struct IndexedS3OptionsTests {
    func resolved(_ given: [String: String] = [:], _ environment: [String: String] = [:], config: [String: String] = [:]) -> ResolvedOptions {
        ResolvedOptions(given: given, environment: environment,
                        config: ConfigFile(path: "/nonexistent/lifeboat.conf", sections: ["global": config]), stanza: "main")
    }

    let keys = ["LIFEBOAT_REPO_S3_KEY": "AKID", "LIFEBOAT_REPO_S3_KEY_SECRET": "sekrit"]

    @Test("--repo<N>-s3-endpoint|bucket|region|uri-style|verify-tls|ca-file exist as flags for N = 1…4", arguments: 1...4)
    func flags(index: Int) throws {
        let names = ["s3-endpoint", "s3-bucket", "s3-region", "s3-uri-style", "s3-verify-tls", "s3-ca-file"]
        let common = try CommonOptions.parse(names.flatMap { ["--repo\(index)-\($0)", "value-\($0)"] })
        for name in names { #expect(common.given["repo\(index)-\(name)"] == "value-\(name)") }
    }

    @Test("repository 2 from its indexed flags alone")
    func secondFromFlags() throws {
        let common = try CommonOptions.parse([
            "--repo2-type", "s3", "--repo2-s3-bucket", "offsite", "--repo2-s3-endpoint", "http://127.0.0.1:7480",
            "--repo2-s3-region", "eu-west-3", "--repo2-s3-uri-style", "host", "--repo2-s3-verify-tls", "n", "--repo2-path", "/lb",
        ])
        let repo2 = try RepositoryOptions.resolve(
            resolved(common.given, ["LIFEBOAT_REPO2_S3_KEY": "K2", "LIFEBOAT_REPO2_S3_KEY_SECRET": "S2"]), index: 2)
        let settings = try #require(repo2.s3).settings
        #expect(settings.endpoint.bucket == "offsite" && settings.region == "eu-west-3" && settings.endpoint.uriStyle == .host)
        #expect(!settings.verifyTLS && settings.prefix == "lb" && settings.credentials.accessKey == "K2")
    }

    @Test("repo-type = s3 with repo1-s3-bucket: every key is looked up on its own")
    func mixedRepositoryOne() throws {
        let options = resolved(["repo-s3-endpoint": "http://127.0.0.1:7480"], keys,
                               config: ["repo-type": "s3", "repo1-s3-bucket": "b", "repo-path": "/pg"])
        let repo1 = try RepositoryOptions.resolve(options, index: 1)
        let settings = try #require(repo1.s3).settings
        #expect(repo1.kind == .s3 && settings.endpoint.bucket == "b" && settings.prefix == "pg")
        #expect(settings.credentials == S3Credentials(accessKey: "AKID", secretKey: "sekrit"))
        // A restored cluster reaches it with the unindexed flags.
        #expect(repo1.restoreCommandOptions == [
            "--repo-type", "s3", "--repo-s3-endpoint", "http://127.0.0.1:7480", "--repo-s3-bucket", "b",
            "--repo-s3-region", "us-east-1", "--repo-s3-uri-style", "path", "--repo-path", "/pg",
        ])
    }

    @Test("repo1-X wins over repo-X for the same key; credentials mix too")
    func indexedFirst() throws {
        let options = resolved(
            ["repo1-type": "s3", "repo-s3-bucket": "unindexed", "repo1-s3-bucket": "indexed", "repo-s3-region": "eu-west-1"],
            ["LIFEBOAT_REPO1_S3_KEY": "KEY1", "LIFEBOAT_REPO_S3_KEY_SECRET": "secret0"])
        let settings = try #require(try RepositoryOptions.resolve(options, index: 1).s3).settings
        #expect(settings.endpoint.bucket == "indexed" && settings.region == "eu-west-1")
        #expect(settings.credentials == S3Credentials(accessKey: "KEY1", secretKey: "secret0"))
        let fromFile = resolved(["repo-type": "s3", "repo-s3-bucket": "b"], config: ["repo1-s3-key": "FILEKEY", "repo-s3-key-secret": "filesecret"])
        #expect(try #require(try RepositoryOptions.resolve(fromFile, index: 1).s3).settings.credentials.accessKey == "FILEKEY")
    }

    @Test("an incomplete S3 configuration is one line naming the missing key, exit 2, never an internal error", arguments: [
        (["repo-type": "s3"], [String: String](), 1, "no repo-s3-bucket given"),
        (["repo1-type": "s3"], [:], 1, "no repo-s3-bucket given"),
        (["repo2-type": "s3", "repo2-path": "/x"], [:], 2, "no repo2-s3-bucket given"),
        (["repo2-type": "s3", "repo2-s3-bucket": "b"], ["LIFEBOAT_REPO2_S3_KEY": "K"], 2, "repo2-s3-key and repo2-s3-key-secret must be set together"),
        (["repo1-type": "s3", "repo1-s3-bucket": "b", "repo1-s3-verify-tls": "maybe"], [:], 1, "invalid repo1-s3-verify-tls 'maybe': expected y or n"),
        (["repo-type": "s3", "repo1-s3-bucket": "b", "repo-s3-uri-style": "sideways"], [:], 1, "invalid repo-s3-uri-style 'sideways': expected path or host"),
    ])
    func incomplete(given: [String: String], environment: [String: String], index: Int, message: String) {
        let error = #expect(throws: LifeboatError.self) {
            try RepositoryOptions.resolve(resolved(given, environment.merging(["HOME": "/nonexistent"]) { $1 }), index: index)
        }
        #expect(error?.code == .invalidArgument)
        #expect(error.map(ExitCodes.code(for:)) == 2)
        #expect(error?.message == message)
    }

    @Test("a repository-2 secret is refused as a flag before parsing, by name only")
    func secrets() {
        #expect(SecretArguments.firstSecretFlag(in: ["--repo2-s3-key", "x"]) == "repo2-s3-key")
        #expect(SecretArguments.firstSecretFlag(in: ["--repo3-s3-key-secret=x"]) == "repo3-s3-key-secret")
        #expect(SecretArguments.firstSecretFlag(in: ["--repo2-s3-token", "x"]) == "repo2-s3-token")
        #expect(SecretArguments.firstSecretFlag(in: ["--repo2-s3-bucket", "b", "--repo2-s3-ca-file", "/ca.pem"]) == nil)
    }
}
