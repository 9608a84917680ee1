import LifeboatCore
import Testing

@Suite("WALFileName")
struct WALFileNameTests {
    @Test("classifies every kind PostgreSQL archives", arguments: [
        ("000000010000000000000001", WALFileKind.segment, 1, "000000010000000000000001"),
        ("0000000A00000016000000B3", .segment, 10, "0000000A00000016000000B3"),
        ("000000020000000000000003.partial", .partial, 2, "000000020000000000000003"),
        ("00000002.history", .history, 2, nil),
        ("FFFFFFFF.history", .history, 0xFFFF_FFFF, nil),
        ("000000010000000000000002.00000028.backup", .backupHistory, 1, "000000010000000000000002"),
    ] as [(String, WALFileKind, UInt32, String?)])
    func classifies(name: String, kind: WALFileKind, timeline: UInt32, segmentName: String?) throws {
        let file = try #require(WALFileName(name))
        #expect(file.name == name)
        #expect(file.kind == kind)
        #expect(file.timeline == timeline)
        #expect(file.segmentName == segmentName)
        #expect(file.description == name)
    }

    @Test("rejects hostile and malformed names", arguments: [
        "", ".", "..", "/", "../000000010000000000000001", "/tmp/000000010000000000000001",
        "pg_wal/000000010000000000000001", "000000010000000000000001/", "000000010000000000000001/..",
        "00000001000000000000000a", "00000001.HISTORY", "0000000a.history", "000000010000000000000001.PARTIAL",
        "000000010000000000000002.0000002a.backup",
        "000000000000000000000001", "00000000.history", "000000000000000000000001.partial",
        "00000000000000000000000A.00000028.backup",
        "00000001000000000000001", "0000000100000000000000011", "0000001.history", "000000001.history",
        "000000010000000000000001.partia", "000000010000000000000001.partial.gz", "000000010000000000000001.gz",
        "00000002.history.tmp", "000000010000000000000002.0000028.backup", "000000010000000000000002.00000028.backu",
        "000000010000000000000002-00000028.backup", "000000010000000000000002.00000028",
        " 000000010000000000000001", "000000010000000000000001 ", "000000010000000000000001\n",
        "000000010000000000000001\0", "00000001000000000000000１", "0000000100000000000000010\u{301}",
        "archive_status", "RECOVERYXLOG", "RECOVERYHISTORY",
    ])
    func rejects(name: String) {
        #expect(WALFileName(name) == nil)
    }

    @Test("maps to the segment it belongs to")
    func segment() {
        let size = WALSegmentSize.default16MiB
        #expect(WALFileName("0000000100000016000000B3")?.segment(segmentSize: size) == WALSegment(timeline: 1, number: 0x16B3))
        #expect(WALFileName("000000010000000000000002.00000028.backup")?.segment(segmentSize: size)
            == WALSegment(timeline: 1, number: 2))
        #expect(WALFileName("00000002.history")?.segment(segmentSize: size) == nil)
        #expect(WALFileName("000000010000000000000100")?.segment(segmentSize: size) == nil)
    }

    @Test("orders by name bytes: WAL order, a timeline's history file before its segments")
    func ordering() {
        let names = [
            "000000020000000000000001", "00000002.history", "000000010000000000000002.00000028.backup",
            "000000010000000000000002", "000000010000000000000001",
        ].compactMap(WALFileName.init)
        #expect(names.sorted().map(\.name) == [
            "000000010000000000000001", "000000010000000000000002", "000000010000000000000002.00000028.backup",
            "00000002.history", "000000020000000000000001",
        ])
    }

    @Test("kinds are Codable by raw value")
    func kindRawValues() {
        #expect(WALFileKind.backupHistory.rawValue == "backupHistory")
        #expect(WALFileKind(rawValue: "partial") == .partial)
    }
}
