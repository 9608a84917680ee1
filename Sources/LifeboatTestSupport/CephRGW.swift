import Foundation
import LifeboatCore
import LifeboatPostgres

/// A real Ceph RADOS Gateway on 127.0.0.1 for the S3 tests: it checks SigV4 signatures and body
/// hashes strictly, supports multipart uploads and `If-None-Match: *`.
///
/// Started once per test process by `scripts/ceph-rgw.sh` (the recipe is documented there: mon +
/// memstore OSD + radosgw, auth none, `ms mon client mode = crc`), on free ports in a temp dir; a
/// watchdog stops it when the test process ends. A cold start takes 10–40 s, so every test shares it
/// and isolates itself with its own key prefix (`uniquePrefix`).
public struct CephRGW: Sendable {
    public let endpoint: String
    public let accessKey: String
    public let secretKey: String
    public let bucket: String
    public let region = "us-east-1"
    /// The same gateway over TLS, with a self-signed certificate for 127.0.0.1 (`tlsCAFile`).
    public let tlsEndpoint: String
    public let tlsCAFile: String
    /// The cluster's ceph.conf, for radosgw-admin.
    public let configFile: String

    private static let starter = SharedStart()

    /// The process's cluster, started on first use. Throws (naming the log directory) if it cannot start.
    public static func shared() async throws -> CephRGW {
        try await starter.get()
    }

    /// Whether the Debian packages are installed; tests that need Ceph are skipped without them.
    public static var isInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/radosgw")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/ceph-mon")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/ceph-osd")
    }

    /// A key prefix no other test uses.
    public static func uniquePrefix(_ label: String) -> String {
        "t-\(label)-\(UInt64.random(in: 0...UInt64.max) >> 16)"
    }

    /// Environment for the AWS CLI (an independent client) pointed at this gateway.
    public var awsEnvironment: [String: String] {
        ["AWS_ACCESS_KEY_ID": accessKey, "AWS_SECRET_ACCESS_KEY": secretKey, "AWS_DEFAULT_REGION": region,
         "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"]
    }

    /// Runs `aws --endpoint-url <endpoint> <arguments>` and returns its result.
    public func aws(_ arguments: [String]) async throws(LifeboatError) -> ProcessResult {
        let candidates = ["/root/.pyenv/shims/aws", "/usr/local/bin/aws", "/usr/bin/aws"]
        guard let aws = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw LifeboatError(.internal, "the AWS CLI is not installed")
        }
        return try await ProcessRunner.run(aws, ["--endpoint-url", endpoint] + arguments, environment: awsEnvironment)
    }

    static var scriptPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/ceph-rgw.sh").path
    }

    private actor SharedStart {
        private var task: Task<CephRGW, any Error>?

        func get() async throws -> CephRGW {
            if task == nil { task = Task { try await CephRGW.start() } }
            return try await task!.value
        }
    }

    private static func start() async throws -> CephRGW {
        let directory = NSTemporaryDirectory() + "lifeboat-ceph-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let result = try await ProcessRunner.run("/bin/bash", [scriptPath, "start", directory, String(getpid())])
        guard result.succeeded else {
            throw LifeboatError(.internal, "unable to start Ceph RGW (logs in \(directory)/log): \(result.stderr)")
        }
        var values: [String: String] = [:]
        for line in result.stdout.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        guard let endpoint = values["ENDPOINT"], let access = values["ACCESS_KEY"], let secret = values["SECRET_KEY"],
              let bucket = values["BUCKET"], let conf = values["CONF"], let tls = values["TLS_ENDPOINT"],
              let ca = values["TLS_CA_FILE"] else {
            throw LifeboatError(.internal, "unexpected output from ceph-rgw.sh: \(result.stdout)")
        }
        return CephRGW(
            endpoint: endpoint, accessKey: access, secretKey: secret, bucket: bucket, tlsEndpoint: tls, tlsCAFile: ca,
            configFile: conf)
    }
}
