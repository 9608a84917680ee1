import Foundation
import LifeboatCore
import Testing

@Suite("RecoverableWindow")
struct RecoverableWindowTests {
    static let size = WALSegmentSize.default16MiB

    static func backup(_ label: String, timeline: UInt32 = 1, start: String, stop: String, at time: String) -> BackupSummary {
        BackupSummary(
            label: label, type: .full, timeline: timeline, startLSN: lsn(start), stopLSN: lsn(stop),
            startTime: utc(time).addingTimeInterval(-300), stopTime: utc(time), stopNextXid: nil)
    }

    static let a = backup("A", start: "0/2000028", stop: "0/3000100", at: "2026-11-21 10:00:00")
    static let b = backup("B", start: "0/6000028", stop: "0/6000100", at: "2026-11-21 12:00:00")

    /// Timeline 1 has segments 1-4 and 6-8: segment 5 was never archived.
    static let archive: [WALSegment: Date] = [
        WALSegment(timeline: 1, number: 1): utc("2026-11-21 09:00:00"),
        WALSegment(timeline: 1, number: 2): utc("2026-11-21 10:00:00"),
        WALSegment(timeline: 1, number: 3): utc("2026-11-21 10:05:00"),
        WALSegment(timeline: 1, number: 4): utc("2026-11-21 10:30:00"),
        WALSegment(timeline: 1, number: 6): utc("2026-11-21 12:00:00"),
        WALSegment(timeline: 1, number: 7): utc("2026-11-21 12:30:00"),
        WALSegment(timeline: 1, number: 8): utc("2026-11-21 13:00:00"),
    ]

    static let window = RecoverableWindow(
        earliest: utc("2026-11-21 10:00:00"), earliestLSN: lsn("0/3000100"), latest: utc("2026-11-21 13:00:00"),
        endLSN: lsn("0/9000000"), timeline: 1)

    @Test("from the oldest usable backup's end to the end of the newest contiguous run")
    func compute() {
        #expect(RecoverableWindow.compute(backups: [Self.b, Self.a], archivedAt: Self.archive, segmentSize: Self.size) == Self.window)
    }

    @Test("a backup alone reaches only to the end of the run from its start segment")
    func singleBackupBeforeGap() {
        let window = RecoverableWindow.compute(backups: [Self.a], archivedAt: Self.archive, segmentSize: Self.size)
        #expect(window == RecoverableWindow(
            earliest: utc("2026-11-21 10:00:00"), earliestLSN: lsn("0/3000100"), latest: utc("2026-11-21 10:30:00"),
            endLSN: lsn("0/5000000"), timeline: 1))
    }

    @Test("a backup whose own WAL is incomplete is not usable")
    func incompleteBackupWAL() {
        var archive = Self.archive
        archive[WALSegment(timeline: 1, number: 3)] = nil
        let window = RecoverableWindow.compute(backups: [Self.a, Self.b], archivedAt: archive, segmentSize: Self.size)
        #expect(window == RecoverableWindow(
            earliest: utc("2026-11-21 12:00:00"), earliestLSN: lsn("0/6000100"), latest: utc("2026-11-21 13:00:00"),
            endLSN: lsn("0/9000000"), timeline: 1))
        #expect(RecoverableWindow.compute(backups: [Self.a], archivedAt: archive, segmentSize: Self.size) == nil)
    }

    @Test("a backup's start segment must be archived")
    func missingStart() {
        var archive = Self.archive
        archive[WALSegment(timeline: 1, number: 6)] = nil
        #expect(RecoverableWindow.compute(backups: [Self.b], archivedAt: archive, segmentSize: Self.size) == nil)
    }

    @Test("a stop LSN on a segment boundary needs only the segment before it (XLByteToPrevSeg)")
    func stopOnBoundary() {
        let backup = Self.backup("E", start: "0/2000028", stop: "0/4000000", at: "2026-11-21 10:00:00")
        let archive: [WALSegment: Date] = [
            WALSegment(timeline: 1, number: 2): utc("2026-11-21 10:00:00"),
            WALSegment(timeline: 1, number: 3): utc("2026-11-21 10:01:00"),
        ]
        let window = RecoverableWindow.compute(backups: [backup], archivedAt: archive, segmentSize: Self.size)
        #expect(window?.endLSN == lsn("0/4000000"))
        #expect(window?.latest == utc("2026-11-21 10:01:00"))
    }

    @Test("nothing usable: no backups, no archive, or WAL only on another timeline")
    func nothing() {
        #expect(RecoverableWindow.compute(backups: [], archivedAt: Self.archive, segmentSize: Self.size) == nil)
        #expect(RecoverableWindow.compute(backups: [Self.a], archivedAt: [:], segmentSize: Self.size) == nil)
        let onTimeline2 = Self.archive.reduce(into: [WALSegment: Date]()) {
            $0[WALSegment(timeline: 2, number: $1.key.number)] = $1.value
        }
        #expect(RecoverableWindow.compute(backups: [Self.a], archivedAt: onTimeline2, segmentSize: Self.size) == nil)
    }

    @Test("the newest run may be on a later timeline")
    func laterTimeline() {
        let promoted = Self.backup("P", timeline: 2, start: "0/A000028", stop: "0/A000100", at: "2026-11-22 08:00:00")
        var archive = Self.archive
        archive[WALSegment(timeline: 2, number: 10)] = utc("2026-11-22 08:00:00")
        archive[WALSegment(timeline: 2, number: 11)] = utc("2026-11-22 09:00:00")
        let window = RecoverableWindow.compute(backups: [Self.a, promoted], archivedAt: archive, segmentSize: Self.size)
        #expect(window == RecoverableWindow(
            earliest: utc("2026-11-21 10:00:00"), earliestLSN: lsn("0/3000100"), latest: utc("2026-11-22 09:00:00"),
            endLSN: lsn("0/C000000"), timeline: 2))
    }

    @Test("targets inside the window pass", arguments: [
        RecoveryTarget.time(utc("2026-11-21 10:00:00")), .time(utc("2026-11-21 12:34:56")), .time(utc("2026-11-21 13:00:00")),
        .lsn(lsn("0/3000100")), .lsn(lsn("0/8FFFFFF")), .lsn(lsn("0/9000000")),
        .xid(1), .name("anything"), .immediate, .endOfArchive,
    ])
    func inside(target: RecoveryTarget) throws {
        try Self.window.check(target)
    }

    @Test("a time after the archive's end")
    func timeTooLate() {
        let error = #expect(throws: LifeboatError.self) { try Self.window.check(.time(utc("2026-11-21 13:00:01"))) }
        #expect(error == LifeboatError(
            .targetOutOfRange,
            "recovery target time '2026-11-21 13:00:01+00' is after the end of the archive (latest recoverable time 2026-11-21 13:00:00+00)",
            hint: "archive more WAL (SELECT pg_switch_wal()) or choose an earlier target; see `lifeboat info`"))
    }

    @Test("a time before the oldest usable backup's end")
    func timeTooEarly() {
        let error = #expect(throws: LifeboatError.self) { try Self.window.check(.time(utc("2026-11-21 09:59:59"))) }
        #expect(error == LifeboatError(
            .targetOutOfRange,
            "recovery target time '2026-11-21 09:59:59+00' is before the recoverable window (earliest recoverable time 2026-11-21 10:00:00+00)",
            hint: "no usable backup ends before it; choose a later target; see `lifeboat info`"))
    }

    @Test("an LSN after the archive's end")
    func lsnTooLate() {
        let error = #expect(throws: LifeboatError.self) { try Self.window.check(.lsn(lsn("0/9000001"))) }
        #expect(error == LifeboatError(
            .targetOutOfRange,
            "recovery target lsn '0/9000001' is after the end of the archive (latest recoverable lsn 0/9000000)",
            hint: "archive more WAL (SELECT pg_switch_wal()) or choose an earlier target; see `lifeboat info`"))
    }

    @Test("an LSN before the oldest usable backup's end")
    func lsnTooEarly() {
        let error = #expect(throws: LifeboatError.self) { try Self.window.check(.lsn(lsn("0/30000FF"))) }
        #expect(error == LifeboatError(
            .targetOutOfRange,
            "recovery target lsn '0/30000FF' is before the recoverable window (earliest recoverable lsn 0/3000100)",
            hint: "no usable backup ends before it; choose a later target; see `lifeboat info`"))
    }

    @Test("the window is Codable")
    func codable() throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        #expect(try decoder.decode(RecoverableWindow.self, from: encoder.encode(Self.window)) == Self.window)
    }
}
