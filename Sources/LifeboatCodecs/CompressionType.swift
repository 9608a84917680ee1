/// The compression formats a repository object can be stored in; the raw value is what configs and manifests record.
public enum CompressionType: String, Sendable, Codable, CaseIterable {
    case zstd, lz4, gzip, none

    /// The suffix appended to a stored file's name, without the dot; empty for `none` (the name stays as is).
    public var fileExtension: String {
        switch self {
        case .zstd: "zst"
        case .lz4: "lz4"
        case .gzip: "gz"
        case .none: ""
        }
    }

    /// The level used when the operator does not choose one: each library's own default trade-off.
    public var defaultLevel: Int {
        switch self {
        case .zstd: 3
        case .lz4: 1
        case .gzip: 6
        case .none: 0
        }
    }

    /// Levels accepted by `Codecs.compressor`. zstd stops at 19 because 20...22 ("ultra") need large windows that
    /// decompressors may refuse; lz4 levels 3...12 switch to the HC compressor.
    public var levelRange: ClosedRange<Int> {
        switch self {
        case .zstd: 1...19
        case .lz4: 1...12
        case .gzip: 1...9
        case .none: 0...0
        }
    }

    /// The type whose `fileExtension` is exactly `fileExtension` ("zst", "lz4", "gz"; "" is `none`).
    public init?(fileExtension: String) {
        guard let match = Self.allCases.first(where: { $0.fileExtension == fileExtension }) else { return nil }
        self = match
    }
}
