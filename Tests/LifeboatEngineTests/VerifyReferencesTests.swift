import Foundation
import LifeboatCore
import Testing
@testable import LifeboatEngine

/// How `verify` follows incremental references to the backup that stores a file's bytes.
@Suite("verify: backup references")
struct VerifyReferencesTests {
    func manifest(_ label: String, reference: String? = nil, compress: String = "zstd", _ files: [(String, String?)]) -> BackupManifest {
        BackupManifest(
            label: label, type: reference == nil ? .full : .incr, reference: reference, lifeboatVersion: "test",
            systemIdentifier: "1", pgVersion: 150_000, timeline: 1, startLSN: LSN(rawValue: 0x200_0028), stopLSN: LSN(rawValue: 0x200_0100),
            startTime: Date(timeIntervalSince1970: 0), stopTime: Date(timeIntervalSince1970: 1),
            startWALFile: "000000010000000000000002", stopWALFile: "000000010000000000000002", stopNextXid: nil,
            walSegmentSize: 16 << 20, compressType: compress, compressLevel: 3, backupLabel: "", tablespaceMap: nil,
            tablespaces: [], directories: [],
            files: files.map { path, reference in
                ManifestFile(path: path, size: 1, mtime: 0, mode: 0o600, sha256: String(repeating: "0", count: 64),
                             storedSize: 10, storedSha256: reference == nil ? String(repeating: "1", count: 64) : nil, reference: reference)
            })
    }

    let layout = RepositoryLayout(stanza: "main")

    @Test("a chain full ← incr ← incr resolves each file to the backup that stores it")
    func chainResolves() {
        let full = manifest("F", [("PG_VERSION", nil), ("base/1/1", nil)])
        let first = manifest("I1", reference: "F", [("PG_VERSION", "F"), ("base/1/1", nil)])
        let second = manifest("I2", reference: "I1", [("PG_VERSION", "I1"), ("base/1/1", "I1")])
        let all = ["F": full, "I1": first, "I2": second]
        let resolution = BackupReferences.resolve(second, in: all, abandoned: [])
        #expect(resolution.problems.isEmpty)
        let objects = resolution.stored.map { $0.object(layout) }.sorted()
        #expect(objects == ["main/backup/F/data/PG_VERSION.zst", "main/backup/I1/data/base/1/1.zst"])
        #expect(resolution.stored.allSatisfy { $0.backup == "I2" && $0.file.storedSha256 != nil })
    }

    @Test("a reference to a missing or incomplete backup is a problem naming the file")
    func brokenReferences() {
        let incr = manifest("I1", reference: "F", [("PG_VERSION", "F"), ("base/1/1", nil)])
        let missing = BackupReferences.resolve(incr, in: ["I1": incr], abandoned: [])
        #expect(missing.stored.map(\.file.path) == ["base/1/1"])
        #expect(missing.problems.map(\.file) == ["manifest.json", "PG_VERSION"])
        #expect(missing.problems.allSatisfy { $0.kind == .reference && $0.message.contains("does not exist") })

        let incomplete = BackupReferences.resolve(incr, in: ["I1": incr], abandoned: ["F"])
        #expect(incomplete.problems.last?.message == "backup I1: file 'PG_VERSION' references backup F, which is incomplete (no manifest)")
    }

    @Test("a reference to a backup without the file, or a cycle, is a problem")
    func referenceWithoutFile() {
        let full = manifest("F", [("base/1/1", nil)])
        let incr = manifest("I1", reference: "F", [("PG_VERSION", "F")])
        let lacking = BackupReferences.resolve(incr, in: ["F": full, "I1": incr], abandoned: [])
        #expect(lacking.problems.map(\.message) == ["backup I1: file 'PG_VERSION' references backup F, which does not have it"])

        let a = manifest("A", [("x", "B")])
        let b = manifest("B", [("x", "A")])
        let cycle = BackupReferences.resolve(a, in: ["A": a, "B": b], abandoned: [])
        #expect(cycle.stored.isEmpty)
        #expect(cycle.problems.first?.message.contains("cycle") == true)
    }

    @Test("the backup's start to stop segments are the WAL it needs")
    func neededSegments() {
        var backup = manifest("F", [])
        backup.startLSN = LSN(rawValue: 0x2FF_FF00)
        backup.stopLSN = LSN(rawValue: 0x400_0000)  // ends exactly at a boundary: segment 4 is not needed
        #expect(VerifyCommand.neededSegments(backup, segmentSize: .default16MiB).map(\.number) == [2, 3])
    }
}
