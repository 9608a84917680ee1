#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import LifeboatCore
import LifeboatS3
import LifeboatStorage

/// The repository flags for S3. Credentials are deliberately absent as flags that work: a secret on a
/// command line is visible to every user through `ps` and lands in shell history. The hidden ones exist
/// only to refuse them with an error that does not repeat the value.
struct S3RepositoryFlags: ParsableArguments {
    @Option(name: .customLong("repo-s3-endpoint"), help: ArgumentHelp("S3 endpoint, e.g. https://s3.eu-west-3.amazonaws.com or http://127.0.0.1:7480.", valueName: "url"))
    var repoS3Endpoint: String?

    @Option(name: .customLong("repo-s3-bucket"), help: ArgumentHelp("S3 bucket (must exist); --repo-path is the key prefix inside it.", valueName: "name"))
    var repoS3Bucket: String?

    @Option(name: .customLong("repo-s3-region"), help: ArgumentHelp("S3 region (default: AWS_REGION, else us-east-1).", valueName: "region"))
    var repoS3Region: String?

    @Option(name: .customLong("repo-s3-uri-style"), help: ArgumentHelp("path | host (default: path for an IP address or localhost, else host).", valueName: "style"))
    var repoS3UriStyle: String?

    @Option(name: .customLong("repo-s3-verify-tls"), help: ArgumentHelp("y | n: verify the server's TLS certificate (default y).", valueName: "y|n"))
    var repoS3VerifyTls: String?

    @Option(name: .customLong("repo-s3-ca-file"), help: ArgumentHelp("PEM file of CA certificates to trust for the S3 endpoint.", valueName: "path"))
    var repoS3CaFile: String?

    @Option(name: .customLong("repo-s3-key"), help: .hidden)
    var repoS3Key: String?

    @Option(name: .customLong("repo-s3-key-secret"), help: .hidden)
    var repoS3KeySecret: String?

    @Option(name: .customLong("repo-s3-token"), help: .hidden)
    var repoS3Token: String?

    var given: [String: String] {
        var values: [String: String] = [:]
        values["repo-s3-endpoint"] = repoS3Endpoint
        values["repo-s3-bucket"] = repoS3Bucket
        values["repo-s3-region"] = repoS3Region
        values["repo-s3-uri-style"] = repoS3UriStyle
        values["repo-s3-verify-tls"] = repoS3VerifyTls
        values["repo-s3-ca-file"] = repoS3CaFile
        values["repo-s3-key"] = repoS3Key
        values["repo-s3-key-secret"] = repoS3KeySecret
        values["repo-s3-token"] = repoS3Token
        return values
    }
}

enum RepositoryType: String, CaseIterable {
    case posix, s3
}

/// One repository resolved from the options that share a prefix ("repo"; "repo1", "repo2"… for
/// several repositories): its storage, and the flags a restored cluster's restore_command must repeat
/// to reach it (never a secret).
struct RepositoryChoice {
    var storage: any RepositoryStorage
    var restoreOptions: [String]
}

/// `--repo<N>-s3-endpoint|bucket|region|uri-style|verify-tls|ca-file` for N = 1…4, hidden from --help to
/// keep it readable (the config file and LIFEBOAT_REPO<N>_S3_… reach any N up to 16). No secret among
/// them: keys come from the environment or the config file only (see SecretArguments).
struct IndexedS3Flags: ParsableArguments {
    @Option(name: .customLong("repo1-s3-endpoint"), help: .hidden) var repo1Endpoint: String?
    @Option(name: .customLong("repo2-s3-endpoint"), help: .hidden) var repo2Endpoint: String?
    @Option(name: .customLong("repo3-s3-endpoint"), help: .hidden) var repo3Endpoint: String?
    @Option(name: .customLong("repo4-s3-endpoint"), help: .hidden) var repo4Endpoint: String?
    @Option(name: .customLong("repo1-s3-bucket"), help: .hidden) var repo1Bucket: String?
    @Option(name: .customLong("repo2-s3-bucket"), help: .hidden) var repo2Bucket: String?
    @Option(name: .customLong("repo3-s3-bucket"), help: .hidden) var repo3Bucket: String?
    @Option(name: .customLong("repo4-s3-bucket"), help: .hidden) var repo4Bucket: String?
    @Option(name: .customLong("repo1-s3-region"), help: .hidden) var repo1Region: String?
    @Option(name: .customLong("repo2-s3-region"), help: .hidden) var repo2Region: String?
    @Option(name: .customLong("repo3-s3-region"), help: .hidden) var repo3Region: String?
    @Option(name: .customLong("repo4-s3-region"), help: .hidden) var repo4Region: String?
    @Option(name: .customLong("repo1-s3-uri-style"), help: .hidden) var repo1UriStyle: String?
    @Option(name: .customLong("repo2-s3-uri-style"), help: .hidden) var repo2UriStyle: String?
    @Option(name: .customLong("repo3-s3-uri-style"), help: .hidden) var repo3UriStyle: String?
    @Option(name: .customLong("repo4-s3-uri-style"), help: .hidden) var repo4UriStyle: String?
    @Option(name: .customLong("repo1-s3-verify-tls"), help: .hidden) var repo1VerifyTls: String?
    @Option(name: .customLong("repo2-s3-verify-tls"), help: .hidden) var repo2VerifyTls: String?
    @Option(name: .customLong("repo3-s3-verify-tls"), help: .hidden) var repo3VerifyTls: String?
    @Option(name: .customLong("repo4-s3-verify-tls"), help: .hidden) var repo4VerifyTls: String?
    @Option(name: .customLong("repo1-s3-ca-file"), help: .hidden) var repo1CaFile: String?
    @Option(name: .customLong("repo2-s3-ca-file"), help: .hidden) var repo2CaFile: String?
    @Option(name: .customLong("repo3-s3-ca-file"), help: .hidden) var repo3CaFile: String?
    @Option(name: .customLong("repo4-s3-ca-file"), help: .hidden) var repo4CaFile: String?

    var given: [String: String] {
        var values: [String: String] = [:]
        let columns: [(String, [String?])] = [
            ("s3-endpoint", [repo1Endpoint, repo2Endpoint, repo3Endpoint, repo4Endpoint]),
            ("s3-bucket", [repo1Bucket, repo2Bucket, repo3Bucket, repo4Bucket]),
            ("s3-region", [repo1Region, repo2Region, repo3Region, repo4Region]),
            ("s3-uri-style", [repo1UriStyle, repo2UriStyle, repo3UriStyle, repo4UriStyle]),
            ("s3-verify-tls", [repo1VerifyTls, repo2VerifyTls, repo3VerifyTls, repo4VerifyTls]),
            ("s3-ca-file", [repo1CaFile, repo2CaFile, repo3CaFile, repo4CaFile]),
        ]
        for (name, perIndex) in columns {
            for (position, value) in perIndex.enumerated() { values["repo\(position + 1)-\(name)"] = value }
        }
        return values
    }
}

extension ResolvedOptions {
    static let secretOptionSuffixes = ["s3-key", "s3-key-secret", "s3-token"]

    /// The repository named by the `<prefix>-…` options.
    func repository(prefix: String) throws(LifeboatError) -> RepositoryChoice {
        try refuseSecretFlags(prefix: prefix)
        let type = try choice("\(prefix)-type", default: RepositoryType.posix)
        switch type {
        case .posix:
            guard let path = string("\(prefix)-path"), !path.isEmpty else {
                throw LifeboatError(
                    .invalidArgument, "no repository given",
                    hint: "add --\(prefix)-path PATH (or \(Self.environmentName("\(prefix)-path")), or \(prefix)-path in the config file)")
            }
            let root = absolutePath(path)
            return RepositoryChoice(storage: PosixStorage(root: root), restoreOptions: ["--\(prefix)-path", root])
        case .s3:
            let settings = try s3Settings(prefix: prefix)
            return RepositoryChoice(
                storage: try S3Storage(settings: settings),
                restoreOptions: s3RestoreOptions(settings, prefixes: [prefix], flagPrefix: prefix))
        }
    }

    /// The flags that reach the S3 repository `settings` describes, named `--<flagPrefix>-…` (never a
    /// secret). The endpoint is repeated only when it was given (else it follows from the region).
    func s3RestoreOptions(_ settings: S3Settings, prefixes: [String], flagPrefix: String) -> [String] {
        let names = RepositoryKeyNames(prefixes: prefixes)
        var restore = ["--\(flagPrefix)-type", "s3"]
        if let endpoint = names.lookup("s3-endpoint", in: self)?.value { restore += ["--\(flagPrefix)-s3-endpoint", endpoint] }
        restore += ["--\(flagPrefix)-s3-bucket", settings.endpoint.bucket, "--\(flagPrefix)-s3-region", settings.region,
                    "--\(flagPrefix)-s3-uri-style", settings.endpoint.uriStyle.rawValue]
        if !settings.verifyTLS { restore += ["--\(flagPrefix)-s3-verify-tls", "n"] }
        if let ca = settings.caFile { restore += ["--\(flagPrefix)-s3-ca-file", ca] }
        if !settings.prefix.isEmpty { restore += ["--\(flagPrefix)-path", "/" + settings.prefix] }
        return restore
    }

    /// A secret given as a flag is refused before anything else happens, without echoing it.
    func refuseSecretFlags(prefix: String) throws(LifeboatError) {
        for suffix in Self.secretOptionSuffixes where given["\(prefix)-\(suffix)"] != nil {
            let name = "\(prefix)-\(suffix)"
            throw LifeboatError(
                .invalidArgument, "\(name) must not be given on the command line (it would be visible to other users)",
                hint: "set \(Self.environmentName(name)) or put \(name) in the config file (mode 0600)")
        }
    }

    /// S3 settings from `<prefix>-s3-…` options, the standard AWS variables and the shared credentials file.
    func s3Settings(prefix: String) throws(LifeboatError) -> S3Settings {
        try s3Settings(prefixes: [prefix])
    }

    /// S3 settings where each option is looked up under each prefix in turn, key by key (repository 1:
    /// `repo1-s3-bucket`, then `repo-s3-bucket`; likewise for every other key and each credential).
    func s3Settings(prefixes: [String]) throws(LifeboatError) -> S3Settings {
        for prefix in prefixes { try refuseSecretFlags(prefix: prefix) }
        let names = RepositoryKeyNames(prefixes: prefixes)
        func option(_ key: String) -> (name: String, value: String)? { names.lookup(key, in: self) }
        guard let bucket = option("s3-bucket")?.value else {
            let name = names.display("s3-bucket")
            throw LifeboatError(
                .invalidArgument, "no \(name) given",
                hint: "add --\(name) NAME (or \(Self.environmentName(name)), or \(name) in the config file) for \(names.display("type")) = s3\(names.alsoNote("s3-bucket"))")
        }
        let region = option("s3-region")?.value ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1"
        let endpointOption = option("s3-endpoint")
        let endpointText = endpointOption?.value ?? "https://s3.\(region).amazonaws.com"
        let style: S3Endpoint.URIStyle
        if let (name, text) = option("s3-uri-style") {
            guard let value = S3Endpoint.URIStyle(rawValue: text) else {
                throw LifeboatError(.invalidArgument, "invalid \(name) '\(text)': expected path or host")
            }
            style = value
        } else {
            style = Self.looksLikeAddress(endpointText) ? .path : .host
        }
        guard let endpoint = S3Endpoint(endpoint: endpointText, bucket: bucket, uriStyle: style) else {
            throw LifeboatError(
                .invalidArgument, "invalid \(endpointOption?.name ?? names.display("s3-endpoint")) '\(endpointText)': expected http(s)://host[:port]")
        }
        var verifyTLS = true
        if let (name, raw) = option("s3-verify-tls") {
            switch raw.lowercased() {
            case "y", "yes", "true", "on", "1": verifyTLS = true
            case "n", "no", "false", "off", "0": verifyTLS = false
            default: throw LifeboatError(.invalidArgument, "invalid \(name) '\(raw.lowercased())': expected y or n")
            }
        }
        var caFile: String?
        if let (name, path) = option("s3-ca-file") {
            caFile = absolutePath(path)
            guard access(caFile!, R_OK) == 0 else {
                throw LifeboatError(.invalidArgument, "\(name) '\(path)' cannot be read")
            }
        }
        return S3Settings(
            endpoint: endpoint, region: region, prefix: option("path")?.value ?? "", verifyTLS: verifyTLS, caFile: caFile,
            credentials: try s3Credentials(prefixes: prefixes))
    }

    func s3Credentials(prefix: String) throws(LifeboatError) -> S3Credentials {
        try s3Credentials(prefixes: [prefix])
    }

    /// Lifeboat's own options first (environment or config file; each key under each prefix in turn), then
    /// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, then the shared credentials file (AWS_PROFILE).
    func s3Credentials(prefixes: [String]) throws(LifeboatError) -> S3Credentials {
        let names = RepositoryKeyNames(prefixes: prefixes)
        func secret(_ suffix: String) -> String? {
            for prefix in prefixes {
                let name = "\(prefix)-\(suffix)"
                if let value = environment[Self.environmentName(name)] ?? config.value(name, stanza: stanza), !value.isEmpty {
                    return value
                }
            }
            return nil
        }
        let key = secret("s3-key"), keySecret = secret("s3-key-secret")
        let keyName = names.display("s3-key"), secretName = names.display("s3-key-secret")
        if key != nil || keySecret != nil {
            guard let key, let keySecret else {
                throw LifeboatError(
                    .invalidArgument, "\(keyName) and \(secretName) must be set together",
                    hint: "set both \(Self.environmentName(keyName)) and \(Self.environmentName(secretName)), or both in the config file\(names.alsoNote("s3-key"))")
            }
            return S3Credentials(accessKey: key, secretKey: keySecret, sessionToken: secret("s3-token"))
        }
        if let key = environment["AWS_ACCESS_KEY_ID"], let keySecret = environment["AWS_SECRET_ACCESS_KEY"], !key.isEmpty {
            return S3Credentials(accessKey: key, secretKey: keySecret, sessionToken: environment["AWS_SESSION_TOKEN"])
        }
        let profile = environment["AWS_PROFILE"] ?? "default"
        let file = environment["AWS_SHARED_CREDENTIALS_FILE"] ?? ((environment["HOME"] ?? "/root") + "/.aws/credentials")
        if let text = Self.readSmallFile(file), let credentials = AWSSharedCredentials.parse(text, profile: profile) {
            return credentials
        }
        throw LifeboatError(
            .invalidArgument, "no S3 credentials for \(prefixes.last ?? "repo")",
            hint: "set \(Self.environmentName(keyName)) and \(Self.environmentName(secretName)) (or \(keyName) / \(secretName) in the config file, or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or ~/.aws/credentials)")
    }

    static func looksLikeAddress(_ endpoint: String) -> Bool {
        var host = Substring(endpoint)
        if let scheme = host.range(of: "://") { host = host[scheme.upperBound...] }
        if let colon = host.lastIndex(of: ":") { host = host[..<colon] }
        return host == "localhost" || host.hasPrefix("[") || host.split(separator: ".").count == 4 && host.allSatisfy { $0.isNumber || $0 == "." }
    }

    static func readSmallFile(_ path: String) -> String? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let count = fread(&chunk, 1, chunk.count, file)
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The names one repository's options go by: each key is looked up under each prefix in turn
/// (repository 1: `repo1-<key>`, then `repo-<key>`), from flag, environment and config file.
struct RepositoryKeyNames {
    let prefixes: [String]

    func lookup(_ key: String, in options: ResolvedOptions) -> (name: String, value: String)? {
        for prefix in prefixes {
            let name = "\(prefix)-\(key)"
            if let value = options.string(name), !value.isEmpty { return (name, value) }
        }
        return nil
    }

    /// The name messages use for a key that is missing: the documented one, `repo-…` for repository 1.
    func display(_ key: String) -> String { "\(prefixes.last ?? "repo")-\(key)" }

    /// ", or repo1-<key>" when repository 1's indexed name also counts.
    func alsoNote(_ key: String) -> String {
        prefixes.count > 1 ? " (\(prefixes.dropLast().map { "\($0)-\(key)" }.joined(separator: ", ")) works too)" : ""
    }
}

/// The AWS shared credentials file: INI sections named by profile with aws_access_key_id,
/// aws_secret_access_key and optionally aws_session_token.
enum AWSSharedCredentials {
    static func parse(_ text: String, profile: String) -> S3Credentials? {
        var section = ""
        var values: [String: String] = [:]
        for rawLine in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let line = rawLine.trimmedOf(" \t")
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast()).trimmedOf(" \t")
                continue
            }
            guard section == profile, let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals]).trimmedOf(" \t").lowercased()] =
                String(line[line.index(after: equals)...]).trimmedOf(" \t")
        }
        guard let key = values["aws_access_key_id"], let secret = values["aws_secret_access_key"], !key.isEmpty else { return nil }
        return S3Credentials(accessKey: key, secretKey: secret, sessionToken: values["aws_session_token"])
    }
}

extension StringProtocol {
    func trimmedOf(_ set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars = scalars.dropFirst() }
        while let last = scalars.last, set.contains(last) { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
