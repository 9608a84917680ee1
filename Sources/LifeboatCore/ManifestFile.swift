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
    /// Present when the stored object holds only the pages that changed (a `PageObject`): the file is
    /// rebuilt by laying `base` down oldest first, then this object's pages, then cutting it to `size`.
    public var blockIncremental: BlockIncremental?
    /// SHA-256 of the page map stored next to the data object (`<object>.pagemap`, 8 bytes per page):
    /// what the next diff/incr compares pages against. Nil for files kept whole (not relation files,
    /// or too small to be worth it).
    public var pageMapSha256: String?
    /// Blocks whose data checksum failed (after a re-read) when the backup copied them.
    public var checksumPageErrors: [UInt32]?

    public init(
        path: String, size: UInt64, mtime: Int64, mode: UInt32, sha256: String, storedSize: UInt64,
        storedSha256: String? = nil, reference: String? = nil, blockIncremental: BlockIncremental? = nil,
        pageMapSha256: String? = nil, checksumPageErrors: [UInt32]? = nil
    ) {
        self.path = path
        self.size = size
        self.mtime = mtime
        self.mode = mode
        self.sha256 = sha256
        self.storedSize = storedSize
        self.storedSha256 = storedSha256
        self.reference = reference
        self.blockIncremental = blockIncremental
        self.pageMapSha256 = pageMapSha256
        self.checksumPageErrors = checksumPageErrors
    }

    /// The backup whose directory holds this entry's data object, given the manifest's own label.
    public func storageLabel(in manifestLabel: String) -> String { reference ?? manifestLabel }

    /// Every backup this entry needs besides `manifestLabel`, oldest layer first.
    public func dependencies(in manifestLabel: String) -> [String] {
        var labels = (blockIncremental?.base ?? []).map(\.label)
        if let reference { labels.append(reference) }
        return labels.filter { $0 != manifestLabel }
    }
}
