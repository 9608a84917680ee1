/// A maximal contiguous run of archived segments on one timeline, by file name.
public struct ArchiveRange: Sendable, Equatable, Codable {
    public var timeline: UInt32
    public var first: String
    public var last: String
    public var count: Int

    public init(timeline: UInt32, first: String, last: String, count: Int) {
        self.timeline = timeline
        self.first = first
        self.last = last
        self.count = count
    }
}

/// Summarises the archive as runs of segments, and finds holes in it.
public enum ArchiveRanges {
    /// Groups segments (any order, duplicates ignored) into maximal contiguous runs per timeline,
    /// sorted by timeline then first segment.
    public static func compute(_ segments: [WALSegment], segmentSize: WALSegmentSize) -> [ArchiveRange] {
        runs(segments).map { run in
            ArchiveRange(
                timeline: run.first.timeline, first: run.first.fileName(segmentSize: segmentSize),
                last: run.last.fileName(segmentSize: segmentSize), count: Int(run.last.number - run.first.number + 1))
        }
    }

    /// Segments missing between `from` and `through` (inclusive) on from's timeline, given what is
    /// archived; empty when `through` comes before `from`. Used to check a backup's WAL is complete.
    public static func missing(from: WALSegment, through: WALSegment, archived: Set<WALSegment>) -> [WALSegment] {
        guard from.number <= through.number else { return [] }
        return (from.number...through.number)
            .map { WALSegment(timeline: from.timeline, number: $0) }
            .filter { !archived.contains($0) }
    }

    /// The runs as first/last segments, in timeline then number order.
    static func runs<S: Sequence>(_ segments: S) -> [(first: WALSegment, last: WALSegment)] where S.Element == WALSegment {
        var result: [(first: WALSegment, last: WALSegment)] = []
        for segment in Set(segments).sorted() {
            if let current = result.last, current.last.timeline == segment.timeline,
                current.last.number + 1 == segment.number
            {
                result[result.count - 1].last = segment
            } else {
                result.append((segment, segment))
            }
        }
        return result
    }
}
