/// What kind of file PostgreSQL passes to archive_command / restore_command.
public enum WALFileKind: String, Sendable, Codable {
    case segment        // 000000010000000000000001
    case partial        // 000000010000000000000001.partial (end of a timeline at promotion)
    case history        // 00000002.history
    case backupHistory  // 000000010000000000000002.00000028.backup
}

/// A validated archive file name.
///
/// The name becomes a repository key and a local path, so only the exact shapes PostgreSQL
/// produces are accepted: no paths, no "..", no lower case, nothing around them.
public struct WALFileName: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let name: String
    public let kind: WALFileKind
    public let timeline: UInt32
    public let segmentName: String?

    public init?(_ name: String) {
        let bytes = Array(name.utf8)
        func isHex(_ range: Range<Int>) -> Bool {
            bytes[range].allSatisfy { Hex.digit($0, upperOnly: true) != nil }
        }
        func has(_ suffix: String, at offset: Int) -> Bool {
            bytes[offset...].elementsEqual(suffix.utf8)
        }

        let kind: WALFileKind
        switch bytes.count {
        case 24 where isHex(0..<24):
            kind = .segment
        case 32 where isHex(0..<24) && has(".partial", at: 24):
            kind = .partial
        case 16 where isHex(0..<8) && has(".history", at: 8):
            kind = .history
        case 40 where isHex(0..<24) && bytes[24] == UInt8(ascii: ".") && isHex(25..<33) && has(".backup", at: 33):
            kind = .backupHistory
        default:
            return nil
        }
        guard let timeline = Hex.parse(bytes[0..<8], upperOnly: true), timeline != 0 else { return nil }

        self.name = name
        self.kind = kind
        self.timeline = UInt32(timeline)
        self.segmentName = kind == .history ? nil : String(decoding: bytes[0..<24], as: UTF8.self)
    }

    public var description: String { name }

    /// The segment this file belongs to (nil for history files, or when the name does not fit the segment size).
    public func segment(segmentSize: WALSegmentSize) -> WALSegment? {
        segmentName.flatMap { WALSegment(fileName: $0, segmentSize: segmentSize) }
    }

    /// Byte order of the names: for PostgreSQL's fixed-width upper-case names that is WAL order, and a
    /// timeline's history file ("00000002.history") sorts before its segments, as it is created first.
    public static func < (lhs: WALFileName, rhs: WALFileName) -> Bool {
        lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8)
    }
}
