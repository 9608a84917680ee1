import LifeboatCore
import Testing

@Suite struct ArchiveContinuityTests {
    let size = WALSegmentSize.default16MiB

    func segments(_ timeline: UInt32, _ numbers: ClosedRange<UInt64>...) -> Set<WALSegment> {
        Set(numbers.flatMap { $0.map { WALSegment(timeline: timeline, number: $0) } })
    }

    @Test func aContiguousArchiveHasNoFindings() {
        let findings = ArchiveContinuity.check(
            archived: segments(1, 2...9), from: WALSegment(timeline: 1, number: 3), histories: [:], segmentSize: size)
        #expect(findings.isEmpty)
    }

    @Test func aMissingSegmentInTheMiddleIsAGap() {
        let findings = ArchiveContinuity.check(
            archived: segments(1, 3...5, 7...9), from: WALSegment(timeline: 1, number: 3), histories: [:], segmentSize: size)
        #expect(findings == [.gap(first: WALSegment(timeline: 1, number: 6), last: WALSegment(timeline: 1, number: 6))])
    }

    @Test func aRunOfMissingSegmentsIsOneGap() {
        let findings = ArchiveContinuity.check(
            archived: segments(1, 3...3, 8...9), from: WALSegment(timeline: 1, number: 3), histories: [:], segmentSize: size)
        #expect(findings == [.gap(first: WALSegment(timeline: 1, number: 4), last: WALSegment(timeline: 1, number: 7))])
    }

    @Test func theOldestBackupsStartMustBeArchived() {
        let findings = ArchiveContinuity.check(
            archived: segments(1, 5...9), from: WALSegment(timeline: 1, number: 3), histories: [:], segmentSize: size)
        #expect(findings == [.gap(first: WALSegment(timeline: 1, number: 3), last: WALSegment(timeline: 1, number: 4))])
    }

    @Test func holesBeforeTheOldestBackupDoNotMatter() {
        let findings = ArchiveContinuity.check(
            archived: segments(1, 1...1, 5...9), from: WALSegment(timeline: 1, number: 5), histories: [:], segmentSize: size)
        #expect(findings.isEmpty)
    }

    @Test func aLaterTimelineStartsAtItsSwitchPoint() {
        // Promoted at 0/8000100 (segment 8): timeline 2 begins with segment 8.
        let history = TimelineHistory(timeline: 2, entries: [.init(parentTimeline: 1, switchPoint: LSN(rawValue: 0x800_0100), reason: "")])
        let clean = ArchiveContinuity.check(
            archived: segments(1, 3...7).union(segments(2, 8...12)), from: WALSegment(timeline: 1, number: 3),
            histories: [2: history], segmentSize: size)
        #expect(clean.isEmpty)
        let holed = ArchiveContinuity.check(
            archived: segments(1, 3...7).union(segments(2, 9...12)), from: WALSegment(timeline: 1, number: 3),
            histories: [2: history], segmentSize: size)
        #expect(holed == [.gap(first: WALSegment(timeline: 2, number: 8), last: WALSegment(timeline: 2, number: 8))])
    }

    @Test func aTimelineSwitchNeedsItsHistoryFile() {
        let findings = ArchiveContinuity.check(
            archived: segments(1, 3...7).union(segments(2, 8...12)), from: WALSegment(timeline: 1, number: 3),
            histories: [:], segmentSize: size)
        #expect(findings == [.missingHistory(timeline: 2)])
    }

    @Test func timelinesBeforeTheOldestBackupAreNotChecked() {
        let history = TimelineHistory(timeline: 2, entries: [.init(parentTimeline: 1, switchPoint: LSN(rawValue: 0x500_0000), reason: "")])
        let findings = ArchiveContinuity.check(
            archived: segments(1, 1...1, 3...4).union(segments(2, 5...9)), from: WALSegment(timeline: 2, number: 6),
            histories: [2: history], segmentSize: size)
        #expect(findings.isEmpty)
    }

    @Test func anEmptyArchiveOnlyMissesHistories() {
        #expect(ArchiveContinuity.check(archived: [], from: WALSegment(timeline: 1, number: 3), histories: [:], segmentSize: size).isEmpty)
        #expect(ArchiveContinuity.check(archived: [], from: WALSegment(timeline: 3, number: 3), histories: [:], segmentSize: size)
            == [.missingHistory(timeline: 3)])
    }
}
