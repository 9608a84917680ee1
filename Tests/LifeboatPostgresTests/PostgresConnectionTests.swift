import Foundation
import LifeboatCore
import LifeboatPostgres
import LifeboatTestSupport
import Testing

extension RealCluster {
    @Suite struct PostgresConnectionTests {
        @Test func queryReturnsColumnsRowsAndNulls() async throws {
            let connection = try await SharedCluster.get().connect()
            defer { connection.close() }
            let result = try await connection.query(
                "SELECT 1 AS a, NULL::text AS b, 'x''y' AS c UNION ALL SELECT 2, 'z', NULL ORDER BY a")
            #expect(result.columns == ["a", "b", "c"])
            #expect(result.rows == [["1", nil, "x'y"], ["2", "z", nil]])
            #expect(result.commandTag == "SELECT 2")
            #expect(result.value(1, "b") == "z")
            #expect(result.value(0, "b") == nil)
            #expect(result.value(5, "a") == nil)
            #expect(result.value(0, "nope") == nil)
        }

        @Test func severalStatementsReturnTheLastResult() async throws {
            let connection = try await SharedCluster.get().connect()
            defer { connection.close() }
            let result = try await connection.query(
                "CREATE TEMP TABLE t (x int); INSERT INTO t VALUES (1), (2); SELECT count(*) AS n FROM t")
            #expect(result.rows == [["2"]])
            try await connection.execute("INSERT INTO t VALUES (3)")
            #expect(try await connection.query("SELECT count(*) FROM t").rows == [["3"]])
        }

        @Test func badSQLNamesItsSQLState() async throws {
            let connection = try await SharedCluster.get().connect()
            defer { connection.close() }
            do {
                _ = try await connection.query("SELECT * FROM no_such_table")
                Issue.record("expected an error")
            } catch {
                #expect(error.code == .postgres)
                #expect(error.message == #"query failed: relation "no_such_table" does not exist (SQLSTATE 42P01)"#)
            }
            // The session survives its errors.
            #expect(try await connection.query("SELECT 'still here'").rows == [["still here"]])
        }

        @Test func escapeLiteralRoundTrips() async throws {
            let connection = try await SharedCluster.get().connect()
            defer { connection.close() }
            let text = #"it's a \ test — ünïcødé"#
            let literal = connection.escapeLiteral(text)
            #expect(literal.hasSuffix("'"))
            #expect(try await connection.query("SELECT \(literal)").rows == [[text]])
        }

        @Test func closeIsIdempotentAndLaterCallsFail() async throws {
            let connection = try await SharedCluster.get().connect()
            #expect(connection.serverVersionNum / 10000 == 15)
            connection.close()
            connection.close()
            await #expect(throws: LifeboatError.self) { try await connection.query("SELECT 1") }
        }

        @Test func connectingToAClosedPortFails() async throws {
            let port = try FreePort.pick()
            do {
                _ = try await PostgresConnection.connect(ConnectionSettings(host: "127.0.0.1", port: port))
                Issue.record("expected an error")
            } catch {
                #expect(error.code == .postgres)
                #expect(error.message.hasPrefix("unable to connect to PostgreSQL at 127.0.0.1:\(port): "))
                #expect(error.message.contains("Connection refused"))
                #expect(error.hint == "check --pg-host/--pg-port (or PGHOST/PGPORT) and that the server is running")
            }
        }

        @Test func connectingToAMissingSocketNamesTheSocketFile() async throws {
            do {
                _ = try await PostgresConnection.connect(ConnectionSettings(host: "/nonexistent-lifeboat", port: 5999))
                Issue.record("expected an error")
            } catch {
                #expect(error.message.hasPrefix("unable to connect to PostgreSQL at /nonexistent-lifeboat/.s.PGSQL.5999: "))
            }
        }

        @Test func blockingCallsDoNotHoldTheCooperativePool() async throws {
            let cluster = try SharedCluster.get()
            // Four queries that block on a lock this test holds, and a watcher that looks for them from the
            // server's side: if libpq calls blocked the cooperative pool (two threads here), the watcher
            // could not run while they wait and would never see all four. They wait for the lock, not for
            // a clock, so a loaded machine only makes the test slower.
            let holder = try await cluster.connect()
            defer { holder.close() }
            _ = try await holder.query("SELECT pg_advisory_lock(424242)")
            let waiters = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<4 {
                        group.addTask { _ = try await cluster.query("SELECT pg_advisory_lock_shared(424242) /* lifeboat-pool-test */") }
                    }
                    try await group.waitForAll()
                }
            }
            var seen = 0
            for _ in 0..<3000 where seen < 4 {
                let active = try await cluster.query(
                    "SELECT count(*)::text AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%lifeboat-pool-test%' AND pid <> pg_backend_pid()")
                seen = Int(active.value(0, "n") ?? "0") ?? 0
                if seen < 4 { try await Task.sleep(for: .milliseconds(20)) }
            }
            _ = try await holder.query("SELECT pg_advisory_unlock(424242)")
            try await waiters.value
            #expect(seen == 4)
        }

        @Test func cancellingTheTaskCancelsTheStatement() async throws {
            let connection = try await SharedCluster.get().connect()
            defer { connection.close() }
            let sleeper = Task { try await connection.query("SELECT pg_sleep(600) /* lifeboat-cancel-test */") }
            try await Task.sleep(for: .milliseconds(300))
            sleeper.cancel()
            let outcome = await sleeper.result
            // The server really stopped: no backend still sleeps (no clock needed; a cancel that only
            // abandoned the wait would leave it running for ten minutes).
            let observer = try await SharedCluster.get().connect()
            defer { observer.close() }
            let running = try await observer.query(
                "SELECT count(*)::text AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%lifeboat-cancel-test%' AND pid <> pg_backend_pid()")
            #expect(running.value(0, "n") == "0")
            #expect(throws: LifeboatError.self) { try outcome.get() }
            if case .failure(let error as LifeboatError) = outcome { #expect(error.code == .interrupted) }
            #expect(try await connection.query("SELECT 1").rows == [["1"]])
        }

        @Test func serverFactsOfARealCluster() async throws {
            let cluster = try SharedCluster.get()
            let connection = try await cluster.connect()
            defer { connection.close() }
            let facts = try await ServerFacts.read(from: connection)
            #expect(facts.walSegmentSize == 16_777_216)
            #expect(facts.dataChecksums)
            #expect(!facts.systemIdentifier.isEmpty && facts.systemIdentifier.allSatisfy(\.isNumber))
            #expect(facts.versionNum / 10000 == 15)
            #expect(facts.dataDirectory == cluster.dataDirectory)
            #expect(facts.walLevel == "replica")
            #expect(facts.archiveMode == "off")
            #expect(facts.archiveCommand == "(disabled)")  // what SHOW says while archive_mode is off
            #expect(!facts.inRecovery)
            #expect(facts.timeline == 1)
        }

        @Test func tablespacesAppearInFacts() async throws {
            let cluster = try SharedCluster.get()
            let location = try cluster.makeDirectory("tablespace-one")
            try await cluster.query("CREATE TABLESPACE lifeboat_one LOCATION '\(location)'")
            let connection = try await cluster.connect()
            defer { connection.close() }
            let facts = try await ServerFacts.read(from: connection)
            let oid = try #require(try await connection.query("SELECT oid FROM pg_tablespace WHERE spcname = 'lifeboat_one'").rows.first?.first ?? nil)
            #expect(facts.tablespaces.contains(Tablespace(oid: try #require(UInt32(oid)), name: "lifeboat_one", location: location)))
            #expect(!facts.tablespaces.contains { $0.name == "pg_default" || $0.name == "pg_global" })
        }

        /// A non-exclusive backup needs pg_backup_start and pg_backup_stop on one session held open in
        /// between, while other sessions keep working.
        @Test func nonExclusiveBackupOnOneHeldConnection() async throws {
            let cluster = try SharedCluster.get()
            let connection = try await cluster.connect()
            defer { connection.close() }
            let start = try await connection.query("SELECT pg_backup_start('lifeboat test', true) AS lsn")
            #expect(start.value(0, "lsn")?.contains("/") == true)
            try await cluster.query("CREATE TABLE during_backup AS SELECT generate_series(1, 1000) AS n")
            // archive_mode is off: waiting for the archive would never end.
            let stop = try await connection.query("SELECT lsn, labelfile, spcmapfile FROM pg_backup_stop(false)")
            #expect(stop.columns == ["lsn", "labelfile", "spcmapfile"])
            let label = try #require(stop.value(0, "labelfile"))
            #expect(label.contains("START WAL LOCATION: \(start.value(0, "lsn")!)"))
            #expect(label.contains("LABEL: lifeboat test"))
            #expect(stop.value(0, "spcmapfile") != nil)
        }

        @Test func replicationConnectionRunsIdentifySystem() async throws {
            let cluster = try SharedCluster.get()
            var settings = cluster.connectionSettings
            settings.replication = true
            let replication = try await PostgresConnection.connect(settings)
            defer { replication.close() }
            let identity = try await replication.query("IDENTIFY_SYSTEM")
            #expect(identity.columns == ["systemid", "timeline", "xlogpos", "dbname"])
            let regular = try await cluster.connect()
            defer { regular.close() }
            #expect(identity.value(0, "systemid") == (try await ServerFacts.read(from: regular)).systemIdentifier)
        }
    }
}
