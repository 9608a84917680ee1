import Foundation
import LifeboatCore
import LifeboatPostgres
import LifeboatStorage

public struct InitReport: Codable, Sendable {
    public var stanza: String
    public var repository: String
    public var systemIdentifier: String
    public var pgVersion: Int
    public var created: Bool
}

/// `lifeboat init`: binds a stanza to one cluster (its system identifier) in the repository.
public enum StanzaInit {
    public static func run(_ context: EngineContext) async throws -> InitReport {
        try await context.storage.ensureRoot()
        // Creates the key file of a new encrypted stanza, or checks the passphrase of an existing one.
        try await context.requireMatchingCipher()
        let connection = try await PostgresConnection.connect(context.connection)
        defer { connection.close() }
        let facts = try await ServerFacts.read(from: connection)
        let repository = context.repository
        var report = InitReport(
            stanza: context.stanza, repository: repository.displayName, systemIdentifier: facts.systemIdentifier,
            pgVersion: facts.versionNum, created: false)
        if let existing = try await repository.loadStanzaIfPresent() {
            guard existing.systemIdentifier == facts.systemIdentifier else {
                throw LifeboatError(
                    .stanzaExists,
                    "stanza '\(context.stanza)' already exists for cluster \(existing.systemIdentifier), not for this cluster (\(facts.systemIdentifier))",
                    hint: "choose another --stanza for this cluster")
            }
            context.logger.info("stanza '\(context.stanza)' already exists for this cluster; nothing to do")
            return report
        }
        let record = StanzaRecord(
            stanza: context.stanza, systemIdentifier: facts.systemIdentifier, pgVersion: facts.versionNum,
            walSegmentSize: facts.walSegmentSize, created: Date())
        try await repository.saveStanza(record)
        report.created = true
        context.logger.info("created stanza '\(context.stanza)' for cluster \(facts.systemIdentifier) (PostgreSQL \(facts.versionNum / 10000))")
        return report
    }
}
