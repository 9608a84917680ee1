/// The cluster's WAL segment size (`initdb --wal-segsize`, shown by `SHOW wal_segment_size`).
///
/// PostgreSQL allows powers of two from 1 MiB to 1 GiB; every file-name and LSN computation
/// depends on it, so an invalid value cannot be constructed.
public struct WALSegmentSize: Hashable, Sendable, Codable {
    public let bytes: UInt64

    public init?(bytes: UInt64) {
        guard bytes >= 1 << 20, bytes <= 1 << 30, bytes & (bytes - 1) == 0 else { return nil }
        self.bytes = bytes
    }

    private init(validated bytes: UInt64) {
        self.bytes = bytes
    }

    public static let default16MiB = WALSegmentSize(validated: 16 << 20)

    /// Segments per 4 GiB "logical log file": the unit of the middle 8 hex digits of a segment name.
    public var segmentsPerLogicalFile: UInt64 {
        0x1_0000_0000 / bytes
    }

    // Codable as the plain byte count, validated on the way in.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let bytes = try container.decode(UInt64.self)
        guard let size = WALSegmentSize(bytes: bytes) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "invalid WAL segment size \(bytes): expected a power of two from 1 MiB to 1 GiB")
        }
        self = size
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(bytes)
    }
}
