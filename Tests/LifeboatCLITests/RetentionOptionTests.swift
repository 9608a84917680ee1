import LifeboatCore
import Testing
@testable import LifeboatCLI

@Suite("retention options: flag > environment > config file, validated before anything runs")
struct RetentionOptionTests {
    func resolved(_ given: [String: String] = [:], _ environment: [String: String] = [:], config: [String: [String: String]] = [:]) -> ResolvedOptions {
        ResolvedOptions(given: given, environment: environment, config: ConfigFile(path: "/x.conf", sections: config), stanza: "main")
    }

    @Test("each rule from each source")
    func sources() throws {
        #expect(try resolved().retentionPolicy == RetentionPolicy())
        #expect(try resolved(["retention-full": "2"]).retentionPolicy == RetentionPolicy(full: 2))
        #expect(try resolved([:], ["LIFEBOAT_RETENTION_DIFF": "3", "LIFEBOAT_RETENTION_WINDOW": "4w"]).retentionPolicy
                == RetentionPolicy(diff: 3, window: RetentionWindow(amount: 4, unit: .weeks)))
        #expect(try resolved(config: ["main": ["retention-min-full": "2"], "global": ["retention-full": "7"]]).retentionPolicy
                == RetentionPolicy(full: 7, minFull: 2))
        #expect(try resolved(["retention-full": "1"], ["LIFEBOAT_RETENTION_FULL": "5"]).retentionPolicy.full == 1)
    }

    @Test("expire-auto is on unless switched off")
    func expireAuto() throws {
        #expect(try AutoExpire.enabled(resolved()))
        #expect(try !AutoExpire.enabled(resolved([:], ["LIFEBOAT_EXPIRE_AUTO": "n"])))
        #expect(try AutoExpire.enabled(resolved(config: ["global": ["expire-auto": "y"]])))
        #expect(throws: LifeboatError(.invalidArgument, "invalid expire-auto 'sometimes': expected y or n")) {
            try AutoExpire.validate(resolved(["expire-auto": "sometimes"]))
        }
    }

    @Test("bad counts and windows are refused with one line", arguments: [
        ("retention-full", "0", "invalid retention-full '0': expected a whole number from 1 to 9999999"),
        ("retention-diff", "two", "invalid retention-diff 'two': expected a whole number from 1 to 9999999"),
        ("retention-min-full", "-1", "invalid retention-min-full '-1': expected a whole number from 1 to 9999999"),
        ("retention-window", "7days", "invalid retention-window '7days': expected a whole number followed by h, d, w, m or y"),
    ])
    func bad(option: String, value: String, message: String) {
        do {
            _ = try resolved([option: value]).retentionPolicy
            Issue.record("\(option)=\(value) accepted")
        } catch {
            #expect(error.message == message)
        }
    }

    @Test("dates for --until and --since: a day or a full time")
    func dates() throws {
        #expect(try DateOption.parse("2027-12-31 00:00:00+00", option: "until") == (try TargetTime.parse("2027-12-31 00:00:00+00", defaultOffsetSeconds: 0)))
        _ = try DateOption.parse("2027-12-31", option: "until")
        #expect(throws: LifeboatError.self) { try DateOption.parse("next year", option: "until") }
    }
}
