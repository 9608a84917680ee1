#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// archive_command / restore_command contract (PostgreSQL docs, "Continuous Archiving"), exercised with
/// the real binary on real WAL from a real cluster.
@Suite("archive-push and archive-get", .serialized)
struct ArchiveContractTests {
    /// A real, complete WAL segment of the lab's cluster, copied out of pg_wal under a fresh name.
    private func realSegment(_ lab: Lab, name: String) async throws -> String {
        try await lab.switchAndWaitForArchive()
        let current = try await lab.cluster.query("SELECT pg_walfile_name(pg_current_wal_lsn()) AS name")
        let source = lab.cluster.dataDirectory + "/pg_wal/" + (current.value(0, "name") ?? "")
        let directory = try Sandbox.makeClusterUserDirectory(prefix: "lifeboat-wal")
        let target = directory + "/" + name
        try FileManager.default.copyItem(atPath: source, toPath: target)
        chmod(target, 0o644)
        return target
    }

    private func storedObjects(_ lab: Lab, wal: String) throws -> [String] {
        let directory = lab.repository + "/" + lab.stanza + "/archive/" + String(wal.prefix(16))
        return try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix(wal + "-") }.map { directory + "/" + $0 }
    }

    @Test("a pushed segment comes back byte for byte; an identical re-push succeeds; different content is refused and the stored copy kept")
    func pushGetContract() async throws {
        try await withLab { lab in
            let wal = "0000000100000000000000F1"
            let segment = try await realSegment(lab, name: wal)
            let original = try Data(contentsOf: URL(fileURLWithPath: segment))

            let first = try await lab.lifeboat(["archive-push", segment])
            #expect(first.exitCode == 0, "\(first.stderr)")
            let stored = try storedObjects(lab, wal: wal)
            #expect(stored.count == 1)
            let mode = try FileManager.default.attributesOfItem(atPath: stored[0])[.posixPermissions] as? Int
            #expect(mode == 0o600)

            let again = try await lab.lifeboat(["archive-push", segment])
            #expect(again.exitCode == 0, "identical re-push must succeed: \(again.stderr)")
            #expect(try storedObjects(lab, wal: wal) == stored)

            var changed = original
            changed[8192 + 100] ^= 0xFF
            try changed.write(to: URL(fileURLWithPath: segment))
            let conflicting = try await lab.lifeboat(["archive-push", segment])
            #expect(conflicting.exitCode == 15)
            #expect(conflicting.stderr.contains("already archived with different content"))
            #expect(try storedObjects(lab, wal: wal) == stored)

            let destination = LifeboatExecutableDirectory.parent(of: segment) + "/RECOVERYXLOG"
            let get = try await lab.lifeboat(["archive-get", wal, destination])
            #expect(get.exitCode == 0, "\(get.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: destination)) == original)
        }
    }

    @Test("archive-get of a file that is not archived exits 1 quietly: the end of the archive")
    func absentIsEndOfArchive() async throws {
        try await withLab { lab in
            let directory = try Sandbox.makeClusterUserDirectory(prefix: "lifeboat-get")
            try Sandbox.makeOwnedDirectory(directory + "/out")
            let result = try await lab.lifeboat(["archive-get", "00000001000000000000009A", directory + "/out/x"])
            #expect(result.exitCode == 1)
            #expect(!result.stderr.contains("ERROR"))
            let history = try await lab.lifeboat(["archive-get", "00000005.history", directory + "/out/x"])
            #expect(history.exitCode == 1)
        }
    }

    @Test("a corrupt or mismatching stored copy aborts recovery (exit above 125), naming the file")
    func corruptionIsFatal() async throws {
        try await withLab { lab in
            let wal = "0000000100000000000000F2"
            let segment = try await realSegment(lab, name: wal)
            #expect(try await lab.lifeboat(["archive-push", segment]).exitCode == 0)
            let stored = try storedObjects(lab, wal: wal)[0]
            var bytes = try Data(contentsOf: URL(fileURLWithPath: stored))
            bytes[bytes.count / 2] ^= 0x5A
            try bytes.write(to: URL(fileURLWithPath: stored))

            let out = LifeboatExecutableDirectory.parent(of: segment)
            let corrupt = try await lab.lifeboat(["archive-get", wal, out + "/RECOVERYXLOG"])
            #expect(corrupt.exitCode == 126)
            #expect(corrupt.stderr.contains(wal))
            #expect(!FileManager.default.fileExists(atPath: out + "/RECOVERYXLOG"))

            // A valid stream whose content is not what the name's checksum promises.
            let other = "0000000100000000000000F3"
            let otherSegment = try await realSegment(lab, name: other)
            var different = try Data(contentsOf: URL(fileURLWithPath: otherSegment))
            different[40000] ^= 1
            try different.write(to: URL(fileURLWithPath: otherSegment))
            #expect(try await lab.lifeboat(["archive-push", otherSegment]).exitCode == 0)
            let otherStored = try storedObjects(lab, wal: other)[0]
            try FileManager.default.removeItem(atPath: stored)
            try FileManager.default.copyItem(atPath: otherStored, toPath: stored)
            Sandbox.giveToClusterUser(stored)
            let mismatch = try await lab.lifeboat(["archive-get", wal, out + "/RECOVERYXLOG"])
            #expect(mismatch.exitCode == 126)
            #expect(mismatch.stderr.contains("does not match its checksum"))
        }
    }

    @Test(".history, .backup and .partial files are archived and fetched like segments")
    func otherFileKinds() async throws {
        try await withLab { lab in
            let directory = try Sandbox.makeClusterUserDirectory(prefix: "lifeboat-kinds")
            let files = [
                "00000002.history": Data("1\t0/3000148\tno recovery target specified\n".utf8),
                "000000010000000000000003.00000028.backup": Data("START WAL LOCATION: 0/3000028 (file 000000010000000000000003)\n".utf8),
            ]
            for (name, content) in files {
                try content.write(to: URL(fileURLWithPath: directory + "/" + name))
                let push = try await lab.lifeboat(["archive-push", directory + "/" + name])
                #expect(push.exitCode == 0, "\(name): \(push.stderr)")
                let get = try await lab.lifeboat(["archive-get", name, directory + "/fetched"])
                #expect(get.exitCode == 0, "\(name): \(get.stderr)")
                #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/fetched")) == content)
            }
            let partial = try await realSegment(lab, name: "0000000100000000000000F5.partial")
            #expect(try await lab.lifeboat(["archive-push", partial]).exitCode == 0)
            let get = try await lab.lifeboat(["archive-get", "0000000100000000000000F5.partial", directory + "/p"])
            #expect(get.exitCode == 0)
            #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/p")) == Data(contentsOf: URL(fileURLWithPath: partial)))
            // A different timeline's history must not be confused with it.
            #expect(try await lab.lifeboat(["archive-get", "00000003.history", directory + "/h"]).exitCode == 1)
        }
    }

    @Test("archive-push refuses a missing file and WAL of another cluster, changing nothing")
    func pushRefusals() async throws {
        try await withLab { lab in
            let before = lab.repositorySnapshot()
            let missing = try await lab.lifeboat(["archive-push", "/nonexistent/000000010000000000000042"])
            #expect(missing.exitCode == 14)
            #expect(missing.stderr.contains("does not exist"))

            let segment = try await realSegment(lab, name: "0000000100000000000000F4")
            var foreign = try Data(contentsOf: URL(fileURLWithPath: segment))
            foreign[24] ^= 0xFF  // xlp_sysid of the long page header
            try foreign.write(to: URL(fileURLWithPath: segment))
            let beforeForeign = lab.repositorySnapshot()
            let result = try await lab.lifeboat(["archive-push", segment])
            #expect(result.exitCode == 12)
            #expect(result.stderr.contains("system identifier"))
            #expect(lab.repositorySnapshot() == beforeForeign)
            _ = before
        }
    }
}
