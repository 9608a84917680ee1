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
            var restore = ["--\(prefix)-type", "s3"]
            if let endpoint = string("\(prefix)-s3-endpoint") { restore += ["--\(prefix)-s3-endpoint", endpoint] }
            restore += ["--\(prefix)-s3-bucket", settings.endpoint.bucket, "--\(prefix)-s3-region", settings.region,
                        "--\(prefix)-s3-uri-style", settings.endpoint.uriStyle.rawValue]
            if !settings.verifyTLS { restore += ["--\(prefix)-s3-verify-tls", "n"] }
            if let ca = settings.caFile { restore += ["--\(prefix)-s3-ca-file", ca] }
            if !settings.prefix.isEmpty { restore += ["--\(prefix)-path", "/" + settings.prefix] }
            return RepositoryChoice(storage: try S3Storage(settings: settings), restoreOptions: restore)
        }
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
        try refuseSecretFlags(prefix: prefix)
        func option(_ name: String) -> String? {
            guard let value = string("\(prefix)-\(name)"), !value.isEmpty else { return nil }
            return value
        }
        guard let bucket = option("s3-bucket") else {
            throw LifeboatError(.invalidArgument, "no \(prefix)-s3-bucket given", hint: "add --\(prefix)-s3-bucket NAME for \(prefix)-type=s3")
        }
        let region = option("s3-region") ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1"
        let endpointText = option("s3-endpoint") ?? "https://s3.\(region).amazonaws.com"
        let style: S3Endpoint.URIStyle
        if let text = option("s3-uri-style") {
            guard let value = S3Endpoint.URIStyle(rawValue: text) else {
                throw LifeboatError(.invalidArgument, "invalid \(prefix)-s3-uri-style '\(text)': expected path or host")
            }
            style = value
        } else {
            style = Self.looksLikeAddress(endpointText) ? .path : .host
        }
        guard let endpoint = S3Endpoint(endpoint: endpointText, bucket: bucket, uriStyle: style) else {
            throw LifeboatError(
                .invalidArgument, "invalid \(prefix)-s3-endpoint '\(endpointText)': expected http(s)://host[:port]")
        }
        var verifyTLS = true
        if let text = option("s3-verify-tls")?.lowercased() {
            switch text {
            case "y", "yes", "true", "on", "1": verifyTLS = true
            case "n", "no", "false", "off", "0": verifyTLS = false
            default: throw LifeboatError(.invalidArgument, "invalid \(prefix)-s3-verify-tls '\(text)': expected y or n")
            }
        }
        var caFile: String?
        if let path = option("s3-ca-file") {
            caFile = absolutePath(path)
            guard access(caFile!, R_OK) == 0 else {
                throw LifeboatError(.invalidArgument, "\(prefix)-s3-ca-file '\(path)' cannot be read")
            }
        }
        return S3Settings(
            endpoint: endpoint, region: region, prefix: option("path") ?? "", verifyTLS: verifyTLS, caFile: caFile,
            credentials: try s3Credentials(prefix: prefix))
    }

    /// Lifeboat's own options first (environment or config file), then AWS_ACCESS_KEY_ID /
    /// AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, then the shared credentials file (AWS_PROFILE).
    func s3Credentials(prefix: String) throws(LifeboatError) -> S3Credentials {
        func secret(_ suffix: String) -> String? {
            let name = "\(prefix)-\(suffix)"
            let value = environment[Self.environmentName(name)] ?? config.value(name, stanza: stanza)
            return value?.isEmpty == false ? value : nil
        }
        let key = secret("s3-key"), keySecret = secret("s3-key-secret")
        if key != nil || keySecret != nil {
            guard let key, let keySecret else {
                throw LifeboatError(
                    .invalidArgument, "\(prefix)-s3-key and \(prefix)-s3-key-secret must be set together",
                    hint: "set both \(Self.environmentName("\(prefix)-s3-key")) and \(Self.environmentName("\(prefix)-s3-key-secret")), or both in the config file")
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
            .invalidArgument, "no S3 credentials for \(prefix)",
            hint: "set \(Self.environmentName("\(prefix)-s3-key")) and \(Self.environmentName("\(prefix)-s3-key-secret")) (or \(prefix)-s3-key / \(prefix)-s3-key-secret in the config file, or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or ~/.aws/credentials)")
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
