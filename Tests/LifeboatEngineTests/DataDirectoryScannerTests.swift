import Foundation
import Testing
@testable import LifeboatEngine

@Suite("what a base backup copies")
struct DataDirectoryScannerTests {
    @Test("relation file names map to their relfilenode", arguments: [
        ("16384", "16384"), ("16384.1", "16384"), ("16384_fsm", "16384"), ("16384_vm", "16384"),
        ("16384_init", "16384"), ("16384_init.1", "16384"),
    ])
    func relationNodes(name: String, node: String) {
        #expect(DataDirectoryScanner.relationNode(of: name) == Substring(node))
    }

    @Test("other names are not relation files", arguments: ["PG_VERSION", "pg_filenode.map", "16384.", "16384_foo", "x16384", "16384.a"])
    func notRelations(name: String) {
        #expect(DataDirectoryScanner.relationNode(of: name) == nil)
    }

    @Test("temporary relations are recognised")
    func temporaryRelations() {
        #expect(DataDirectoryScanner.isTemporaryRelation("t3_16384"))
        #expect(DataDirectoryScanner.isTemporaryRelation("t12_16384_fsm"))
        #expect(!DataDirectoryScanner.isTemporaryRelation("t_16384"))
        #expect(!DataDirectoryScanner.isTemporaryRelation("test"))
    }

    @Test("exclusions: pg_wal and runtime directories kept empty, server files and unlogged main forks skipped")
    func exclusions() throws {
        let root = NSTemporaryDirectory() + "scan-\(UUID().uuidString)"
        let fm = FileManager.default
        for directory in ["base/5", "pg_wal/archive_status", "pg_stat_tmp", "pg_replslot/slot", "global", "base/5/pgsql_tmp"] {
            try fm.createDirectory(atPath: root + "/" + directory, withIntermediateDirectories: true)
        }
        for file in ["PG_VERSION", "postmaster.pid", "postmaster.opts", "backup_label", "global/pg_control",
                     "global/pg_internal.init", "pg_wal/000000010000000000000001", "pg_stat_tmp/x", "pg_replslot/slot/state",
                     "base/5/100", "base/5/100_fsm", "base/5/200", "base/5/200.1", "base/5/200_init", "base/5/t3_300",
                     "base/5/pgsql_tmp/pgsql_tmp1.0"] {
            try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/" + file))
        }
        defer { try? fm.removeItem(atPath: root) }
        let contents = try DataDirectoryScanner(dataDirectory: root).scan()
        let files = Set(contents.files.map(\.manifestPath))
        #expect(files == ["PG_VERSION", "global/pg_control", "base/5/100", "base/5/100_fsm", "base/5/200_init"])
        let directories = Set(contents.directories.map(\.path))
        #expect(directories.isSuperset(of: ["base", "base/5", "global", "pg_wal", "pg_wal/archive_status", "pg_stat_tmp", "pg_replslot"]))
        #expect(!directories.contains("pg_replslot/slot"))
        #expect(!directories.contains("base/5/pgsql_tmp"))
        #expect(contents.skippedUnlogged == 2)
    }
}
