import LifeboatCore
import Testing
@testable import LifeboatEngine

@Suite("stored WAL object names")
struct ArchiveObjectNameTests {
    let hash = String(repeating: "ab", count: 32)

    @Test("round trip for every kind and compression")
    func roundTrip() throws {
        for name in ["000000010000000000000001", "00000002.history", "000000010000000000000001.partial",
                     "000000010000000000000002.00000028.backup"] {
            for ext in ["zst", "lz4", "gz", ""] {
                let wal = try #require(WALFileName(name))
                let object = ArchiveObjectName(wal: wal, sha256: hash, fileExtension: ext)
                #expect(ArchiveObjectName(storedName: object.storedName) == object)
            }
        }
    }

    @Test("stray and temp names are not objects", arguments: [
        "000000010000000000000001", "000000010000000000000001-abc.zst", ".000000010000000000000001.tmp.1.2",
        "nonsense-" + String(repeating: "ab", count: 32),
    ])
    func strays(name: String) {
        #expect(ArchiveObjectName(storedName: name) == nil)
    }

    @Test("segments live in a directory per 4 GiB of WAL, history files together")
    func layout() throws {
        let layout = RepositoryLayout(stanza: "main")
        #expect(layout.archiveDirectory(for: try #require(WALFileName("0000000100000002000000AB"))) == "main/archive/0000000100000002")
        #expect(layout.archiveDirectory(for: try #require(WALFileName("00000002.history"))) == "main/archive/history")
        #expect(layout.dataObject("L", path: "base/1/2", extension: "zst") == "main/backup/L/data/base/1/2.zst")
        #expect(layout.dataObject("L", path: "base/1/2", extension: "") == "main/backup/L/data/base/1/2")
    }

    @Test("the WAL long page header and pg_control give the system identifier")
    func identity() {
        var header = [UInt8](repeating: 0, count: 40)
        header[2] = 0x02  // XLP_LONG_HEADER
        let id: UInt64 = 7_311_234_567_890_123_456
        for index in 0..<8 { header[24 + index] = UInt8(truncatingIfNeeded: id >> (8 * UInt64(index))) }
        #expect(WALIdentity.systemIdentifier(walHeader: header) == String(id))
        header[2] = 0
        #expect(WALIdentity.systemIdentifier(walHeader: header) == nil)
        #expect(WALIdentity.systemIdentifier(pgControl: Array(header[24..<32])) == String(id))
    }
}
