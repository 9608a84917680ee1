import Testing
@testable import LifeboatPostgres

@Suite struct ConnectionSettingsTests {
    @Test func unsetFieldsAreLeftToLibpq() {
        let conninfo = ConnectionSettings().conninfo(environment: [:])
        #expect(conninfo == "dbname='postgres' application_name='lifeboat' connect_timeout='10'")
    }

    @Test func pgdatabaseWinsOverTheDefaultDatabase() {
        let conninfo = ConnectionSettings().conninfo(environment: ["PGDATABASE": "app"])
        #expect(conninfo == "application_name='lifeboat' connect_timeout='10'")
    }

    @Test func everyFieldIsQuoted() {
        var settings = ConnectionSettings(
            host: "/tmp/with space", port: 5433, user: "o'brien", database: #"back\slash"#,
            applicationName: "", connectTimeoutSeconds: 3)
        settings.replication = true
        #expect(settings.conninfo(environment: [:]) == #"host='/tmp/with space' port='5433' user='o\'brien' dbname='back\\slash' application_name='' connect_timeout='3' replication='database'"#)
    }

    @Test func libpqReadsBackTheExactValues() throws {
        let settings = ConnectionSettings(
            host: "/tmp/a b'c", port: 1, user: #"u\'x"#, database: "db = name", applicationName: "lifeboat archive-push")
        let parsed = try #require(ConnectionSettings.parsedByLibpq(settings.conninfo))
        #expect(parsed["host"] == "/tmp/a b'c")
        #expect(parsed["port"] == "1")
        #expect(parsed["user"] == #"u\'x"#)
        #expect(parsed["dbname"] == "db = name")
        #expect(parsed["application_name"] == "lifeboat archive-push")
        #expect(parsed["password"] == nil)
    }

    @Test func failuresNameTheSocketFileOrHostAndPort() {
        #expect(ConnectionSettings(host: "/run/pg", port: 5499).describeTarget(environment: [:]) == "/run/pg/.s.PGSQL.5499")
        #expect(ConnectionSettings(host: "db.example.com").describeTarget(environment: [:]) == "db.example.com:5432")
        #expect(ConnectionSettings().describeTarget(environment: ["PGHOST": "h", "PGPORT": "7"]) == "h:7")
    }
}
