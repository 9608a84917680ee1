import LifeboatCore
import Testing

@Suite("PolicyDuration")
struct PolicyDurationTests {
    @Test("parses the documented forms", arguments: [
        ("30s", 30.0), ("15m", 900), ("1h", 3600), ("2d", 172_800), ("1w", 604_800), ("1h30m", 5400),
        ("1d2h3m4s", 93_784), ("90", 90), ("0", 0), (" 25h ", 90_000), ("15M", 900),
    ])
    func parses(text: String, seconds: Double) throws {
        #expect(try PolicyDuration.parse(text, option: "rto").seconds == seconds)
    }

    @Test("rejects malformed text naming the option", arguments: ["", "h", "1x", "1.5h", "m15", "1m1h", "1h1h", "-5m", "1h 30m", "15 m"])
    func rejects(text: String) {
        #expect {
            _ = try PolicyDuration.parse(text, option: "backup-max-age")
        } throws: { error in
            guard let error = error as? LifeboatError else { return false }
            return error.code == .invalidArgument && error.message.contains("backup-max-age") && error.message.contains("'\(text)'")
        }
    }

    @Test("formats seconds as the shortest exact text", arguments: [
        (0.0, "0s"), (-3, "0s"), (45, "45s"), (60, "1m"), (5400, "1h30m"), (93_784, "1d2h3m4s"), (59.6, "1m"), (86_400, "1d"),
    ])
    func formats(seconds: Double, text: String) {
        #expect(PolicyDuration.format(seconds) == text)
    }

    @Test("round-trips through its description and orders by length")
    func roundTrip() throws {
        let duration = try PolicyDuration.parse("1h30m", option: "rpo")
        #expect(try PolicyDuration.parse(duration.description, option: "rpo") == duration)
        #expect(try PolicyDuration.parse("59m", option: "rpo") < PolicyDuration.parse("1h", option: "rpo"))
    }
}
