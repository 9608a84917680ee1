import LifeboatCore
import Testing

@Suite("BackupLabel")
struct BackupLabelTests {
    /// As pg_backup_stop returns it on PostgreSQL 15.
    static let pg15 = """
        START WAL LOCATION: 0/2000028 (file 000000010000000000000002)
        CHECKPOINT LOCATION: 0/2000060
        BACKUP METHOD: streamed
        BACKUP FROM: primary
        START TIME: 2026-11-21 10:00:00 UTC
        LABEL: lifeboat 20261121-100000F: nightly
        START TIMELINE: 1

        """

    @Test("parses a PostgreSQL 15 label")
    func parsesPG15() throws {
        let label = try BackupLabel(parsing: Self.pg15)
        #expect(label.startLSN == LSN("0/2000028"))
        #expect(label.startWALFile == "000000010000000000000002")
        #expect(label.checkpointLSN == LSN("0/2000060"))
        #expect(label.backupMethod == "streamed")
        #expect(label.backupFrom == "primary")
        #expect(label.startTime == "2026-11-21 10:00:00 UTC")
        #expect(label.label == "lifeboat 20261121-100000F: nightly")
        #expect(label.startTimeline == 1)
    }

    @Test("parses a standby label on a later timeline with CRLF and extra lines")
    func standbyLabel() throws {
        let text = "START WAL LOCATION: 16/B374D848 (file 0000000300000016000000B3)\r\n"
            + "CHECKPOINT LOCATION: 16/B374D880\r\nBACKUP METHOD: streamed\r\nBACKUP FROM: standby\r\n"
            + "START TIME: 2026-11-21 10:00:00 CET\r\nLABEL: \r\nSTART TIMELINE: 3\r\n"
            + "INCREMENTAL FROM LSN: 16/A0000028\r\n"
        let label = try BackupLabel(parsing: text)
        #expect(label.startLSN == LSN("16/B374D848"))
        #expect(label.startWALFile == "0000000300000016000000B3")
        #expect(label.checkpointLSN == LSN("16/B374D880"))
        #expect(label.backupFrom == "standby")
        #expect(label.label == "")
        #expect(label.startTimeline == 3)
    }

    @Test("only the two locations are required")
    func minimal() throws {
        let label = try BackupLabel(
            parsing: "START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\nCHECKPOINT LOCATION: 0/2000060")
        #expect(label.backupMethod == nil)
        #expect(label.backupFrom == nil)
        #expect(label.startTime == nil)
        #expect(label.label == nil)
        #expect(label.startTimeline == nil)
    }

    @Test("missing locations throw .parse", arguments: [
        ("CHECKPOINT LOCATION: 0/2000060\n", "START WAL LOCATION"),
        ("START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\n", "CHECKPOINT LOCATION"),
        ("", "START WAL LOCATION"),
        ("START WAL LOCATION 0/2000028 (file 000000010000000000000002)\nCHECKPOINT LOCATION: 0/2000060", "START WAL LOCATION"),
    ])
    func missing(text: String, key: String) {
        let error = #expect(throws: LifeboatError.self) { try BackupLabel(parsing: text) }
        #expect(error?.code == .parse)
        #expect(error?.message == "backup_label has no '\(key)' line")
    }

    @Test("malformed values throw .parse quoting the value", arguments: [
        ("START WAL LOCATION", "0/2000028"),
        ("START WAL LOCATION", "0/2000028 (file 000000010000000000000002"),
        ("START WAL LOCATION", "0/20000G8 (file 000000010000000000000002)"),
        ("START WAL LOCATION", "0/2000028 (file ../etc/passwd)"),
        ("START WAL LOCATION", "0/2000028 (file 000000010000000000000002.partial)"),
        ("START WAL LOCATION", "0/2000028 (file 000000010000000000000002) "),
        ("CHECKPOINT LOCATION", "0-2000060"),
        ("CHECKPOINT LOCATION", ""),
        ("START TIMELINE", "one"),
        ("START TIMELINE", "0"),
        ("START TIMELINE", "+1"),
    ])
    func malformed(key: String, value: String) {
        var lines = [
            "START WAL LOCATION: 0/2000028 (file 000000010000000000000002)", "CHECKPOINT LOCATION: 0/2000060",
        ]
        lines.removeAll { $0.hasPrefix(key + ": ") }
        lines.append("\(key): \(value)")
        let error = #expect(throws: LifeboatError.self) { try BackupLabel(parsing: lines.joined(separator: "\n")) }
        #expect(error?.code == .parse)
        #expect(error?.message == "malformed '\(key)' line in backup_label: '\(value)'")
    }
}
