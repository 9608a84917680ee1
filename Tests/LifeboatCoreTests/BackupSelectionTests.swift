import Foundation
import LifeboatCore
import Testing

@Suite("BackupSelection")
struct BackupSelectionTests {
    static func backup(_ label: String, stop: String, at time: String, nextXid: UInt64?, type: BackupType = .full) -> BackupSummary {
        let stopLSN = lsn(stop)
        return BackupSummary(
            label: label, type: type, timeline: 1, startLSN: LSN(rawValue: stopLSN.rawValue - 0x100), stopLSN: stopLSN,
            startTime: utc(time).addingTimeInterval(-60), stopTime: utc(time), stopNextXid: nextXid)
    }

    // Deliberately out of order: selection must not depend on the input order.
    static let backups = [
        backup("B", stop: "0/5000100", at: "2026-11-22 10:00:00", nextXid: 2000, type: .incr),
        backup("A", stop: "0/2000100", at: "2026-11-21 10:00:00", nextXid: 1000),
        backup("C", stop: "0/9000100", at: "2026-11-23 10:00:00", nextXid: nil, type: .diff),
    ]

    @Test("time targets pick the newest backup that stopped at or before the target", arguments: [
        ("2026-11-21 10:00:00", "A"), ("2026-11-21 23:59:59", "A"), ("2026-11-22 10:00:00", "B"),
        ("2026-11-23 09:59:59.999", "B"), ("2026-11-23 10:00:00", "C"), ("2030-01-01 00:00:00", "C"),
    ])
    func time(target: String, label: String) throws {
        let chosen = try BackupSelection.choose(from: Self.backups, target: .time(utc(target)), stanza: "main")
        #expect(chosen.label == label)
    }

    @Test("LSN targets pick the newest backup that stopped at or before the target", arguments: [
        ("0/2000100", "A"), ("0/50000FF", "A"), ("0/5000100", "B"), ("0/9000100", "C"), ("FF/0", "C"),
    ])
    func lsnTarget(target: String, label: String) throws {
        let chosen = try BackupSelection.choose(from: Self.backups, target: .lsn(lsn(target)), stanza: "main")
        #expect(chosen.label == label)
    }

    @Test("xid targets need a recorded next xid at or below the target", arguments: [
        (1000, "A"), (1999, "A"), (2000, "B"), (UInt64.max, "B"),
    ] as [(UInt64, String)])
    func xid(target: UInt64, label: String) throws {
        let chosen = try BackupSelection.choose(from: Self.backups, target: .xid(target), stanza: "main")
        #expect(chosen.label == label)
    }

    @Test("name, immediate and end-of-archive targets take the newest backup",
          arguments: [RecoveryTarget.name("before-upgrade"), .immediate, .endOfArchive])
    func newest(target: RecoveryTarget) throws {
        #expect(try BackupSelection.choose(from: Self.backups, target: target, stanza: "main").label == "C")
    }

    @Test("ties on stop LSN are broken by stop time")
    func tieBreak() throws {
        let early = Self.backup("early", stop: "0/2000100", at: "2026-11-21 10:00:00", nextXid: 1)
        let late = Self.backup("late", stop: "0/2000100", at: "2026-11-21 11:00:00", nextXid: 1)
        #expect(try BackupSelection.choose(from: [late, early], target: .endOfArchive, stanza: "s").label == "late")
        #expect(try BackupSelection.choose(from: [early, late], target: .endOfArchive, stanza: "s").label == "late")
        #expect(try BackupSelection.choose(from: [late, early], target: .time(utc("2026-11-21 10:30:00")), stanza: "s").label == "early")
    }

    @Test("no backups at all", arguments: [RecoveryTarget.endOfArchive, .immediate, .time(Date(timeIntervalSince1970: 0)), .xid(5)])
    func noBackups(target: RecoveryTarget) {
        let error = #expect(throws: LifeboatError.self) { try BackupSelection.choose(from: [], target: target, stanza: "main") }
        #expect(error == LifeboatError(
            .backupNotFound, "no backup in stanza 'main'", hint: "take one with `lifeboat backup --stanza main --type full`"))
    }

    @Test("a time target before every backup's end")
    func timeTooEarly() {
        let error = #expect(throws: LifeboatError.self) {
            try BackupSelection.choose(from: Self.backups, target: .time(utc("2026-11-21 09:59:59")), stanza: "main")
        }
        #expect(error?.code == .targetOutOfRange)
        #expect(error?.message == "recovery target time '2026-11-21 09:59:59+00' is before the end of the oldest backup 'A' (2026-11-21 10:00:00+00)")
        #expect(error?.hint == "choose a target time at or after 2026-11-21 10:00:00+00; see `lifeboat info` for the recoverable window")
    }

    @Test("an LSN target before every backup's end")
    func lsnTooEarly() {
        let error = #expect(throws: LifeboatError.self) {
            try BackupSelection.choose(from: Self.backups, target: .lsn(lsn("0/20000FF")), stanza: "main")
        }
        #expect(error?.code == .targetOutOfRange)
        #expect(error?.message == "recovery target lsn '0/20000FF' is before the end of the oldest backup 'A' (0/2000100)")
        #expect(error?.hint == "choose a target lsn at or after 0/2000100; see `lifeboat info` for the recoverable window")
    }

    @Test("an xid assigned before every backup stopped")
    func xidTooEarly() {
        let error = #expect(throws: LifeboatError.self) {
            try BackupSelection.choose(from: Self.backups, target: .xid(999), stanza: "main")
        }
        #expect(error?.code == .targetOutOfRange)
        #expect(error?.message == "recovery target xid '999' is before the end of the oldest backup 'A' (next xid 1000)")
        #expect(error?.hint == "choose a target xid at or after 1000, or a target time or lsn; see `lifeboat info`")
    }

    @Test("an xid target when no backup recorded its next xid")
    func xidUnknown() {
        let backups = [Self.backup("X", stop: "0/2000100", at: "2026-11-21 10:00:00", nextXid: nil)]
        let error = #expect(throws: LifeboatError.self) {
            try BackupSelection.choose(from: backups, target: .xid(1_000_000), stanza: "main")
        }
        #expect(error?.code == .targetOutOfRange)
        #expect(error?.message == "recovery target xid '1000000' is before the end of the oldest backup 'X' (next xid not recorded)")
        #expect(error?.hint == "no backup records its next transaction id; use --target-time or --target-lsn instead")
    }

    @Test("targets describe themselves for messages")
    func describe() {
        #expect(RecoveryTarget.endOfArchive.description == "end of archive")
        #expect(RecoveryTarget.immediate.description == "immediate")
        #expect(RecoveryTarget.time(utc("2026-11-21 12:34:56.9")).description == "time '2026-11-21 12:34:56+00'")
        #expect(RecoveryTarget.lsn(lsn("0/3000000")).description == "lsn '0/3000000'")
        #expect(RecoveryTarget.xid(742).description == "xid '742'")
        #expect(RecoveryTarget.name("before upgrade").description == "name 'before upgrade'")
    }
}
