import Foundation
import LifeboatCore
import Testing

@Suite("TargetTime")
struct TargetTimeTests {
    /// 2026-11-21 12:34:56 UTC
    static let base: TimeInterval = 1_795_264_496

    @Test("accepts the documented forms", arguments: [
        ("2026-11-21 12:34:56", 0.0),
        ("2026-11-21T12:34:56", 0),
        ("2026-11-21 12:34:56Z", 0),
        ("2026-11-21T12:34:56Z", 0),
        ("2026-11-21 12:34:56 Z", 0),
        ("2026-11-21 12:34:56 UTC", 0),
        ("2026-11-21 12:34:56UTC", 0),
        ("2026-11-21 12:34:56 utc", 0),
        ("2026-11-21 12:34:56+00", 0),
        ("2026-11-21 12:34:56+02", -7200),
        ("2026-11-21 12:34:56 +02", -7200),
        ("2026-11-21 12:34:56+0200", -7200),
        ("2026-11-21 12:34:56+02:00", -7200),
        ("2026-11-21 12:34:56 +02:00", -7200),
        ("2026-11-21 12:34:56-05:30", 19800),
        ("2026-11-21 12:34:56-0530", 19800),
        ("2026-11-21 12:34:56 -05", 18000),
        ("2026-11-21T12:34:56+14:00", -50400),
        ("  2026-11-21 12:34:56+00  ", 0),
        ("2026-11-21 12:34:56.5", 0.5),
        ("2026-11-21 12:34:56.5Z", 0.5),
        ("2026-11-21 12:34:56.123456+00", 0.123456),
        ("2026-11-21 12:34:56.000001 UTC", 0.000001),
        ("2026-11-21T12:34:56.25-01:00", 3600.25),
    ] as [(String, TimeInterval)])
    func accepts(text: String, delta: TimeInterval) throws {
        let date = try TargetTime.parse(text, defaultOffsetSeconds: 0)
        #expect(abs(date.timeIntervalSince1970 - (Self.base + delta)) < 0.000_000_5)
    }

    @Test("without a zone the caller's local offset applies; an explicit zone wins")
    func defaultOffset() throws {
        let cet = try TargetTime.parse("2026-11-21 12:34:56", defaultOffsetSeconds: 3600)
        #expect(cet.timeIntervalSince1970 == Self.base - 3600)
        let newYork = try TargetTime.parse("2026-11-21 12:34:56", defaultOffsetSeconds: -5 * 3600)
        #expect(newYork.timeIntervalSince1970 == Self.base + 5 * 3600)
        let explicit = try TargetTime.parse("2026-11-21 12:34:56+00", defaultOffsetSeconds: 3600)
        #expect(explicit.timeIntervalSince1970 == Self.base)
    }

    @Test("calendar edges", arguments: [
        ("2024-02-29 00:00:00", 1_709_164_800),
        ("2000-02-29 23:59:59", 951_868_799),
        ("1969-12-31 23:59:59", -1),
        ("1970-01-01 00:00:00", 0),
        ("1900-03-01 00:00:00", -2_203_891_200),
        ("9999-12-31 23:59:59", 253_402_300_799),
    ] as [(String, TimeInterval)])
    func calendar(text: String, epoch: TimeInterval) throws {
        #expect(try TargetTime.parse(text, defaultOffsetSeconds: 0).timeIntervalSince1970 == epoch)
    }

    @Test("rejects malformed and out-of-range input with the documented message", arguments: [
        "", "yesterday", "now", "2026-11-21", "2026-11-21 12:34", "12:34:56", "2026/11/21 12:34:56",
        "2026-11-21  12:34:56", "2026-11-21_12:34:56", "26-11-21 12:34:56", "2026-1-21 12:34:56", "2026-11-1 12:34:56",
        "2026-11-21 1:34:56", "2026-11-21 12:34:5", "+2026-11-21 12:34:56",
        "2026-00-21 12:34:56", "2026-13-21 12:34:56", "2026-11-00 12:34:56", "2026-11-31 12:34:56",
        "2026-02-29 12:00:00", "1900-02-29 12:00:00", "2026-04-31 00:00:00", "2026-01-32 00:00:00",
        "2026-11-21 24:00:00", "2026-11-21 12:60:00", "2026-11-21 12:34:60",
        "2026-11-21 12:34:56.", "2026-11-21 12:34:56.1234567", "2026-11-21 12:34:56.12a",
        "2026-11-21 12:34:56+2", "2026-11-21 12:34:56+123", "2026-11-21 12:34:56+02:0", "2026-11-21 12:34:56+02:60",
        "2026-11-21 12:34:56+16", "2026-11-21 12:34:56+02:00:00", "2026-11-21 12:34:56 CET", "2026-11-21 12:34:56 UTCX",
        "2026-11-21 12:34:56ZZ", "2026-11-21 12:34:56  Z", "2026-11-21 12:34:56 +", "2026-11-21 12:34:56 -",
        "2026-11-21 12:34:56+0２", "２026-11-21 12:34:56",
    ])
    func rejects(text: String) {
        let error = #expect(throws: LifeboatError.self) { try TargetTime.parse(text, defaultOffsetSeconds: 0) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message == "invalid target time '\(text)': expected YYYY-MM-DD HH:MM:SS[.ffffff][+ZZ]")
        #expect(error?.hint != nil)
    }

    @Test("postgresText is UTC with microseconds")
    func postgresText() {
        #expect(TargetTime.postgresText(Date(timeIntervalSince1970: Self.base)) == "2026-11-21 12:34:56.000000+00")
        #expect(TargetTime.postgresText(Date(timeIntervalSince1970: Self.base + 0.123456)) == "2026-11-21 12:34:56.123456+00")
        #expect(TargetTime.postgresText(Date(timeIntervalSince1970: Self.base + 0.9999996)) == "2026-11-21 12:34:57.000000+00")
        #expect(TargetTime.postgresText(Date(timeIntervalSince1970: 0)) == "1970-01-01 00:00:00.000000+00")
        #expect(TargetTime.postgresText(Date(timeIntervalSince1970: -0.5)) == "1969-12-31 23:59:59.500000+00")
    }

    @Test("display is UTC in whole seconds, truncated")
    func display() {
        #expect(TargetTime.display(Date(timeIntervalSince1970: Self.base)) == "2026-11-21 12:34:56+00")
        #expect(TargetTime.display(Date(timeIntervalSince1970: Self.base + 0.999)) == "2026-11-21 12:34:56+00")
        #expect(TargetTime.display(Date(timeIntervalSince1970: 951_868_799)) == "2000-02-29 23:59:59+00")
        #expect(TargetTime.display(Date(timeIntervalSince1970: -1)) == "1969-12-31 23:59:59+00")
    }

    @Test("what postgresText writes parses back to the same microsecond")
    func roundTrip() throws {
        for offset in stride(from: 0.0, to: 86_400 * 800, by: 86_400 * 37 + 3_661.123457) {
            let date = Date(timeIntervalSince1970: Self.base + offset)
            let text = TargetTime.postgresText(date)
            let back = try TargetTime.parse(text, defaultOffsetSeconds: 12_345)
            #expect(abs(back.timeIntervalSince(date)) < 0.000_001, "\(text)")
            #expect(TargetTime.postgresText(back) == text)
        }
    }
}
