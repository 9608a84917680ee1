import Foundation

/// The span of time (and WAL) a restore can currently reach.
///
/// A backup is usable when all the WAL from its start to its stop segment is archived (without
/// it the copy never becomes consistent). From a usable backup, recovery can go as far as the
/// contiguous run of archived segments starting at its start segment reaches.
public struct RecoverableWindow: Sendable, Equatable, Codable {
    /// Stop time of the oldest backup whose own WAL (start..stop segment) is fully archived.
    public var earliest: Date
    /// Stop LSN of that backup: no LSN target before it is reachable.
    public var earliestLSN: LSN
    /// Archive time of the last segment of the contiguous run starting at a usable backup's start
    /// segment (the newest such over all usable backups).
    public var latest: Date
    /// End LSN of that last segment.
    public var endLSN: LSN
    /// Timeline of that run.
    public var timeline: UInt32

    public init(earliest: Date, earliestLSN: LSN, latest: Date, endLSN: LSN, timeline: UInt32) {
        self.earliest = earliest
        self.earliestLSN = earliestLSN
        self.latest = latest
        self.endLSN = endLSN
        self.timeline = timeline
    }

    /// nil when no backup has its WAL archived. `archivedAt` gives the archive time of each archived segment.
    public static func compute(
        backups: [BackupSummary], archivedAt: [WALSegment: Date], segmentSize: WALSegmentSize
    ) -> RecoverableWindow? {
        let runs = ArchiveRanges.runs(archivedAt.keys)
        // The run holding a segment, by binary search over the sorted runs.
        func run(containing segment: WALSegment) -> (first: WALSegment, last: WALSegment)? {
            var low = 0
            var high = runs.count
            while low < high {
                let mid = (low + high) / 2
                if runs[mid].last < segment { low = mid + 1 } else { high = mid }
            }
            guard low < runs.count, runs[low].first <= segment else { return nil }
            return runs[low]
        }

        var oldestUsable: BackupSummary?
        var newestEnd: (last: WALSegment, time: Date)?
        for backup in backups.sorted(by: BackupSummary.endsBefore) {
            let start = WALSegment(containing: backup.startLSN, timeline: backup.timeline, segmentSize: segmentSize)
            // PostgreSQL names the stop file after the byte before the stop LSN (XLByteToPrevSeg).
            let stopByte = backup.stopLSN > backup.startLSN ? LSN(rawValue: backup.stopLSN.rawValue - 1) : backup.startLSN
            let stop = WALSegment(containing: stopByte, timeline: backup.timeline, segmentSize: segmentSize)
            guard let run = run(containing: start), stop <= run.last, let time = archivedAt[run.last] else { continue }
            if oldestUsable == nil { oldestUsable = backup }
            if let current = newestEnd, (current.last.number, current.time) >= (run.last.number, time) { continue }
            newestEnd = (run.last, time)
        }
        guard let oldestUsable, let newestEnd else { return nil }
        return RecoverableWindow(
            earliest: oldestUsable.stopTime, earliestLSN: oldestUsable.stopLSN, latest: newestEnd.time,
            endLSN: newestEnd.last.endLSN(segmentSize: segmentSize), timeline: newestEnd.last.timeline)
    }

    /// Throws .targetOutOfRange for .time before `earliest` or after `latest`, .lsn before the oldest
    /// usable backup's stopLSN or after endLSN. Other targets cannot be placed without reading WAL
    /// and pass.
    public func check(_ target: RecoveryTarget) throws(LifeboatError) {
        let tooLateHint = "archive more WAL (SELECT pg_switch_wal()) or choose an earlier target; see `lifeboat info`"
        let tooEarlyHint = "no usable backup ends before it; choose a later target; see `lifeboat info`"
        switch target {
        case .time(let time):
            if time < earliest {
                throw LifeboatError(
                    .targetOutOfRange,
                    "recovery target \(target) is before the recoverable window (earliest recoverable time \(TargetTime.display(earliest)))",
                    hint: tooEarlyHint)
            }
            if time > latest {
                throw LifeboatError(
                    .targetOutOfRange,
                    "recovery target \(target) is after the end of the archive (latest recoverable time \(TargetTime.display(latest)))",
                    hint: tooLateHint)
            }
        case .lsn(let lsn):
            if lsn < earliestLSN {
                throw LifeboatError(
                    .targetOutOfRange,
                    "recovery target \(target) is before the recoverable window (earliest recoverable lsn \(earliestLSN))",
                    hint: tooEarlyHint)
            }
            if lsn > endLSN {
                throw LifeboatError(
                    .targetOutOfRange,
                    "recovery target \(target) is after the end of the archive (latest recoverable lsn \(endLSN))",
                    hint: tooLateHint)
            }
        case .xid, .name, .immediate, .endOfArchive:
            return
        }
    }
}
