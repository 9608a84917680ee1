/// Everything needed to reach one S3 repository, as the CLI resolves it.
public struct S3Settings: Sendable, Equatable {
    public var endpoint: S3Endpoint
    public var region: String
    /// Key prefix inside the bucket ("" for the bucket root), without leading or trailing "/".
    public var prefix: String
    public var verifyTLS: Bool
    public var caFile: String?
    public var credentials: S3Credentials
    public var retry: RetryPolicy
    /// Bytes per multipart part (S3 needs at least 5 MiB for every part but the last).
    public var partSize: Int
    /// Parts of one upload in flight at once; memory per writer is about (this + 1) × partSize.
    public var uploadConcurrency: Int

    public init(
        endpoint: S3Endpoint, region: String, prefix: String, verifyTLS: Bool = true, caFile: String? = nil,
        credentials: S3Credentials, retry: RetryPolicy = RetryPolicy(), partSize: Int = 8 << 20,
        uploadConcurrency: Int = 4
    ) {
        self.endpoint = endpoint
        self.region = region
        self.prefix = Self.normalisedPrefix(prefix)
        self.verifyTLS = verifyTLS
        self.caFile = caFile
        self.credentials = credentials
        self.retry = retry
        self.partSize = max(5 << 20, partSize)
        self.uploadConcurrency = max(1, uploadConcurrency)
    }

    /// "/a/b/" → "a/b": repo-path is written like a directory but S3 keys have no leading "/".
    public static func normalisedPrefix(_ text: String) -> String {
        text.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
    }
}
