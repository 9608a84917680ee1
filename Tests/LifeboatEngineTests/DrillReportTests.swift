import Foundation
@testable import LifeboatEngine
import Testing

@Suite("DrillReport record")
struct DrillReportTests {
    @Test("the repository record round-trips with microsecond times, and failed checks are listed")
    func roundTrip() throws {
        let started = Date(timeIntervalSince1970: 1_795_264_496.123456)
        let report = DrillReport(
            stanza: "main", outcome: .failed, startedAt: started, finishedAt: started.addingTimeInterval(12.5), backupLabel: "20261121-123456F",
            target: "end of archive", targetTime: nil, restoreSeconds: 2.25, recoverySeconds: 3.5, timeToReadySeconds: 5.75,
            rtoSeconds: 3600, rtoMet: true,
            checks: [DrillCheck(name: "restore", outcome: .passed, message: "ok"), DrillCheck(name: "sql a.sql#1", outcome: .failed, message: "returned 'f'")],
            lifeboatVersion: "0.1.0", host: "db1", scratchDirectory: "/tmp/x", kept: false, record: "main/drill/x.json")
        let bytes = try report.recordJSON()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("\"startedAt\" : \"2026-11-21 12:34:56.123456+00\""), "\(text)")
        let decoded = try DrillReport.decodeRecord(bytes)
        #expect(decoded.failedChecks.map(\.name) == ["sql a.sql#1"])
        #expect(abs(decoded.startedAt.timeIntervalSince1970 - started.timeIntervalSince1970) < 1e-6)
        #expect(decoded.timeToReadySeconds == 5.75 && decoded.backupLabel == report.backupLabel && decoded.outcome == .failed)
    }

    @Test("scratch server options reach postgres as single shell words")
    func serverOptions() {
        let server = ScratchServer(dataDirectory: "/tmp/d/data", socketDirectory: "/tmp/d w/socket", logFile: "/tmp/d/log",
                                   hbaFile: "/tmp/d w/pg_hba.conf", port: 54321, osUser: nil, role: "postgres")
        #expect(server.serverOptions.contains("-k '/tmp/d w/socket'"))
        #expect(server.serverOptions.contains("-c listen_addresses="))
        #expect(server.serverOptions.contains("-c archive_mode=off"))
        #expect(server.serverOptions.contains("-c 'hba_file=/tmp/d w/pg_hba.conf'"))
    }
}
