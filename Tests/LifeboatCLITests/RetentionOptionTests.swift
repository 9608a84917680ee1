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
        ("retention-window", "7days", "invalid retention-window '7days': expected a whole number followed by s, min, h, d, w, m or y"),
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

@Suite("retention options are per repository: repo<N>-retention-X, then repo-retention-X (repository 1), then retention-X")
struct PerRepositoryRetentionTests {
    func resolved(_ given: [String: String] = [:], _ environment: [String: String] = [:], config: [String: [String: String]] = [:]) -> ResolvedOptions {
        ResolvedOptions(given: given, environment: environment, config: ConfigFile(path: "/x.conf", sections: config), stanza: "main")
    }

    @Test("each repository gets its own rules; unindexed rules fill in what it does not set")
    func ownPolicy() throws {
        let options = resolved(config: ["global": [
            "repo1-path": "/one", "repo2-path": "/two", "retention-full": "2", "retention-window": "7d", "repo2-retention-full": "8",
        ]])
        #expect(try options.retentionPolicy(repository: 1) == RetentionPolicy(full: 2, window: RetentionWindow(amount: 7, unit: .days)))
        #expect(try options.retentionPolicy(repository: 2) == RetentionPolicy(full: 8, window: RetentionWindow(amount: 7, unit: .days)))
        #expect(try options.retentionPolicy(repository: 3) == RetentionPolicy(full: 2, window: RetentionWindow(amount: 7, unit: .days)))
    }

    @Test("repo-retention-X is repository 1's, after repo1-retention-X; it never reaches repository 2")
    func repositoryOne() throws {
        let options = resolved(["repo-retention-full": "3"], ["LIFEBOAT_REPO1_RETENTION_DIFF": "4", "LIFEBOAT_REPO_RETENTION_DIFF": "9"])
        #expect(try options.retentionPolicy(repository: 1) == RetentionPolicy(full: 3, diff: 4))
        #expect(try options.retentionPolicy(repository: 2) == RetentionPolicy())
    }

    @Test("indexed rules come from flags, the environment and the config file like every option")
    func sources() throws {
        #expect(try resolved(["repo2-retention-window": "6m"]).retentionPolicy(repository: 2).window == RetentionWindow(amount: 6, unit: .months))
        #expect(try resolved([:], ["LIFEBOAT_REPO2_RETENTION_MIN_FULL": "2"]).retentionPolicy(repository: 2).minFull == 2)
        #expect(try resolved(config: ["main": ["repo3-retention-diff": "5"]]).retentionPolicy(repository: 3).diff == 5)
        // The same indexed name: the flag wins over the environment, which wins over the file.
        #expect(try resolved(["repo2-retention-full": "1"], ["LIFEBOAT_REPO2_RETENTION_FULL": "5"],
                             config: ["global": ["repo2-retention-full": "6"]]).retentionPolicy(repository: 2).full == 1)
        #expect(try resolved([:], ["LIFEBOAT_REPO2_RETENTION_FULL": "5"],
                             config: ["global": ["repo2-retention-full": "6"]]).retentionPolicy(repository: 2).full == 5)
    }

    @Test("--repo N selects the policy expire and expire-auto apply; without it, the first configured repository's")
    func selected() throws {
        let config: [String: [String: String]] = ["global": ["repo1-path": "/one", "repo2-path": "/two", "retention-full": "2", "repo2-retention-full": "1"]]
        #expect(try resolved(["repo": "2"], config: config).retentionPolicy.full == 1)
        #expect(try resolved([:], ["LIFEBOAT_REPO": "2"], config: config).retentionPolicy.full == 1)
        #expect(try resolved(config: config).retentionPolicy.full == 2)
        #expect(try resolved(["repo2-path": "/two", "repo2-retention-full": "4", "retention-full": "9"]).retentionPolicy.full == 4)
        #expect(throws: LifeboatError(.invalidArgument, "invalid repo2-retention-full '0': expected a whole number from 1 to 9999999")) {
            try AutoExpire.validate(resolved(["repo": "2", "repo2-retention-full": "0"], config: config))
        }
    }

    @Test("a bad indexed value is refused naming the option it came from")
    func badIndexed() throws {
        #expect(throws: LifeboatError(.invalidArgument, "invalid repo2-retention-full 'x': expected a whole number from 1 to 9999999")) {
            try resolved(["repo2-retention-full": "x"]).retentionPolicy(repository: 2)
        }
        let error = #expect(throws: LifeboatError.self) { try resolved(["repo-retention-window": "7x"]).retentionPolicy(repository: 1) }
        #expect(error?.message == "invalid repo-retention-window '7x': expected a whole number followed by s, min, h, d, w, m or y")
        // Repository 2 does not read repository 1's broken value.
        #expect(try resolved(["repo-retention-window": "7x"]).retentionPolicy(repository: 2) == RetentionPolicy())
    }

    @Test("expire and backup accept --repo<N>-retention-… flags (hidden) for N = 1…4 and --repo-retention-…")
    func flags() throws {
        let expire = try ExpireCLI.parse(["--repo2-retention-full", "3", "--repo4-retention-window", "30min", "--repo-retention-diff", "2", "--repo", "2"])
        #expect(expire.given["repo2-retention-full"] == "3")
        #expect(expire.given["repo4-retention-window"] == "30min")
        #expect(expire.given["repo-retention-diff"] == "2")
        #expect(expire.given["repo"] == "2")
        let backup = try BackupCLI.parse(["--repo3-retention-min-full", "2", "--repo1-retention-full", "5"])
        #expect(backup.retention.given["repo3-retention-min-full"] == "2")
        #expect(backup.retention.given["repo1-retention-full"] == "5")
        #expect(throws: (any Error).self) { try ExpireCLI.parse(["--repo5-retention-full", "3"]) }
    }
}
