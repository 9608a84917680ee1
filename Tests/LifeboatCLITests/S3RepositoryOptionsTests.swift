import LifeboatCore
import LifeboatS3
import LifeboatStorage
import Testing
@testable import LifeboatCLI

@Suite("options: the S3 repository")
struct S3RepositoryOptionsTests {
    func resolved(_ given: [String: String] = [:], _ environment: [String: String] = [:],
                  config sections: [String: [String: String]] = [:]) -> ResolvedOptions {
        ResolvedOptions(given: given, environment: environment, config: ConfigFile(path: "/etc/lifeboat.conf", sections: sections), stanza: "main")
    }

    let s3 = ["repo-type": "s3", "repo-s3-bucket": "backups", "repo-s3-endpoint": "http://127.0.0.1:7480", "repo-path": "/pg/main/"]
    let keys = ["LIFEBOAT_REPO_S3_KEY": "AKID", "LIFEBOAT_REPO_S3_KEY_SECRET": "sekrit"]

    @Test("s3 settings from flags and the environment; repo-path is the key prefix")
    func settings() throws {
        let settings = try resolved(s3, keys).s3Settings(prefix: "repo")
        #expect(settings.endpoint == S3Endpoint(secure: false, host: "127.0.0.1", port: 7480, bucket: "backups", uriStyle: .path))
        #expect(settings.prefix == "pg/main")
        #expect(settings.region == "us-east-1")
        #expect(settings.verifyTLS)
        #expect(settings.credentials == S3Credentials(accessKey: "AKID", secretKey: "sekrit"))
    }

    @Test("uri style: path for an address or localhost, host for a name, or as given")
    func uriStyle() throws {
        var given = s3
        #expect(try resolved(given, keys).s3Settings(prefix: "repo").endpoint.uriStyle == .path)
        given["repo-s3-endpoint"] = "https://s3.eu-west-3.amazonaws.com"
        #expect(try resolved(given, keys).s3Settings(prefix: "repo").endpoint.uriStyle == .host)
        given["repo-s3-uri-style"] = "path"
        #expect(try resolved(given, keys).s3Settings(prefix: "repo").endpoint.uriStyle == .path)
        given["repo-s3-uri-style"] = "sideways"
        #expect(throws: LifeboatError.self) { try resolved(given, keys).s3Settings(prefix: "repo") }
        given["repo-s3-endpoint"] = nil
        given["repo-s3-uri-style"] = nil
        given["repo-s3-region"] = "eu-west-3"
        let aws = try resolved(given, keys).s3Settings(prefix: "repo")
        #expect(aws.endpoint.hostHeader == "backups.s3.eu-west-3.amazonaws.com")
        #expect(aws.endpoint.secure)
    }

    @Test("verify-tls is y unless n is said")
    func verifyTLS() throws {
        var given = s3
        given["repo-s3-verify-tls"] = "n"
        #expect(try resolved(given, keys).s3Settings(prefix: "repo").verifyTLS == false)
        given["repo-s3-verify-tls"] = "maybe"
        #expect(throws: LifeboatError(.invalidArgument, "invalid repo-s3-verify-tls 'maybe': expected y or n")) {
            try resolved(given, keys).s3Settings(prefix: "repo")
        }
    }

    @Test("a key or secret given as a flag is refused, and the error does not repeat it")
    func secretFlags() {
        for name in ["repo-s3-key", "repo-s3-key-secret", "repo-s3-token"] {
            var given = s3
            given[name] = "VALUE-THAT-MUST-NOT-SHOW"
            let error = #expect(throws: LifeboatError.self) { try resolved(given, keys).repository(prefix: "repo") }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains(name) == true)
            #expect(error.map { $0.message + ($0.hint ?? "") }?.contains("VALUE-THAT-MUST-NOT-SHOW") == false)
        }
        // Also for a posix repository: the secret is on the command line either way.
        let error = #expect(throws: LifeboatError.self) {
            try resolved(["repo-path": "/r", "repo-s3-key-secret": "x"]).repository(prefix: "repo")
        }
        #expect(error?.code == .invalidArgument)
    }

    @Test("credentials: lifeboat's own, then AWS variables, then the shared credentials file; the config file works too")
    func credentialSources() throws {
        let fromConfig = try resolved(s3, [:], config: ["main": ["repo-s3-key": "CFGKEY", "repo-s3-key-secret": "cfgsecret"]])
            .s3Credentials(prefix: "repo")
        #expect(fromConfig == S3Credentials(accessKey: "CFGKEY", secretKey: "cfgsecret"))

        let aws = try resolved(s3, ["AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_SESSION_TOKEN": "tok"])
            .s3Credentials(prefix: "repo")
        #expect(aws == S3Credentials(accessKey: "ENVKEY", secretKey: "envsecret", sessionToken: "tok"))

        let ours = try resolved(s3, keys.merging(["AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "envsecret"]) { $1 })
            .s3Credentials(prefix: "repo")
        #expect(ours.accessKey == "AKID")

        let half = #expect(throws: LifeboatError.self) {
            try resolved(s3, ["LIFEBOAT_REPO_S3_KEY": "AKID"]).s3Credentials(prefix: "repo")
        }
        #expect(half?.message == "repo-s3-key and repo-s3-key-secret must be set together")

        let none = #expect(throws: LifeboatError.self) {
            try resolved(s3, ["HOME": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"]).s3Credentials(prefix: "repo")
        }
        #expect(none?.message == "no S3 credentials for repo")
    }

    @Test("the shared credentials file picks the profile")
    func sharedCredentialsFile() {
        let text = """
            [default]
            aws_access_key_id = DEFAULTKEY
            aws_secret_access_key = defaultsecret

            # a comment
            [backup]
            aws_access_key_id=BACKUPKEY
            aws_secret_access_key= backupsecret
            aws_session_token = t0k
            """
        #expect(AWSSharedCredentials.parse(text, profile: "default") == S3Credentials(accessKey: "DEFAULTKEY", secretKey: "defaultsecret"))
        #expect(AWSSharedCredentials.parse(text, profile: "backup") == S3Credentials(accessKey: "BACKUPKEY", secretKey: "backupsecret", sessionToken: "t0k"))
        #expect(AWSSharedCredentials.parse(text, profile: "other") == nil)
    }

    @Test("the restore command repeats every non-secret S3 option and never a secret")
    func restoreOptions() throws {
        var given = s3
        given["repo-s3-verify-tls"] = "n"
        let choice = try resolved(given, keys).repository(prefix: "repo")
        #expect(choice.restoreOptions == [
            "--repo-type", "s3", "--repo-s3-endpoint", "http://127.0.0.1:7480", "--repo-s3-bucket", "backups",
            "--repo-s3-region", "us-east-1", "--repo-s3-uri-style", "path", "--repo-s3-verify-tls", "n", "--repo-path", "/pg/main",
        ])
        #expect(!choice.restoreOptions.contains("sekrit") && !choice.restoreOptions.contains("AKID"))
        #expect(choice.storage.displayName == "s3://backups/pg/main")
    }

    @Test("posix stays the default, and the prefix names the options (repo1-…, repo2-…)")
    func prefixes() throws {
        let posix = try resolved(["repo-path": "/var/lib/lifeboat"]).repository(prefix: "repo")
        #expect(posix.storage.location == "/var/lib/lifeboat")
        #expect(posix.restoreOptions == ["--repo-path", "/var/lib/lifeboat"])
        let second = try resolved(["repo2-type": "s3", "repo2-s3-bucket": "b2", "repo2-s3-endpoint": "http://10.0.0.2:80"],
                                  ["LIFEBOAT_REPO2_S3_KEY": "K2", "LIFEBOAT_REPO2_S3_KEY_SECRET": "S2"]).s3Settings(prefix: "repo2")
        #expect(second.endpoint.bucket == "b2" && second.credentials.accessKey == "K2" && second.prefix == "")
        #expect(throws: LifeboatError(.invalidArgument, "no repository given",
                                      hint: "add --repo-path PATH (or LIFEBOAT_REPO_PATH, or repo-path in the config file)")) {
            try resolved([:]).repository(prefix: "repo")
        }
    }
}
