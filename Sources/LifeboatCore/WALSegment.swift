/// One WAL segment file on one timeline.
///
/// `number` is the absolute segment number (LSN / segment size), as PostgreSQL's `XLogSegNo`; the
/// 24-hex file name splits it into "logical file" and segment-within-file parts, which depends on
/// the segment size, hence the `segmentSize` parameters.
public struct WALSegment: Hashable, Comparable, Sendable {
    public let timeline: UInt32
    public let number: UInt64

    public init(timeline: UInt32, number: UInt64) {
        self.timeline = timeline
        self.number = number
    }

    /// The segment that holds the byte at `lsn` (`XLByteToSeg`).
    public init(containing lsn: LSN, timeline: UInt32, segmentSize: WALSegmentSize) {
        self.init(timeline: timeline, number: lsn.rawValue / segmentSize.bytes)
    }

    /// Parses "TTTTTTTTXXXXXXXXYYYYYYYY" (upper-case hex, as `XLogFileName` writes and `IsXLogFileName` accepts).
    public init?(fileName: String, segmentSize: WALSegmentSize) {
        let bytes = Array(fileName.utf8)
        guard bytes.count == 24,
            let timeline = Hex.parse(bytes[0..<8], upperOnly: true),
            let logicalFile = Hex.parse(bytes[8..<16], upperOnly: true),
            let segmentInFile = Hex.parse(bytes[16..<24], upperOnly: true),
            timeline != 0,
            segmentInFile < segmentSize.segmentsPerLogicalFile
        else { return nil }
        self.init(timeline: UInt32(timeline), number: logicalFile * segmentSize.segmentsPerLogicalFile + segmentInFile)
    }

    public func fileName(segmentSize: WALSegmentSize) -> String {
        let perFile = segmentSize.segmentsPerLogicalFile
        return Hex.upper(UInt64(timeline), width: 8) + Hex.upper(number / perFile, width: 8)
            + Hex.upper(number % perFile, width: 8)
    }

    public func startLSN(segmentSize: WALSegmentSize) -> LSN {
        LSN(rawValue: number * segmentSize.bytes)
    }

    /// The first LSN of the next segment. Saturates at the top of the address space (the very last
    /// segment) instead of trapping.
    public func endLSN(segmentSize: WALSegmentSize) -> LSN {
        let (end, overflow) = startLSN(segmentSize: segmentSize).rawValue.addingReportingOverflow(segmentSize.bytes)
        return LSN(rawValue: overflow ? UInt64.max : end)
    }

    /// The following segment on the same timeline.
    public var next: WALSegment {
        WALSegment(timeline: timeline, number: number + 1)
    }

    /// Ordered by timeline, then number.
    public static func < (lhs: WALSegment, rhs: WALSegment) -> Bool {
        (lhs.timeline, lhs.number) < (rhs.timeline, rhs.number)
    }
}

extension WALSegment: CustomStringConvertible {
    /// For logs and test failures; file names need a segment size, so this shows the raw pair.
    public var description: String { "timeline \(timeline) segment \(number)" }
}
