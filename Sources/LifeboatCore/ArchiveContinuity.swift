/// Whether the WAL archive can carry a restore from the oldest backup to the end of every timeline
/// after it: no missing segment in between, and a history file for each timeline switch.
public enum ArchiveContinuity {
    public enum Finding: Hashable, Sendable {
        /// Segments `first...last` of `timeline` are missing between archived ones.
        case gap(first: WALSegment, last: WALSegment)
        /// WAL exists on `timeline` (> 1) but its `.history` file is not archived: recovery could not
        /// follow the switch onto it.
        case missingHistory(timeline: UInt32)
    }

    /// Checks every timeline from `start`'s onwards. `start` is the first segment the oldest backup
    /// needs; later timelines begin at the segment holding their switch point (from their history
    /// file; without one, at their first archived segment) and end at their newest archived segment.
    /// Timelines before `start`'s are older than every backup and not checked.
    public static func check(
        archived: Set<WALSegment>, from start: WALSegment, histories: [UInt32: TimelineHistory], segmentSize: WALSegmentSize
    ) -> [Finding] {
        var newest: [UInt32: UInt64] = [:]
        var oldest: [UInt32: UInt64] = [:]
        for segment in archived {
            newest[segment.timeline] = max(newest[segment.timeline] ?? 0, segment.number)
            oldest[segment.timeline] = min(oldest[segment.timeline] ?? .max, segment.number)
        }
        let timelines = Set(newest.keys).union(histories.keys).union([start.timeline]).filter { $0 >= start.timeline }.sorted()
        var findings: [Finding] = []
        for timeline in timelines {
            if timeline > 1 && histories[timeline] == nil { findings.append(.missingHistory(timeline: timeline)) }
            guard let last = newest[timeline] else { continue }
            let first: UInt64
            if timeline == start.timeline {
                first = start.number
            } else if let switchPoint = histories[timeline]?.entries.last?.switchPoint {
                first = WALSegment(containing: switchPoint, timeline: timeline, segmentSize: segmentSize).number
            } else {
                first = oldest[timeline] ?? last
            }
            guard first <= last else { continue }
            var runStart: UInt64?
            for number in first...last {
                let present = archived.contains(WALSegment(timeline: timeline, number: number))
                if !present && runStart == nil { runStart = number }
                if present, let begun = runStart {
                    findings.append(.gap(first: WALSegment(timeline: timeline, number: begun),
                                         last: WALSegment(timeline: timeline, number: number - 1)))
                    runStart = nil
                }
            }
        }
        return findings
    }
}
