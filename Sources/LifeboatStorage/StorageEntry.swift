import struct Foundation.Date

/// One object as `info` and `list` report it.
public struct StorageEntry: Sendable, Equatable {
    /// Base name within the listed directory (for `info`, the last component of the path).
    public let name: String
    public let kind: StorageEntryKind
    /// Bytes for a file; always 0 for a directory, because directory sizes mean nothing portable
    /// (4096 on ext4, absent on object stores).
    public let size: UInt64
    /// Last modification time. Object stores have none for directories, so callers must not rely on it
    /// for directories.
    public let modified: Date

    public init(name: String, kind: StorageEntryKind, size: UInt64, modified: Date) {
        self.name = name
        self.kind = kind
        self.size = size
        self.modified = modified
    }
}
