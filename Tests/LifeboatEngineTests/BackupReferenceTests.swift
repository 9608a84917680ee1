import Foundation
import LifeboatCore
import Testing
@testable import LifeboatEngine

/// Which backup a diff/incr builds on, and what the new label and unchanged entries look like.
@Suite("choosing the reference of a diff or incr")
struct BackupReferenceTests {
    static func backup(_ label: String, _ type: BackupType, system: String = "7311", timeline: UInt32 = 1, stop: UInt64) -> BackupManifest {
        BackupManifest(
            label: label, type: type, reference: nil, lifeboatVersion: "t", systemIdentifier: system, pgVersion: 150_018,
            timeline: timeline, startLSN: LSN(rawValue: stop - 0x100), stopLSN: LSN(rawValue: stop),
            startTime: Date(timeIntervalSince1970: 1_800_000_000.75), stopTime: Date(timeIntervalSince1970: 1_800_000_100),
            startWALFile: "", stopWALFile: "", stopNextXid: nil, walSegmentSize: 16 << 20, compressType: "zstd", compressLevel: 3,
            backupLabel: "", tablespaceMap: nil, tablespaces: [], directories: [],
            files: [ManifestFile(path: "base/5/16384", size: 8192 * 20, mtime: 1, mode: 0o600, sha256: "a", storedSize: 10,
                                 storedSha256: "b", pageMapSha256: "c")])
    }

    let backups = [
        backup("20261101-010000F", .full, stop: 0x1000),
        backup("20261101-010000F_20261102-010000D", .diff, stop: 0x2000),
        backup("20261101-010000F_20261103-010000I", .incr, stop: 0x3000),
        backup("20261104-010000F", .full, system: "9999", stop: 0x4000),
    ]

    @Test("diff builds on the newest full, incr on the newest backup of any type, both of this cluster only")
    func choice() throws {
        let diff = try #require(BackupReference.choose(.diff, from: backups, systemIdentifier: "7311", pgVersion: 150_020, timeline: 1))
        #expect(diff.manifest.label == "20261101-010000F")
        #expect(diff.fullLabel == "20261101-010000F")
        let incr = try #require(BackupReference.choose(.incr, from: backups, systemIdentifier: "7311", pgVersion: 150_020, timeline: 1))
        #expect(incr.manifest.label == "20261101-010000F_20261103-010000I")
        #expect(incr.fullLabel == "20261101-010000F", "the new label keeps the chain's full as its prefix")
        #expect(incr.startSecond == 1_800_000_000)
        #expect(BackupReference.choose(.full, from: backups, systemIdentifier: "7311", pgVersion: 150_020, timeline: 1) == nil)
        #expect(BackupReference.choose(.incr, from: backups, systemIdentifier: "1234", pgVersion: 150_020, timeline: 1) == nil,
                "no backup of this cluster: the diff/incr becomes a full")
        #expect(BackupReference.choose(.incr, from: backups, systemIdentifier: "7311", pgVersion: 160_000, timeline: 1) == nil)
    }

    @Test("mtimes are trusted only on the reference's own timeline")
    func timelines() throws {
        let same = try #require(BackupReference.choose(.incr, from: backups, systemIdentifier: "7311", pgVersion: 150_018, timeline: 1))
        #expect(same.mtimeTrusted)
        let other = try #require(BackupReference.choose(.incr, from: backups, systemIdentifier: "7311", pgVersion: 150_018, timeline: 2))
        #expect(!other.mtimeTrusted)
    }

    @Test("an unchanged file points at the backup that stores its bytes, never at a backup that only references them")
    func unchangedEntry() throws {
        var incr = Self.backup("F_I1", .incr, stop: 0x5000)
        incr.files[0].reference = "F"
        let reference = try #require(BackupReference.choose(.incr, from: [incr], systemIdentifier: "7311", pgVersion: 150_018, timeline: 1))
        let entry = reference.unchangedEntry(incr.files[0], mtime: 7, mode: 0o640)
        #expect(entry.reference == "F" && entry.mtime == 7 && entry.mode == 0o640)
        #expect(entry.storedSha256 == "b" && entry.pageMapSha256 == "c" && entry.sha256 == "a")
        let direct = try #require(BackupReference.choose(.incr, from: [Self.backup("F", .full, stop: 0x1000)], systemIdentifier: "7311",
                                                         pgVersion: 150_018, timeline: 1))
        #expect(direct.unchangedEntry(direct.manifest.files[0], mtime: 1, mode: 0o600).reference == "F")
    }
}
