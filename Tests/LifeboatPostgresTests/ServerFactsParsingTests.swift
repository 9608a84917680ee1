import LifeboatCore
import Testing
@testable import LifeboatPostgres

@Suite struct ServerFactsParsingTests {
    @Test(arguments: [
        ("16777216", "B", UInt64(16 << 20)),  // PG 11+
        ("2048", "8kB", UInt64(16 << 20)),    // PG 10
        ("64", "MB", UInt64(64 << 20)),
        ("1", "GB", UInt64(1 << 30)),
    ])
    func walSegmentSizeInBytes(setting: String, unit: String, bytes: UInt64) throws {
        #expect(try ServerFacts.walSegmentBytes(setting: setting, unit: unit) == bytes)
    }

    @Test func unknownUnitIsAParseError() {
        #expect(throws: LifeboatError(.parse, "unexpected wal_segment_size '16' with unit 'parsecs' from PostgreSQL")) {
            try ServerFacts.walSegmentBytes(setting: "16", unit: "parsecs")
        }
    }

    @Test func timelineComesFromTheCurrentWalFileWhenThereIsOne() throws {
        #expect(try ServerFacts.timeline(walFile: "0000000A0000000000000003", checkpoint: "9") == 10)
        #expect(try ServerFacts.timeline(walFile: nil, checkpoint: "9") == 9)
    }

    @Test func fallbackLiteralIsAnEscapeString() {
        #expect(PostgresConnection.fallbackLiteral(#"it's \ fine"#) == #"E'it''s \\ fine'"#)
    }
}
