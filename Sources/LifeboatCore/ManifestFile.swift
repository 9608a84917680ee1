/// One regular file of a backup.
public struct ManifestFile: Codable, Sendable, Equatable {
    /// Relative to the data directory, "/"-separated; tablespace files as "pg_tblspc/<oid>/...".
    public var path: String
    public var size: UInt64
    /// Seconds since the epoch.
    public var mtime: Int64
    /// Permission bits.
    public var mode: UInt32
    /// Lower-case hex SHA-256 of the original (uncompressed, unencrypted) content.
    public var sha256: String
    /// Bytes in the repository after compression.
    public var storedSize: UInt64
    /// Lower-case hex SHA-256 of the bytes as stored (after compression): lets `verify` check every
    /// stored object without decompressing it or rebuilding an incremental chain. Nil when referenced.
    public var storedSha256: String?
    /// Label of the backup that stores the bytes; nil means this backup.
    public var reference: String?

    public init(
        path: String, size: UInt64, mtime: Int64, mode: UInt32, sha256: String, storedSize: UInt64,
        storedSha256: String? = nil, reference: String? = nil
    ) {
        self.path = path
        self.size = size
        self.mtime = mtime
        self.mode = mode
        self.sha256 = sha256
        self.storedSize = storedSize
        self.storedSha256 = storedSha256
        self.reference = reference
    }
}
