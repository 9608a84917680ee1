import Foundation
import LifeboatCore
import Testing
@testable import LifeboatPostgres

@Suite struct PostgresBinariesTests {
    @Test func findsDebiansVersionDirectory() throws {
        let path = try PostgresBinaries.path(of: "pg_ctl", major: 15, environment: ["PATH": "/usr/bin:/bin"], versionsRoot: "/usr/lib/postgresql")
        #expect(path == "/usr/lib/postgresql/15/bin/pg_ctl")
        let highest = try PostgresBinaries.path(of: "initdb", major: nil, environment: [:], versionsRoot: "/usr/lib/postgresql")
        #expect(highest.hasPrefix("/usr/lib/postgresql/") && highest.hasSuffix("/bin/initdb"))
    }

    @Test func bindirVariableComesFirst() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bindir-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fake = directory + "/pg_ctl"
        _ = FileManager.default.createFile(atPath: fake, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755])
        let path = try PostgresBinaries.path(of: "pg_ctl", major: 15, environment: ["LIFEBOAT_PG_BINDIR": directory], versionsRoot: "/usr/lib/postgresql")
        #expect(path == fake)
    }

    @Test func fallsBackToPath() throws {
        let path = try PostgresBinaries.path(of: "sh", major: 15, environment: ["PATH": "/nonexistent:/bin"], versionsRoot: "/usr/lib/postgresql")
        #expect(path == "/bin/sh")
    }

    @Test func missingProgramIsAPostgresError() {
        do {
            _ = try PostgresBinaries.path(of: "pg_nothing", major: 15)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .postgres)
            #expect(error.message == "PostgreSQL program 'pg_nothing' not found")
            #expect(error.hint?.contains("LIFEBOAT_PG_BINDIR") == true)
        }
    }
}
