/// A directory to recreate on restore (paths relative to the data directory; the data directory itself is not listed).
public struct ManifestDirectory: Codable, Sendable, Equatable {
    public var path: String
    public var mode: UInt32

    public init(path: String, mode: UInt32) {
        self.path = path
        self.mode = mode
    }
}
