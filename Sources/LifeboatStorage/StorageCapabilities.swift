/// What a storage backend can promise, as data: callers test these bits, never the concrete type.
public struct StorageCapabilities: OptionSet, Sendable {
    public let rawValue: Int

    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    /// `commit()` with `noReplace: true` is atomic: of two racing writers exactly one wins and the
    /// other gets `.alreadyExists`. Without it a caller must tolerate a window between check and publish.
    public static let atomicNoReplace = StorageCapabilities(rawValue: 1 << 0)
    /// `syncAll()` does real work, so non-durable commits followed by one `syncAll()` are worth it.
    /// Backends without it make every commit durable on their own (object stores acknowledge durably).
    public static let syncAll = StorageCapabilities(rawValue: 1 << 1)
    /// Reserved for a later backend that can store symbolic links; no driver sets it yet.
    public static let symlinks = StorageCapabilities(rawValue: 1 << 2)
}
