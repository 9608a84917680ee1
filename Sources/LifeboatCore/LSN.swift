/// A PostgreSQL log sequence number: a byte position in the write-ahead log.
///
/// PostgreSQL prints it as two 32-bit hex halves, "16/B374D848" (`LSN_FORMAT_ARGS`). The same text
/// is used in JSON so manifests stay readable next to `pg_controldata` output.
public struct LSN: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible,
    LosslessStringConvertible
{
    public var rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// Parses "HI/LO": each half 1-8 hex digits, either case, nothing else (no spaces, signs or "0x").
    public init?(_ text: String) {
        let halves = text.utf8.split(separator: UInt8(ascii: "/"), maxSplits: 1, omittingEmptySubsequences: false)
        guard halves.count == 2, halves[0].count <= 8, halves[1].count <= 8,
            let high = Hex.parse(halves[0], upperOnly: false),
            let low = Hex.parse(halves[1], upperOnly: false)
        else { return nil }
        self.rawValue = high << 32 | low
    }

    /// "%X/%X": upper case, no zero padding — byte for byte what PostgreSQL prints.
    public var description: String {
        "\(Hex.upper(rawValue >> 32))/\(Hex.upper(rawValue & 0xFFFF_FFFF))"
    }

    public static let zero = LSN(rawValue: 0)

    public static func < (lhs: LSN, rhs: LSN) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// Advances by a byte count; overflow traps like integer arithmetic (an LSN never gets near 2^64).
    public static func + (lhs: LSN, rhs: UInt64) -> LSN {
        LSN(rawValue: lhs.rawValue + rhs)
    }

    /// Bytes of WAL between two positions.
    public static func - (lhs: LSN, rhs: LSN) -> UInt64 {
        precondition(lhs >= rhs, "LSN subtraction would be negative: \(lhs) - \(rhs)")
        return lhs.rawValue - rhs.rawValue
    }

    // Codable as the string form (overrides RawRepresentable's default, which would write the integer).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let lsn = LSN(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "invalid LSN '\(text)': expected two hex numbers like '0/2000028'")
        }
        self = lsn
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
