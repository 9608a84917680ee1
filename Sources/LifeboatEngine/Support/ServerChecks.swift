import Foundation
import LifeboatCore
import LifeboatPostgres

/// What a server must look like before Lifeboat backs it up.
enum ServerChecks {
    static func requireArchiving(_ facts: ServerFacts, stanza: String) throws {
        guard facts.walLevel == "replica" || facts.walLevel == "logical" else {
            throw LifeboatError(
                .postgresConfig, "wal_level is '\(facts.walLevel)' but archiving and backups need 'replica' or 'logical'",
                hint: "set wal_level = replica in postgresql.conf and restart PostgreSQL")
        }
        guard facts.archiveMode == "on" || facts.archiveMode == "always" else {
            throw LifeboatError(
                .postgresConfig, "archive_mode is '\(facts.archiveMode)': WAL is not being archived, so no backup could be restored",
                hint: "set archive_mode = on and archive_command = 'lifeboat archive-push --stanza \(stanza) %p', then restart PostgreSQL")
        }
        let command = facts.archiveCommand.trimmingWhitespace()
        guard !command.isEmpty, command != "(disabled)" else {
            throw LifeboatError(
                .postgresConfig, "archive_command is not set: WAL is not being archived",
                hint: "set archive_command = 'lifeboat archive-push --stanza \(stanza) %p' and reload PostgreSQL")
        }
        guard !facts.inRecovery else {
            throw LifeboatError(.postgresConfig, "the server is a standby (in recovery); backups are taken from the primary",
                                hint: "point --pg-host/--pg-port at the primary")
        }
    }
}
